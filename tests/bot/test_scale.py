"""The bot under load: ORM calls of different clients run at the same time (a small thread pool
instead of asgiref's one shared thread), every pool thread's connection is handled like a
request's, and a slot two clients confirm at once is still booked once — also by two bot
processes (two dispatchers) sharing the database and Redis."""

from __future__ import annotations

import asyncio
import threading
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
import redis.asyncio as aioredis
from aiogram import Bot, Dispatcher
from aiogram_dialog.test_tools.memory_storage import JsonMemoryStorage
from django.db import connection

from bot.facade import BookingFacade
from bot.local_session import SimulatedUser, TelegramSimulator
from bot.orm_threads import OrmThreads, default_pool
from bot.storage import build_storage
from tests.bot.flows import conversation_dispatcher, give_phone, times, to_times_of_a_later_day, visits_of


def _meeting_services(parties: int) -> SimpleNamespace:
    """A services module whose ``salon_info`` returns only once ``parties`` calls are inside it
    at the same time (a thread-sensitive facade never gets there: the barrier breaks)."""
    barrier = threading.Barrier(parties, timeout=2)

    def salon_info() -> str:
        barrier.wait()
        return threading.current_thread().name

    return SimpleNamespace(salon_info=salon_info)


async def test_calls_of_different_clients_run_at_the_same_time():
    parties = default_pool().size  # 4 on PostgreSQL, 2 on SQLite
    assert parties >= 2
    facade = BookingFacade(services=_meeting_services(parties), staff=SimpleNamespace())  # type: ignore[arg-type]

    names = await asyncio.gather(*(facade.salon_info() for _ in range(parties)))

    assert len(set(names)) == parties


async def test_a_pool_runs_a_function_once_on_every_thread_after_its_current_call():
    pool = OrmThreads(3, name="test-orm")
    try:
        started, release = threading.Event(), threading.Event()

        def call() -> bool:
            started.set()
            return release.wait(2)

        busy = pool.submit(call)
        assert started.wait(2)
        ran_on = asyncio.ensure_future(pool.on_each(lambda: threading.current_thread().name))
        await asyncio.sleep(0.05)
        assert not ran_on.done()  # one thread is still in its call
        release.set()
        assert busy.result(timeout=2)
        assert sorted(await ran_on) == ["test-orm-0", "test-orm-1", "test-orm-2"]
    finally:
        pool.shutdown()


def _connection_is_open() -> bool:
    return connection.connection is not None


@pytest.mark.django_db(transaction=True)
async def test_closing_the_pool_closes_the_connection_of_every_thread(demo_salon):
    facade = BookingFacade()
    await asyncio.gather(*(facade.list_categories() for _ in range(8)))
    pool = default_pool()
    assert any(await pool.on_each(_connection_is_open)) or connection.vendor == "sqlite"

    await pool.close_all()

    assert not any(await pool.on_each(_connection_is_open))


# --- races: one slot, two clients, two dispatchers ---------------------------------------------------


def _client(dp: Dispatcher, bot: Bot, telegram: TelegramSimulator, user_id: int, name: str) -> SimulatedUser:
    return SimulatedUser(dp, bot, telegram, user_id, first_name=name)


async def _race_for_one_slot(first: SimulatedUser, second: SimulatedUser) -> None:
    """Both clients see the same free time, then press Confirm at the same moment."""
    for user in (first, second):
        await give_phone(user)
        await to_times_of_a_later_day(user, ("Hair", "Colouring"), master="Anna")
    slot = times(first)[0]
    assert slot in times(second)
    for user in (first, second):
        await user.press(slot)

    await asyncio.gather(first.press("✅ Confirm"), second.press("✅ Confirm"))

    winners = [u for u in (first, second) if "✅ You are booked!" in u.text]
    losers = [u for u in (first, second) if u not in winners]
    assert len(winners) == 1, [u.text for u in (first, second)]
    assert len(await visits_of(winners[0])) == 1
    (loser,) = losers
    assert "was taken a moment ago" in loser.text
    assert not await visits_of(loser)


@pytest.mark.django_db(transaction=True)
async def test_two_dispatchers_sharing_the_database_book_a_slot_once(frozen_clock, demo_salon, bot, telegram):
    """Two bot processes in miniature (SQLite too): each its own dispatcher and storage, one
    database, the ORM calls on the pool's threads."""
    first = _client(conversation_dispatcher(storage=JsonMemoryStorage()), bot, telegram, 830_001, "Anna")
    second = _client(conversation_dispatcher(storage=JsonMemoryStorage()), bot, telegram, 830_002, "Boris")

    await _race_for_one_slot(first, second)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
async def test_two_processes_sharing_postgresql_and_redis_book_a_slot_once(
    frozen_clock, demo_salon, redis_url: str, bot, telegram
):
    """As two ``python -m bot --webhook`` processes behind one port: two dispatchers, each with
    its own Redis storage and event lock, two bots, one PostgreSQL."""
    prefix = f"test-scale-{uuid.uuid4().hex[:8]}"
    stores = [build_storage(redis_url, prefix=prefix) for _ in range(2)]
    dispatchers = [conversation_dispatcher(storage=s, events_isolation=i) for s, i in stores]
    try:
        first = _client(dispatchers[0], bot, telegram, 830_011, "Anna")
        second = _client(dispatchers[1], bot, telegram, 830_012, "Boris")
        await _race_for_one_slot(first, second)
    finally:
        await _drop(redis_url, prefix, [storage for storage, _ in stores])


async def _drop(redis_url: str, prefix: str, storages: list[Any]) -> None:
    for storage in storages:
        await storage.close()
    client = aioredis.Redis.from_url(redis_url)
    async for key in client.scan_iter(f"{prefix}:*"):
        await client.delete(key)
    await client.aclose()
