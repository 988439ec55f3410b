"""A booking that went through is never reported as failed, and never made twice: failures
after the commit, a double tap of Confirm, a Confirm again after a crash right after the commit."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram_dialog.test_tools.memory_storage import JsonMemoryStorage, MemoryStorageRecord

from bot.local_session import SimulatedUser, visible
from tests.bot.flows import TIME_RE, conversation_dispatcher, give_phone, to_times_of_a_later_day, visits_of

pytestmark = pytest.mark.django_db(transaction=True)

OOPS = "Sorry, something went wrong"


def said(user: SimulatedUser) -> str:
    return "\n".join(message.text or message.caption or "" for message in user.bot_messages())


async def at_summary(user: SimulatedUser, master: str) -> None:
    """A blow-dry at 15:00 on a later day, when Anna and Boris both work and are free."""
    await give_phone(user)
    await to_times_of_a_later_day(user, ("Hair", "Blow-dry"), master=master)
    await user.press("15:00")
    assert "Please check your booking:" in user.text


async def test_the_calendar_file_failing_after_the_commit_still_shows_the_done_screen(
    frozen_clock, demo_salon, make_user, telegram, caplog
):
    user = make_user()
    await at_summary(user, "Anna")
    telegram.fail("sendDocument", "Request timeout error", network=True)

    with caplog.at_level(logging.WARNING):
        callback_id = await user.press("✅ Confirm")

    assert telegram.callback_answered(callback_id)
    assert "✅ You are booked!" in user.text
    assert user.buttons() == ["🗂 My bookings", "🏠 Main menu"]
    assert OOPS not in said(user)
    assert not user.documents()
    assert "calendar file" in caplog.text
    assert len(await visits_of(user)) == 1


@pytest.mark.parametrize(
    ("method", "error"),
    [
        ("editMessageReplyMarkup", {"description": "Request timeout error", "network": True}),
        ("sendMessage", {"description": "Internal Server Error", "status": 500}),
    ],
)
async def test_the_done_screen_failing_once_after_the_commit_is_shown_anyway(
    frozen_clock, demo_salon, make_user, telegram, method, error
):
    user = make_user()
    await at_summary(user, "Anna")
    telegram.fail(method, **error)

    await user.press("✅ Confirm")

    assert "✅ You are booked!" in user.text
    assert OOPS not in said(user)
    assert len(await visits_of(user)) == 1
    await user.press("🗂 My bookings")  # the dialog moved on: the done screen's buttons work
    assert "Your upcoming visits:" in user.text


# --- Confirm twice --------------------------------------------------------------------------------


def snapshot(storage: JsonMemoryStorage) -> dict[StorageKey, MemoryStorageRecord]:
    """Every user's dialogs as they are stored now."""
    return {key: MemoryStorageRecord(record.data, record.state) for key, record in storage.storage.items()}


def restore(storage: JsonMemoryStorage, saved: dict[StorageKey, MemoryStorageRecord]) -> None:
    """Put the dialogs back as they were saved (as if nothing had been stored since)."""
    storage.storage.clear()
    storage.storage.update({key: MemoryStorageRecord(r.data, r.state) for key, r in saved.items()})


def booked_screens(user: SimulatedUser) -> int:
    return sum("✅ You are booked!" in (message.text or "") for message in user.bot_messages())


@pytest.mark.parametrize("master", ["Anna", "Any master"])
async def test_a_double_tap_of_confirm_on_two_bot_processes_books_once(
    frozen_clock, demo_salon, bot, telegram, master
):
    storage = JsonMemoryStorage()
    user = SimulatedUser(conversation_dispatcher(storage=storage), bot, telegram, 840_001)
    # A second bot process (a webhook replica): the same storage, a lock of its own, so the two
    # taps really race as they do when the Redis lock is gone.
    replica = SimulatedUser(conversation_dispatcher(storage=storage), bot, telegram, user.user_id)
    await at_summary(user, master)
    summary = user.keyboard_message()
    _kind, confirm = user.find_button("✅ Confirm")

    await asyncio.gather(
        user.send_callback(confirm["callback_data"], summary),
        replica.send_callback(confirm["callback_data"], summary),
    )

    (visit,) = await visits_of(user)
    assert len(visit.items) == 1
    assert booked_screens(user) == 2
    assert "taken" not in said(user) and OOPS not in said(user)


@pytest.mark.parametrize("master", ["Anna", "Any master"])
async def test_confirm_again_after_a_crash_right_after_the_commit_books_once(
    frozen_clock, demo_salon, bot, telegram, master
):
    storage = JsonMemoryStorage()
    user = SimulatedUser(conversation_dispatcher(storage=storage), bot, telegram, 840_002)
    await at_summary(user, master)
    summary = user.keyboard_message()
    _kind, confirm = user.find_button("✅ Confirm")
    before_confirm = snapshot(storage)

    await user.send_callback(confirm["callback_data"], summary)
    assert "✅ You are booked!" in user.text
    (first,) = await visits_of(user)
    # The bot was killed right after the COMMIT: the dialog was never saved as done, and the
    # client, seeing no answer, taps Confirm on the summary again.
    restore(storage, before_confirm)
    await user.send_callback(confirm["callback_data"], summary)

    assert "✅ You are booked!" in user.text
    assert booked_screens(user) == 2
    (visit,) = await visits_of(user)
    assert visit.ref == first.ref
    assert [item.master_name for item in visit.items] == [item.master_name for item in first.items]


async def test_another_time_chosen_after_a_booking_is_a_new_booking(frozen_clock, demo_salon, bot, telegram):
    storage = JsonMemoryStorage()
    user = SimulatedUser(conversation_dispatcher(storage=storage), bot, telegram, 840_003)
    await at_summary(user, "Anna")
    summary = user.keyboard_message()
    _kind, back = user.find_button("◀ Back")
    before_confirm = snapshot(storage)
    await user.press("✅ Confirm")
    restore(storage, before_confirm)

    await user.send_callback(back["callback_data"], summary)  # a new summary, another time: another key
    labels = [visible(b["text"]) for row in summary.inline_keyboard for b in row]  # now the times
    await user.press(next(label for label in labels if TIME_RE.match(label) and label != "15:00"), summary)
    await user.press("✅ Confirm", summary)

    assert "✅ You are booked!" in user.text
    assert len(await visits_of(user)) == 2
