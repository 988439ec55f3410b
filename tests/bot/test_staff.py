"""The staff side through the real dispatcher: Confirm / Decline in the staff chat and the
master's chat, /today, and the buttons of a client's reminder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from asgiref.sync import sync_to_async

from bot.local_session import SimulatedUser
from djproject.salon import services
from djproject.salon.models import Appointment, Client, Master, Service
from tests import factories
from tests.bot.flows import drain, give_phone, times, to_times_of_a_later_day, visits_of
from tests.bot.test_my_bookings import book_later
from tests.moments import NOW, local

pytestmark = pytest.mark.django_db(transaction=True)

STAFF_CHAT = -100_555
BORIS = 880_001  # the master's Telegram id


@pytest.fixture
def confirming_salon(demo_salon: None) -> None:
    """The demo salon confirms bookings itself; it has a staff chat, and Boris is on Telegram."""
    factories.site_settings(staff_chat_id=STAFF_CHAT, staff_language="en")
    factories.booking_settings(requires_confirmation=True)
    boris = Master.objects.get(name="Boris")
    boris.telegram_id, boris.language = BORIS, "en"
    boris.save()


@pytest.fixture
def staff_member(dp, bot, telegram) -> SimulatedUser:
    """Olga, writing in the staff chat (a group)."""
    return SimulatedUser(dp, bot, telegram, 990_001, first_name="Olga", chat_id=STAFF_CHAT)


@pytest.fixture
def boris(dp, bot, telegram) -> SimulatedUser:
    """The master Boris in his private chat with the bot."""
    return SimulatedUser(dp, bot, telegram, BORIS, first_name="Boris")


async def book_through_the_bot(user: SimulatedUser) -> services.Visit:
    """A men's haircut with Boris on a later day, booked by tapping; returns the new visit."""
    await give_phone(user)
    before = {v.ref for v in await visits_of(user)}
    await to_times_of_a_later_day(user, ("Hair", "Men's haircut"), master="Boris")
    await user.press(times(user)[0])
    await user.press("✅ Confirm")
    (visit,) = [v for v in await visits_of(user) if v.ref not in before]
    return visit


def last_answer(telegram: Any) -> dict[str, Any]:
    return telegram.calls_of("answerCallbackQuery")[-1].params


async def status(visit: services.Visit) -> str:
    described = await sync_to_async(services.describe_visit)(visit.ref)
    return described.status


async def test_staff_confirm_a_pending_booking_and_the_client_hears_it(
    confirming_salon, make_user, staff_member, boris, telegram, sender
):
    client = make_user()
    visit = await book_through_the_bot(client)
    assert "Your booking request is in" in client.text and "You are booked" not in client.text
    assert visit.status == Appointment.STATUS_PENDING

    await drain(sender)

    (to_staff,) = telegram.sent_to(STAFF_CHAT)
    (to_master,) = telegram.sent_to(BORIS)
    for message in (to_staff, to_master):
        assert message.text.startswith("🆕 New booking — please confirm or decline:")
        assert "• Men's haircut · Boris" in message.text
        assert f"Time: {visit.starts_at:%H:%M}" in message.text
        # The phone as stored: E.164, whatever the client typed or shared.
        assert "Client: Anna" in message.text and "Phone: +491515550000" in message.text
        assert [b["text"] for b in message.inline_keyboard[0]] == ["✅ Confirm", "❌ Decline"]

    callback_id = await staff_member.press("✅ Confirm")

    assert telegram.callback_answered(callback_id) and last_answer(telegram)["text"] == "Confirmed."
    assert to_staff.text.startswith("✅ Confirmed by Olga:") and to_staff.inline_keyboard is None
    assert await status(visit) == Appointment.STATUS_CONFIRMED
    await drain(sender)
    assert client.text.startswith("✅ The salon has confirmed your visit:")
    assert f"Time: {visit.starts_at:%H:%M}" in client.text

    # Boris's copy is out of date: his Decline changes nothing and loses its buttons.
    await boris.press("❌ Decline", to_master)
    assert last_answer(telegram) == {
        "callback_query_id": boris.last_callback_id,
        "text": "This booking is no longer pending.",
        "show_alert": "true",  # a form field, as aiogram posts it
    }
    assert to_master.inline_keyboard is None
    assert await status(visit) == Appointment.STATUS_CONFIRMED


async def test_a_declined_booking_frees_the_time_and_the_client_is_offered_another(
    confirming_salon, make_user, boris, telegram, sender
):
    client = make_user()
    visit = await book_through_the_bot(client)
    await drain(sender)

    await boris.press("❌ Decline")  # the master, in his own chat

    assert boris.text.startswith("❌ Declined by Boris:")
    assert await status(visit) == Appointment.STATUS_CANCELLED
    service = await sync_to_async(Service.objects.get)(name="Men's haircut")
    free = await sync_to_async(services.day_slots)([service.pk], visit.master_ids[0], visit.starts_at.date())
    assert f"{visit.starts_at:%H:%M}" in free
    await drain(sender)
    assert client.text.startswith("😔 Sorry, the salon cannot take your booking on")
    await client.press("📅 Book another time")
    assert "What would you like to book?" in client.text


async def test_a_stranger_pressing_confirm_gets_an_alert_and_nothing_changes(
    confirming_salon, make_user, telegram, sender
):
    client, stranger = make_user(), make_user()
    visit = await book_through_the_bot(client)
    await stranger.send_text("/start")

    callback_id = await stranger.send_callback(f"sd:ok:{visit.ref}:en")  # forged, in their own chat

    assert telegram.callback_answered(callback_id)
    assert last_answer(telegram)["text"] == "Only the salon's staff can do this."
    assert last_answer(telegram)["show_alert"] == "true"
    assert await status(visit) == Appointment.STATUS_PENDING
    await drain(sender)
    assert not client.text.startswith("✅ The salon has confirmed")


# --- /today ----------------------------------------------------------------------------------------


@pytest.fixture
def on_tuesday() -> Iterator[None]:
    """The clock at ``NOW`` (ticking) from before the demo salon is seeded.

    /today's expectations are written for Tuesday 1 December; had the demo been seeded on the
    real (or pretended) day, its visits would land on that Tuesday when today is 30 November.
    List it before the salon fixtures.
    """
    with time_machine.travel(NOW, tick=True):
        yield


def _boris_day() -> None:
    boris = Master.objects.get(name="Boris")
    anna = Master.objects.get(name="Anna")
    cut = Service.objects.get(name="Men's haircut")
    colour = Service.objects.get(name="Colouring")
    jonas = factories.client(name="Jonas", phone="+49 151 3")
    day = NOW.date()
    factories.appointment(master=boris, service=colour, client=jonas, start=local(day, "15:30"))
    factories.appointment(
        master=boris,
        service=cut,
        client=factories.client(name="Eva", phone=""),
        start=local(day, "10:00"),
        status=Appointment.STATUS_PENDING,
    )
    factories.appointment(
        master=boris, service=cut, client=jonas, start=local(day + timedelta(days=1), "10:00")
    )
    factories.appointment(master=anna, service=cut, client=jonas, start=local(day, "11:00"))


async def test_today_lists_a_masters_visits_of_today_in_salon_time(
    on_tuesday, confirming_salon, boris, make_user
):
    await sync_to_async(_boris_day)()

    await boris.send_text("/today")

    assert boris.text.splitlines() == [
        "Boris, your appointments today (Tuesday, December 1, 2026):",
        "",
        "10:00–10:30 Men's haircut",
        "Client: Eva",
        "⏳ Waiting for confirmation",
        "",
        "15:30–17:30 Colouring",
        "Client: Jonas · +49 151 3",
    ]
    stranger = make_user()
    await stranger.send_text("/today")
    assert stranger.text == "This command is for the salon's masters."


async def test_today_with_nothing_booked_says_so(on_tuesday, confirming_salon, boris):
    await boris.send_text("/today")
    assert boris.text == "Boris, you have no appointments today (Tuesday, December 1, 2026)."


# --- the buttons of a reminder ------------------------------------------------------------------------


async def remind(sender, visit: services.Visit) -> None:
    """Run the sender at the 24-hour reminder of the visit."""
    with time_machine.travel(visit.starts_at - timedelta(hours=24) + timedelta(minutes=1)):
        await drain(sender)


async def test_cancel_on_a_reminder_asks_and_cancels_the_visit(demo_salon, make_user, telegram, sender):
    client = make_user()
    visit = await book_later(client)
    await remind(sender, visit)
    reminder = telegram.sent_to(client.user_id)[-1]
    assert reminder.text.startswith("⏰ A reminder of your visit to Salon Aurora:")

    await client.press("❌ Cancel visit", reminder)
    assert client.text.startswith("Cancel your visit on") and f"at {visit.starts_at:%H:%M}?" in client.text
    assert reminder.inline_keyboard is None  # used: the reminder keeps its text only
    await client.press("Yes, cancel it")

    assert "has been cancelled" in client.text
    assert await visits_of(client) == []
    await client.press("🗂 My bookings")
    assert "You have no upcoming visits." in client.text


async def test_reschedule_on_a_reminder_opens_the_reschedule_flow(demo_salon, make_user, telegram, sender):
    client = make_user()
    visit = await book_later(client, "Women's haircut")
    await remind(sender, visit)

    await client.press("🔁 Reschedule", telegram.sent_to(client.user_id)[-1])

    assert client.text.startswith("Rescheduling your visit on")
    await client.press("⚡ Nearest free date")
    new_time = next(t for t in times(client) if t != f"{visit.starts_at:%H:%M}")
    await client.press(new_time)
    await client.press("✅ Confirm")
    assert "✅ Your visit has been moved." in client.text
    (moved,) = await visits_of(client)
    assert f"{moved.starts_at:%H:%M}" == new_time


async def test_back_from_a_reschedule_started_on_a_reminder_shows_the_visit(
    demo_salon, make_user, telegram, sender
):
    client = make_user()
    visit = await book_later(client)
    await remind(sender, visit)
    await client.press("🔁 Reschedule", telegram.sent_to(client.user_id)[-1])
    await client.press("◀ Back")
    assert f"at {visit.starts_at:%H:%M}:" in client.text and "❌ Cancel visit" in client.buttons()


async def test_a_reminder_button_of_a_visit_cancelled_meanwhile_explains(
    demo_salon, make_user, telegram, sender
):
    client = make_user()
    visit = await book_later(client)
    await remind(sender, visit)
    await sync_to_async(services.cancel_visit)(client.user_id, visit.ref)

    await client.press("🔁 Reschedule", telegram.sent_to(client.user_id)[-1])

    assert "This visit is not in your upcoming bookings." in client.text
    assert "📅 Book" in client.buttons()


async def test_a_reminder_button_inside_the_cutoff_gives_the_salons_phone(demo_salon, make_user):
    client = make_user()
    visit = await book_later(client)
    await client.send_text("/start")

    with time_machine.travel(visit.starts_at - timedelta(minutes=60)):  # cutoff: 120 minutes
        await client.send_callback(f"va:cx:{visit.ref}")

    assert "too close to change online" in client.text and "+49 345 000000" in client.text
    assert len(await visits_of(client)) == 1


async def test_client_commands_do_nothing_in_the_staff_group_and_staff_are_not_clients(
    confirming_salon, staff_member, telegram
):
    sent_before = len(telegram.calls_of("sendMessage"))

    await staff_member.send_text("/start")

    assert len(telegram.calls_of("sendMessage")) == sent_before
    clients = await sync_to_async(list)(
        Client.objects.filter(telegram_id=staff_member.user_id).values_list("pk", flat=True)
    )
    assert clients == []
