"""Masters in Telegram beyond /today, through the real dispatcher and the outbox sender:
/week, and "I'm off" (/off) from the master's request to the staff chat's decision."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from asgiref.sync import sync_to_async

from bot.local_session import SimulatedUser
from djproject.salon import services
from djproject.salon.models import Appointment, DayOff, Master, OffRequest, Service, TimeBlock
from tests import factories
from tests.bot import test_staff
from tests.bot.flows import drain
from tests.bot.test_staff import BORIS, STAFF_CHAT, last_answer
from tests.moments import NOW, local

pytestmark = pytest.mark.django_db(transaction=True)

# The staff side's fixtures: the clock on Tuesday 1 December, the demo salon with a staff chat,
# Olga in it, and the master Boris in his private chat.
on_tuesday = test_staff.on_tuesday
confirming_salon = test_staff.confirming_salon
staff_member = test_staff.staff_member
boris = test_staff.boris

THURSDAY = date(2026, 12, 3)
EVA, JONAS = 880_101, 880_102  # the clients' Telegram ids


def _boris_alone() -> Master:
    """Boris without the demo's visits and days off, so each test says what his days hold."""
    master = Master.objects.get(name="Boris")
    Appointment.objects.filter(master=master).delete()
    DayOff.objects.filter(master=master).delete()
    return master


def _boris_week() -> None:
    master = _boris_alone()
    cut = Service.objects.get(name="Men's haircut")
    colour = Service.objects.get(name="Colouring")
    eva = factories.client(name="Eva Schmidt", phone="+49 151 1")
    jonas = factories.client(name="Jonas Weber", phone="+49 151 3")
    day = NOW.date()
    factories.appointment(
        master=master, service=cut, client=eva, start=local(day, "10:00"), status=Appointment.STATUS_PENDING
    )
    factories.appointment(master=master, service=colour, client=jonas, start=local(THURSDAY, "15:30"))
    factories.appointment(
        master=master, service=cut, client=jonas, start=local(day + timedelta(days=6), "09:00")
    )
    factories.appointment(
        master=master, service=cut, client=eva, start=local(day + timedelta(days=7), "10:00")
    )
    anna = Master.objects.get(name="Anna")
    factories.appointment(master=anna, service=cut, client=jonas, start=local(day, "11:00"))


async def test_week_lists_the_masters_next_seven_days_grouped_by_day(
    on_tuesday, confirming_salon, boris, make_user
):
    await sync_to_async(_boris_week)()

    await boris.send_text("/week")

    assert boris.text.splitlines() == [
        "Boris, your appointments in the next 7 days:",
        "",
        "📅 Tuesday, December 1, 2026",
        "10:00–10:30 Men's haircut · Eva ⏳",
        "",
        "📅 Wednesday, December 2, 2026",
        "No appointments.",
        "",
        "📅 Thursday, December 3, 2026",
        "15:30–17:30 Colouring · Jonas",
        "",
        "📅 Friday, December 4, 2026",
        "No appointments.",
        "",
        "📅 Saturday, December 5, 2026",
        "No appointments.",
        "",
        "📅 Sunday, December 6, 2026",
        "No appointments.",
        "",
        "📅 Monday, December 7, 2026",
        "09:00–09:30 Men's haircut · Jonas",
    ]
    stranger = make_user()
    await stranger.send_text("/week")
    assert stranger.text == "This command is for the salon's masters."


# --- I'm off ---------------------------------------------------------------------------------------


def _boris_thursday() -> None:
    """Two visits of Boris on Thursday, of clients on Telegram (one speaks German)."""
    master = _boris_alone()
    cut = Service.objects.get(name="Men's haircut")
    colour = Service.objects.get(name="Colouring")
    eva = factories.client(name="Eva", phone="+49 151 1", telegram_id=EVA, language="en")
    jonas = factories.client(name="Jonas", phone="+49 151 3", telegram_id=JONAS, language="de")
    factories.appointment(master=master, service=cut, client=eva, start=local(THURSDAY, "10:00"))
    factories.appointment(
        master=master, service=colour, client=jonas, start=local(THURSDAY, "14:30"), status="pending"
    )


async def thursday_slots() -> list[str]:
    service = await sync_to_async(Service.objects.get)(name="Men's haircut")
    master = await sync_to_async(Master.objects.get)(name="Boris")
    return await sync_to_async(services.day_slots)([service.pk], master.pk, THURSDAY)


async def test_a_whole_day_off_approved_with_cancelling_tells_the_clients_and_frees_the_day(
    on_tuesday, confirming_salon, boris, staff_member, dp, bot, telegram, sender
):
    await sync_to_async(_boris_thursday)()
    assert await thursday_slots()

    await boris.send_text("/off")
    assert boris.text == "🏖 Time off: which day?"
    assert boris.buttons()[:3] == ["Tue 1 Dec", "Wed 2 Dec", "Thu 3 Dec"]
    assert len([b for b in boris.buttons() if b != "✖ Close"]) == 30
    await boris.press("Thu 3 Dec")
    assert boris.text == "🏖 Thursday, December 3, 2026: the whole day or part of it?"
    await boris.press("Whole day")
    assert boris.text.startswith("🏖 Thursday, December 3, 2026, the whole day.")
    await boris.send_text("Training in Leipzig")
    assert boris.text.startswith(
        "📨 Your request for Thursday, December 3, 2026, the whole day, has gone to the salon's staff."
    )

    await drain(sender)
    (request,) = telegram.sent_to(STAFF_CHAT)
    assert request.text.splitlines() == [
        "🏖 Boris asks for time off:",
        "Date: Thursday, December 3, 2026",
        "Time: the whole day",
        "Reason: Training in Leipzig",
        "",
        "Booked visits in that time: 2",
        "• 10:00–10:30 Men's haircut · Eva · +49 151 1",
        "• 14:30–16:30 Colouring · Jonas · +49 151 3",
    ]
    assert [row[0]["text"] for row in request.inline_keyboard] == [
        "✅ Approve, keep the visits",
        "✅ Approve, cancel the visits and tell the clients",
        "❌ Decline",
    ]
    assert not telegram.sent_to(EVA) and not telegram.sent_to(JONAS)  # nothing changes before

    callback_id = await staff_member.press("✅ Approve, cancel the visits and tell the clients", request)

    assert telegram.callback_answered(callback_id) and last_answer(telegram)["text"] == "Approved."
    assert request.inline_keyboard is None
    assert request.text.splitlines()[:3] == [
        "✅ Approved by Olga; the visits were cancelled and the clients told:",
        "🏖 Boris asks for time off:",
        "Date: Thursday, December 3, 2026",
    ]
    assert await sync_to_async(DayOff.objects.filter(master__name="Boris", date=THURSDAY).exists)()
    assert await thursday_slots() == []  # the bot offers nothing on the day off
    statuses = await sync_to_async(list)(
        Appointment.objects.filter(master__name="Boris", datetime_start__date=THURSDAY).values_list(
            "status", flat=True
        )
    )
    assert statuses == [Appointment.STATUS_CANCELLED] * 2

    await drain(sender)
    (to_eva,) = telegram.sent_to(EVA)
    (to_jonas,) = telegram.sent_to(JONAS)
    assert to_eva.text.startswith("❌ Sorry, the salon has had to cancel your visit on Thursday, December 3")
    assert to_jonas.text.startswith("❌ Leider musste der Salon Ihren Termin")  # in the client's language
    assert [b["text"] for row in to_eva.inline_keyboard for b in row] == ["🔁 Choose another time"]
    eva = SimulatedUser(dp, bot, telegram, EVA, first_name="Eva")
    await eva.press("🔁 Choose another time", to_eva)
    assert eva.text.startswith("Choose a master:")  # the same services, another master possible
    assert "Any master" in eva.buttons()
    to_boris = telegram.sent_to(BORIS)[-1]
    assert to_boris.text.splitlines() == [
        "✅ Your time off has been approved:",
        "Date: Thursday, December 3, 2026",
        "Time: the whole day",
        "Reason: Training in Leipzig",
        "Your visits in that time were cancelled and the clients told.",
    ]
    # Boris heard the outcome once, not once per cancelled visit.
    assert not any("Cancelled by the salon" in m.text for m in telegram.sent_to(BORIS))

    # A second tap on the old buttons changes nothing.
    ref = await sync_to_async(_last_request_ref)()
    await staff_member.send_callback(f"od:keep:{ref}:en", request)
    assert last_answer(telegram)["text"] == "This request has been decided already."


def _last_request_ref() -> str:
    return OffRequest.objects.latest("created").ref.hex


async def test_part_of_a_day_declined_only_by_the_staff_chat_and_told_in_the_masters_language(
    on_tuesday, confirming_salon, boris, staff_member, make_user, telegram, sender
):
    await sync_to_async(_boris_thursday)()
    await sync_to_async(Master.objects.filter(telegram_id=BORIS).update)(language="de")

    await boris.send_text("/off")
    await boris.press("Thu 3 Dec")
    await boris.press("Part of the day")
    assert boris.buttons()[0] == "07:00" and "21:00" in boris.buttons() and "22:00" not in boris.buttons()
    await boris.press("14:00")
    assert "15:00" in boris.buttons() and "14:00" not in boris.buttons()
    await boris.press("16:00")
    assert boris.text.startswith("🏖 Thursday, December 3, 2026, 14:00–16:00.")
    await boris.press("📨 Send without a reason")

    await drain(sender)
    (request,) = telegram.sent_to(STAFF_CHAT)
    assert request.text.splitlines()[2:] == [
        "Time: 14:00–16:00",
        "",
        "Booked visits in that time: 1",
        "• 14:30–16:30 Colouring · Jonas · +49 151 3",
    ]
    ref = await sync_to_async(_last_request_ref)()

    # Neither the master who asked (in his own chat) nor a stranger can decide it.
    await boris.send_callback(f"od:keep:{ref}:en")
    assert last_answer(telegram)["text"] == "Only the salon's staff can decide this, in the staff chat."
    stranger = make_user()
    await stranger.send_text("/start")
    await stranger.send_callback(f"od:cx:{ref}:en")
    assert last_answer(telegram)["show_alert"] == "true"
    assert (await sync_to_async(OffRequest.objects.get)(ref=ref)).status == OffRequest.STATUS_PENDING

    await staff_member.press("❌ Decline", request)

    assert request.text.startswith("❌ Declined by Olga:")
    assert (await sync_to_async(OffRequest.objects.get)(ref=ref)).status == OffRequest.STATUS_DECLINED
    assert not await sync_to_async(DayOff.objects.filter(master__name="Boris").exists)()
    await drain(sender)
    assert telegram.sent_to(BORIS)[-1].text.startswith("❌ Ihre Anfrage nach freier Zeit wurde abgelehnt:")
    assert not telegram.sent_to(JONAS)  # nothing happened to the visit


async def test_off_is_for_masters_and_a_day_without_visits_offers_plain_approve(
    on_tuesday, confirming_salon, boris, staff_member, make_user, telegram, sender
):
    stranger = make_user()
    await stranger.send_text("/off")
    assert stranger.text == "This command is for the salon's masters."

    await sync_to_async(_boris_alone)()
    await boris.send_text("/off")
    await boris.press("Wed 2 Dec")
    await boris.press("Whole day")
    await boris.press("📨 Send without a reason")
    await drain(sender)
    (request,) = telegram.sent_to(STAFF_CHAT)
    assert "No booked visits in that time." in request.text
    assert [row[0]["text"] for row in request.inline_keyboard] == ["✅ Approve", "❌ Decline"]

    await staff_member.press("✅ Approve", request)

    assert request.text.startswith("✅ Approved by Olga; the visits stay booked:")
    assert await sync_to_async(DayOff.objects.filter(master__name="Boris", date=date(2026, 12, 2)).exists)()
    await drain(sender)
    assert telegram.sent_to(BORIS)[-1].text.splitlines() == [
        "✅ Your time off has been approved:",
        "Date: Wednesday, December 2, 2026",
        "Time: the whole day",
    ]


async def test_part_of_a_day_approved_keeping_the_visits_blocks_those_hours_in_the_bot(
    on_tuesday, confirming_salon, boris, staff_member, telegram, sender
):
    await sync_to_async(_boris_thursday)()
    before = await thursday_slots()
    assert {"12:00", "13:00", "13:30"} <= set(before)

    await boris.send_text("/off")
    await boris.press("Thu 3 Dec")
    await boris.press("Part of the day")
    await boris.press("12:00")
    await boris.press("15:00")
    await boris.send_text("Dentist")
    await drain(sender)
    (request,) = telegram.sent_to(STAFF_CHAT)
    assert "• 14:30–16:30 Colouring · Jonas · +49 151 3" in request.text.splitlines()

    await staff_member.press("✅ Approve, keep the visits", request)

    assert request.text.startswith("✅ Approved by Olga; the visits stay booked:")
    block = await sync_to_async(TimeBlock.objects.get)(master__name="Boris", date=THURSDAY)
    assert (f"{block.start_time:%H:%M}", f"{block.end_time:%H:%M}", block.reason) == (
        "12:00",
        "15:00",
        "Dentist",
    )
    after = await thursday_slots()
    assert after and not {"12:00", "13:00", "13:30", "14:00"} & set(after)
    assert "11:00" in after and "17:00" in after  # the rest of the day stays bookable
    statuses = await sync_to_async(list)(
        Appointment.objects.filter(master__name="Boris", datetime_start__date=THURSDAY).values_list(
            "status", flat=True
        )
    )
    assert Appointment.STATUS_CANCELLED not in statuses
    await drain(sender)
    assert not telegram.sent_to(JONAS)
    assert telegram.sent_to(BORIS)[-1].text.splitlines() == [
        "✅ Your time off has been approved:",
        "Date: Thursday, December 3, 2026",
        "Time: 12:00–15:00",
        "Reason: Dentist",
        "Your visits in that time stay booked; the salon will take care of them.",
    ]
