"""Steps of the booking conversation, as a client taps them (shared by the tests)."""

from __future__ import annotations

import re
from typing import Any

from aiogram import Dispatcher
from asgiref.sync import sync_to_async

from bot.app import build_dispatcher
from bot.local_session import SimulatedUser
from bot.outbox import OutboxSender
from bot.throttling import Limits, MemoryBuckets
from djproject.salon import services
from tests.moments import salon_today

TIME_RE = re.compile(r"^\d\d:\d\d$")

# A test user taps far faster than a person: their bucket is one no conversation empties
# (tests/bot/test_throttling.py tests the real limits).
UNHURRIED = Limits(capacity=1_000_000)


def conversation_dispatcher(**options: Any) -> Dispatcher:
    """The real dispatcher for a test conversation: no commands set at start-up, no throttle."""
    options.setdefault("set_commands_on_startup", False)
    options.setdefault("throttle", MemoryBuckets(UNHURRIED))
    return build_dispatcher(**options)


def times(user: SimulatedUser) -> list[str]:
    """The time buttons in view."""
    return [label for label in user.buttons() if TIME_RE.match(label)]


def service_button(user: SimulatedUser, name: str) -> str:
    return next(label for label in user.buttons() if label.startswith(f"{name} · "))


async def choose_services(user: SimulatedUser, *picks: tuple[str, str]) -> None:
    """From the main menu: Book, then (category, service) for each pick."""
    await user.press("📅 Book")
    for number, (category, service) in enumerate(picks):
        if number:
            await user.press("➕ Add another service")
        await user.press(category)
        await user.press(service_button(user, service))
    await user.press("Continue ▶")


async def to_times(user: SimulatedUser, *picks: tuple[str, str], master: str = "Any master") -> None:
    """Book → services → master → Nearest free date: the client sees that day's times."""
    await user.send_text("/start")
    await choose_services(user, *picks)
    await user.press(master)
    await user.press("⚡ Nearest free date")


async def to_times_of_a_later_day(user: SimulatedUser, *picks: tuple[str, str], master: str) -> None:
    """Like ``to_times`` but on a day after tomorrow, whose times are not cut by the clock."""
    await user.send_text("/start")
    await choose_services(user, *picks)
    await user.press(master)
    for _page in range(3):
        keyboard = user.keyboard_message().inline_keyboard
        days = [b["text"] for row in keyboard[2:] for b in row if b["text"].isdigit()]
        today = salon_today()
        month_shown = keyboard[0][1]["text"] != today.strftime("%B %Y")
        later = [d for d in days if month_shown or int(d) > today.day + 1]
        if later:
            await user.press(later[0])
            return
        await user.press("▶")
    raise AssertionError("no free day after tomorrow in the next three months")


async def visits_of(user: SimulatedUser) -> list[services.Visit]:
    return await sync_to_async(services.upcoming_visits)(user.user_id)


async def client_of(user: SimulatedUser) -> services.ClientInfo:
    return await sync_to_async(services.ensure_client)(user.user_id)


async def give_phone(user: SimulatedUser, phone: str = "+49 151 5550000") -> None:
    await sync_to_async(services.set_client_phone)(user.user_id, phone)


async def drain(sender: OutboxSender) -> None:
    """The notification sender sends everything that is due now."""
    while await sender.run_once():
        pass
