"""The client's menu and dialogs run only in private chats. In a group (the staff chat
included) /start, text and forged client buttons get nothing; the staff's own events (Confirm /
Decline under a notification, /today) keep working there."""

from __future__ import annotations

import pytest
import time_machine

from bot.local_session import SimMessage, SimulatedUser
from bot.notifications import BookAgain, VisitAction
from djproject.salon.models import Appointment
from tests.bot import test_staff
from tests.bot.flows import drain
from tests.bot.simulator import RecordingTelegram
from tests.bot.test_staff import BORIS, STAFF_CHAT, book_through_the_bot, status
from tests.moments import NOW

pytestmark = pytest.mark.django_db(transaction=True)

# The staff chat of tests/bot/test_staff.py: a salon that confirms bookings, and Olga in it.
confirming_salon = test_staff.confirming_salon
staff_member = test_staff.staff_member

CHAT_METHODS = {"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup", "deleteMessage"}


def calls_to(telegram: RecordingTelegram, chat_id: int) -> list[str]:
    """The Bot API methods that put or changed something in the chat."""
    return [
        c.method
        for c in telegram.calls
        if c.method in CHAT_METHODS and c.params.get("chat_id") == str(chat_id)
    ]


async def a_bot_message_in(bot, telegram: RecordingTelegram, chat_id: int) -> SimMessage:
    """Some earlier message of the bot in the group, for a forged button to hang under."""
    sent = await bot.send_message(chat_id, "An earlier message")
    return telegram.chat(chat_id).messages[sent.message_id]


async def test_start_and_text_in_a_group_get_no_client_menu(demo_salon, staff_member, telegram):
    for text in ("/start", "/cancel", "/help", "/start@salon_test_bot", "hello"):
        await staff_member.send_text(text)

    assert calls_to(telegram, STAFF_CHAT) == []


async def test_a_forged_client_button_in_a_group_gets_no_client_screen(
    demo_salon, make_user, staff_member, bot, telegram
):
    client = make_user()
    await client.send_text("/start")
    _kind, book = client.find_button("📅 Book")
    earlier = await a_bot_message_in(bot, telegram, STAFF_CHAT)
    before = calls_to(telegram, STAFF_CHAT)
    forged = [
        book["callback_data"],  # a real intent of the client's dialog
        "0123456789\x1d0",  # an intent nobody has
        "not a dialog button",
        VisitAction(action="cx", ref="0" * 32).pack(),  # a reminder's Cancel
        BookAgain().pack(),
    ]

    # The client's own account in the group, and a staff member: neither gets a client screen.
    in_group = SimulatedUser(client.dp, bot, telegram, client.user_id, chat_id=STAFF_CHAT)
    for user in (in_group, staff_member):
        for data in forged:
            callback_id = await user.send_callback(data, earlier)
            assert telegram.callback_answered(callback_id), data  # no spinner

    assert calls_to(telegram, STAFF_CHAT) == before
    assert not [c for c in telegram.calls_of("answerCallbackQuery") if c.params.get("text")]
    assert client.text.startswith("Welcome to Salon Aurora!")  # the private chat is untouched


async def test_the_staff_chat_confirm_button_and_today_still_work(
    confirming_salon, make_user, staff_member, dp, bot, telegram, sender
):
    visit = await book_through_the_bot(make_user())
    await drain(sender)
    assert [m.inline_keyboard[0][0]["text"] for m in telegram.sent_to(STAFF_CHAT)] == ["✅ Confirm"]

    callback_id = await staff_member.press("✅ Confirm")

    assert telegram.callback_answered(callback_id)
    assert telegram.calls_of("answerCallbackQuery")[-1].params["text"] == "Confirmed."
    assert staff_member.text.startswith("✅ Confirmed by Olga:")
    assert await status(visit) == Appointment.STATUS_CONFIRMED

    boris_in_the_group = SimulatedUser(dp, bot, telegram, BORIS, first_name="Boris", chat_id=STAFF_CHAT)
    with time_machine.travel(NOW, tick=True):
        await boris_in_the_group.send_text("/today")
    assert boris_in_the_group.text.startswith("Boris, you have no appointments today")
