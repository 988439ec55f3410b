"""Cached answers (``booking.freshness``): a screen drawn again costs no availability query,
and a committed write — a booking in this process or another, a change in the admin — is
seen by the very next read of any client."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram_dialog.test_tools.memory_storage import JsonMemoryStorage
from django.conf import settings
from django.db import connections

from bot.local_session import SimulatedUser, TelegramSimulator
from bot.orm_threads import default_pool
from bot.storage import build_storage
from djproject.salon import services
from djproject.salon.models import BookingSettings, Category, Master, TimeBlock, WorkingDay
from tests.bot.flows import conversation_dispatcher, give_phone, times, to_times_of_a_later_day

pytestmark = pytest.mark.django_db(transaction=True)

HAIRCUT = ("Hair", "Women's haircut")


def _ids(category: str, service: str) -> list[int]:
    return [s.id for s in services.list_services() if s.name == service]


class QueryCounter:
    """Counts the queries of every thread of the ORM pool (where the facade's calls run)."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries.append(sql)
        return execute(sql, params, many, context)

    async def install(self) -> None:
        def add() -> None:
            connections["default"].execute_wrappers.append(self)

        await default_pool().on_each(add)

    async def remove(self) -> None:
        def drop() -> None:
            connections["default"].execute_wrappers.remove(self)

        await default_pool().on_each(drop)


# --- the salon services: a second read is free, a write is seen at once ------------------------------


def test_reading_the_same_answers_again_costs_no_query(frozen_clock, demo_salon, django_assert_num_queries):
    haircut = _ids(*HAIRCUT)
    day = services.nearest_date(haircut, None)
    assert day is not None

    def read_all() -> tuple[Any, ...]:
        return (
            services.salon_info(),
            services.list_categories(),
            services.list_services(),
            services.list_masters(haircut),
            services.booking_window(),
            services.month_availability(haircut, None, day.year, day.month),
            services.day_slots(haircut, None, day),
            services.nearest_date(haircut, None),
        )

    first = read_all()
    with django_assert_num_queries(0):
        again = read_all()
    assert again == first


def test_a_booking_takes_its_time_out_of_every_cached_answer_at_once(frozen_clock, demo_salon):
    haircut = _ids(*HAIRCUT)
    anna = next(m.id for m in services.list_masters(haircut) if m.name == "Anna")
    day = services.nearest_date(haircut, anna)
    slots = services.day_slots(haircut, anna, day)
    month = services.month_availability(haircut, anna, day.year, day.month)

    services.book_visit(700_001, haircut, anna, day, slots[0])

    assert slots[0] not in services.day_slots(haircut, anna, day)
    assert services.month_availability(haircut, anna, day.year, day.month)[day] != month[day]


def test_a_change_in_the_admin_is_seen_by_the_next_read(frozen_clock, demo_salon):
    haircut = _ids(*HAIRCUT)
    anna = Master.objects.get(name="Anna")
    day = services.nearest_date(haircut, anna.pk)
    assert services.day_slots(haircut, anna.pk, day)
    names = [m.name for m in services.list_masters(haircut)]

    WorkingDay.objects.update_or_create(
        master=anna,
        weekday=day.weekday(),
        defaults={"start_time": time(9), "end_time": time(9, 30), "break_start": None, "break_end": None},
    )
    anna.categories.remove(Category.objects.get(name="Hair"))

    assert "Anna" in names and "Anna" not in [m.name for m in services.list_masters(haircut)]
    assert services.day_slots(haircut, anna.pk, day) == []


def test_a_time_block_is_seen_by_the_next_read(frozen_clock, demo_salon):
    """A block takes its hours out of the cached times as soon as it is saved, and gives them
    back when it is deleted."""
    haircut = _ids(*HAIRCUT)
    anna = Master.objects.get(name="Anna")
    day = services.nearest_date(haircut, anna.pk)
    first = services.day_slots(haircut, anna.pk, day)[0]

    block = TimeBlock.objects.create(
        master=anna, date=day, start_time=time.fromisoformat(first), end_time=time(23), reason="training"
    )
    assert first not in services.day_slots(haircut, anna.pk, day)

    block.delete()
    assert first in services.day_slots(haircut, anna.pk, day)


def test_a_settings_save_is_seen_by_the_next_read(frozen_clock, demo_salon):
    """The settings rows are held per process while the salon token holds; a save replaces it."""
    haircut = _ids(*HAIRCUT)
    day = services.nearest_date(haircut, None)
    before = services.day_slots(haircut, None, day)
    settings_row = BookingSettings.load()
    settings_row.step_minutes = 60 if settings_row.step_minutes != 60 else 15
    settings_row.save()

    after = services.day_slots(haircut, None, day)
    assert after != before and len(after) != len(before)


# --- through the bot ------------------------------------------------------------------------------------


def _client(dp: Dispatcher, bot: Bot, telegram: TelegramSimulator, user_id: int, name: str) -> SimulatedUser:
    return SimulatedUser(dp, bot, telegram, user_id, first_name=name)


async def _booked_time_leaves_the_other_screen(first: SimulatedUser, second: SimulatedUser) -> None:
    """Both clients see the same times; the first books one; the second, drawing the day
    again, no longer sees it."""
    for user in (first, second):
        await give_phone(user)
        await to_times_of_a_later_day(user, ("Hair", "Colouring"), master="Anna")
    slot = times(first)[0]
    assert slot in times(second)

    await first.press(slot)
    await first.press("✅ Confirm")
    assert "✅ You are booked!" in first.text

    day = second.text
    await to_times_of_a_later_day(second, ("Hair", "Colouring"), master="Anna")  # the same day again
    assert second.text.splitlines()[0] == day.splitlines()[0]
    assert slot not in times(second)


async def test_a_booking_through_one_dispatcher_is_seen_by_a_client_of_another(
    frozen_clock, demo_salon, bot, telegram
):
    first = _client(conversation_dispatcher(storage=JsonMemoryStorage()), bot, telegram, 840_001, "Anna")
    second = _client(conversation_dispatcher(storage=JsonMemoryStorage()), bot, telegram, 840_002, "Boris")
    await _booked_time_leaves_the_other_screen(first, second)


@pytest.mark.redis
async def test_with_redis_a_booking_in_one_process_is_seen_in_another(
    frozen_clock, demo_salon, redis_cache, redis_url: str, bot, telegram
):
    """Tokens and answers live in Redis: nothing of them in the process that booked."""
    storage_prefix = f"test-answers-{uuid.uuid4().hex[:8]}"
    stores = [build_storage(redis_url, prefix=storage_prefix) for _ in range(2)]
    dispatchers = [conversation_dispatcher(storage=s, events_isolation=i) for s, i in stores]
    try:
        first = _client(dispatchers[0], bot, telegram, 840_011, "Anna")
        second = _client(dispatchers[1], bot, telegram, 840_012, "Boris")
        await _booked_time_leaves_the_other_screen(first, second)
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        assert any(redis_cache.scan_iter(f"{prefix}:*:booking:token:master:*"))
    finally:
        for storage, _ in stores:
            await storage.close()
        for key in redis_cache.scan_iter(f"{storage_prefix}:*"):
            redis_cache.delete(key)


async def test_paging_the_calendar_forth_and_back_again_runs_no_query(frozen_clock, demo_salon, make_user):
    """A client pages a month forward and back: both months, the salon's name and the booking
    window are cached answers (it was 12 queries per update before)."""
    user = make_user()
    await user.send_text("/start")
    await user.press("📅 Book")
    await user.press("Hair")
    await user.press(next(b for b in user.buttons() if b.startswith("Women's haircut · ")))
    await user.press("Continue ▶")
    await user.press("Anna")
    await user.press("▶")
    await user.press("◀")
    screen = user.text

    counter = QueryCounter()
    await counter.install()
    try:
        await user.press("▶")
        await user.press("◀")
    finally:
        await counter.remove()
    assert user.text == screen
    assert counter.queries == []
