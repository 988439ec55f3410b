"""A booking that went through is never reported as failed, and never made twice: failures
after the commit, a double tap of Confirm, a Confirm again after a crash right after the commit."""

from __future__ import annotations

import logging

import pytest

from bot.local_session import SimulatedUser
from tests.bot.flows import give_phone, times, to_times, visits_of

pytestmark = pytest.mark.django_db(transaction=True)

OOPS = "Sorry, something went wrong"


def said(user: SimulatedUser) -> str:
    return "\n".join(message.text or message.caption or "" for message in user.bot_messages())


async def at_summary(user: SimulatedUser, master: str) -> None:
    await give_phone(user)
    await to_times(user, ("Hair", "Blow-dry"), master=master)
    await user.press(times(user)[0])
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
