"""The per-user event lock in Redis: a lock left by a killed bot process expires within
seconds, and a long update keeps its lock for as long as it runs."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from aiogram.fsm.storage.base import StorageKey

from bot import storage as bot_storage
from bot.app import build_dispatcher
from bot.local_session import SimulatedUser
from bot.storage import build_storage

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

SHORT_TTL = 1.0


@pytest.fixture
async def prefix(redis_url: str) -> AsyncIterator[str]:
    prefix = f"test-lock-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = aioredis.Redis.from_url(redis_url)
    async for key in client.scan_iter(f"{prefix}:*"):
        await client.delete(key)
    await client.aclose()


def test_the_production_lock_ttl_is_a_few_seconds(redis_url):
    assert 2 <= bot_storage.EVENT_LOCK_TTL_SECONDS <= 10
    _storage, isolation = build_storage(redis_url)
    assert isolation.lock_kwargs["timeout"] == bot_storage.EVENT_LOCK_TTL_SECONDS


async def test_a_lock_left_by_a_killed_process_delays_the_user_by_at_most_its_ttl(
    frozen_clock, demo_salon, bot, telegram, redis_url, prefix
):
    storage, isolation = build_storage(redis_url, prefix=prefix, lock_ttl=SHORT_TTL)
    dp = build_dispatcher(storage=storage, events_isolation=isolation, set_commands_on_startup=False)
    user = SimulatedUser(dp, bot, telegram, 830_001)
    # What a process killed in the middle of this user's update leaves behind: its lock key,
    # set as Lock.acquire sets it (a token and the TTL), never released.
    key = isolation.key_builder.build(StorageKey(bot_id=bot.id, chat_id=830_001, user_id=830_001), "lock")
    await storage.redis.set(key, "token-of-the-killed-process", px=int(SHORT_TTL * 1000))
    try:
        started = time.monotonic()
        await asyncio.wait_for(user.send_text("/start"), timeout=SHORT_TTL + 3)
        waited = time.monotonic() - started
    finally:
        await storage.close()

    assert "Welcome to Salon Aurora!" in user.text
    assert 0.5 * SHORT_TTL <= waited <= SHORT_TTL + 2  # it did wait for the lock, and not long


async def test_a_long_update_keeps_its_lock_past_the_ttl(redis_url, prefix):
    storage, isolation = build_storage(redis_url, prefix=prefix, lock_ttl=0.5)
    key = StorageKey(bot_id=1, chat_id=2, user_id=2)
    order: list[str] = []

    async def long_update() -> None:
        async with isolation.lock(key):
            order.append("long starts")
            await asyncio.sleep(1.6)  # three TTLs: renewed while it runs
            order.append("long ends")

    async def next_update() -> None:
        await asyncio.sleep(0.1)
        async with isolation.lock(key):
            order.append("next runs")

    try:
        await asyncio.gather(long_update(), next_update())
    finally:
        await storage.close()
    assert order == ["long starts", "long ends", "next runs"]
    assert not await storage.redis.exists(isolation.key_builder.build(key, "lock"))  # released
