"""No useless round trips: taps that change nothing cost no Bot API call beyond the callback
answer, a button of an old message never turns it into a second copy of the current screen,
and callback data without a dialog id is refused. Counted at the simulated Bot API."""

from __future__ import annotations

import logging

import pytest

from bot.dialogs.calendar import INERT_DAY
from tests.bot.flows import choose_services, times, visits_of

pytestmark = pytest.mark.django_db(transaction=True)

STALE_TOAST = "That button belongs to an older message. Please use the newest one."


def _answer_texts(telegram) -> list[str | None]:
    return [call.params.get("text") for call in telegram.calls_of("answerCallbackQuery")]


def _calls_since(telegram, mark: int) -> list[str]:
    return [call.method for call in telegram.calls[mark:]]


async def test_a_booking_with_stray_taps_gets_no_error_from_telegram(
    frozen_clock, demo_salon, make_user, telegram
):
    user = make_user()
    await user.send_text("/start")
    await choose_services(user, ("Hair", "Women's haircut"))
    await user.press("Anna")
    calendar = user.keyboard_message().inline_keyboard
    screen = user.text
    title, weekday, blank = calendar[0][1], calendar[1][0], calendar[2][0]
    closed = next(b for row in calendar[2:] for b in row if b["text"] == "—")
    assert blank["text"] == " "  # 30 November, before the month starts on a Tuesday

    for cell in (title, weekday, blank, closed):
        mark = len(telegram.calls)
        callback_id = await user.send_callback(cell["callback_data"])
        assert telegram.callback_answered(callback_id)
        assert _calls_since(telegram, mark) == ["answerCallbackQuery"], cell["text"]
    assert user.text == screen
    assert _answer_texts(telegram)[-1] == INERT_DAY  # the closed day says why, in a toast

    await user.press("⚡ Nearest free date")
    await user.press(times(user)[0])
    assert "Please check your booking:" in user.text
    summary = user.text
    for stray in ("ok", "bk", "cal:20261205", "foreign-bot:confirm"):
        mark = len(telegram.calls)
        callback_id = await user.send_callback(stray)
        assert telegram.callback_answered(callback_id)
        assert _calls_since(telegram, mark) == ["answerCallbackQuery"], stray
    assert user.text == summary and await visits_of(user) == []  # a bare "ok" is no Confirm

    await user.press("✅ Confirm")
    await user.press("📱 Share my phone number")
    assert "✅ You are booked!" in user.text
    assert telegram.errors == []


async def test_a_button_of_an_old_message_loses_its_keyboard_and_copies_nothing(
    frozen_clock, demo_salon, make_user, telegram
):
    user = make_user()
    await user.send_text("/start")
    old = user.last_message()
    _kind, contacts = user.find_button("📍 Contacts")
    await user.send_text("hello")  # the menu again, as a new message below the client's text
    current = user.last_message()
    assert current is not old and current.inline_keyboard
    old.inline_keyboard = old.inline_keyboard or [[contacts]]  # a keyboard Telegram kept showing

    mark = len(telegram.calls)
    callback_id = await user.send_callback(contacts["callback_data"], old)

    assert telegram.callback_answered(callback_id)
    assert sorted(_calls_since(telegram, mark)) == ["answerCallbackQuery", "editMessageReplyMarkup"]
    assert _answer_texts(telegram)[-1] == STALE_TOAST
    assert old.inline_keyboard is None  # no second live copy of the menu
    assert user.last_message() is current and "📍 Contacts" in user.buttons()
    assert telegram.errors == []


async def test_a_forged_button_on_the_current_message_changes_nothing(
    demo_salon, make_user, telegram, caplog
):
    user = make_user()
    await user.send_text("/start")
    await user.press("📅 Book")
    intent = user.find_button("◀ Back")[1]["callback_data"].split("\x1d")[0]
    screen = user.text

    mark = len(telegram.calls)
    with caplog.at_level(logging.WARNING):
        await user.send_callback(f"{intent}\x1dnope")

    assert _calls_since(telegram, mark) == ["answerCallbackQuery"]
    assert user.text == screen and "ignored" in caplog.text
    assert telegram.errors == []
