"""My bookings: cancel, the cutoff, reschedule, and forged visit references."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from djproject.salon import services
from djproject.salon.models import Appointment, Master, Service
from tests import factories
from tests.bot.flows import times, visits_of
from tests.moments import salon_today

pytestmark = pytest.mark.django_db(transaction=True)


def _book_later(telegram_id: int, service_name: str, master_name: str) -> services.Visit:
    """A visit two or more days ahead (outside the cancellation cutoff), booked through the
    salon services as the bot would."""
    services.ensure_client(telegram_id)
    services.set_client_phone(telegram_id, "+49 151 5550000")
    service = Service.objects.get(name=service_name)
    master = Master.objects.get(name=master_name)
    day = salon_today() + timedelta(days=2)
    while not (slots := services.day_slots([service.pk], master.pk, day)):
        day += timedelta(days=1)
    return services.book_visit(telegram_id, [service.pk], master.pk, day, slots[0])


async def book_later(user, service: str = "Blow-dry", master: str = "Anna") -> services.Visit:
    return await sync_to_async(_book_later)(user.user_id, service, master)


async def open_first_visit(user) -> None:
    await user.send_text("/start")
    await user.press("🗂 My bookings")
    await user.press(user.buttons()[0])


async def test_my_bookings_lists_upcoming_visits_and_cancels_one(demo_salon, make_user):
    user = make_user()
    visit = await book_later(user)
    await user.send_text("/start")
    await user.press("🗂 My bookings")
    assert "Your upcoming visits:" in user.text
    assert any("Blow-dry" in label for label in user.buttons())
    await user.press(user.buttons()[0])
    assert f"at {visit.starts_at:%H:%M}" in user.text
    await user.press("❌ Cancel visit")
    assert user.text.startswith("Cancel your visit on")
    await user.press("Yes, cancel it")
    assert "has been cancelled" in user.text
    assert await visits_of(user) == []
    await user.press("🗂 My bookings")
    assert "You have no upcoming visits." in user.text


def _visit_in(minutes: int, telegram_id: int) -> str:
    client = factories.client(telegram_id=telegram_id, phone="+49 1")
    master = Master.objects.get(name="Anna")
    service = Service.objects.get(name="Blow-dry")
    appointment = factories.appointment(
        master=master,
        service=service,
        client=client,
        start=timezone.now() + timedelta(minutes=minutes),
        source=Appointment.SOURCE_TELEGRAM,
    )
    return appointment.booking_ref.hex


async def test_cancelling_inside_the_cutoff_is_refused_politely_with_the_salon_phone(demo_salon, make_user):
    user = make_user()
    await sync_to_async(_visit_in)(30, user.user_id)
    await open_first_visit(user)
    await user.press("❌ Cancel visit")
    assert "too close to change online" in user.text
    assert "Salon Aurora: +49 345 000000" in user.text
    assert len(await visits_of(user)) == 1
    await user.press("◀ Back")
    assert "Your upcoming visits:" in user.text


async def test_rescheduling_inside_the_cutoff_is_refused_too(demo_salon, make_user):
    user = make_user()
    await sync_to_async(_visit_in)(30, user.user_id)
    await open_first_visit(user)
    await user.press("🔁 Reschedule")
    assert "too close to change online" in user.text


async def test_reschedule_keeps_services_and_master_and_moves_the_time(demo_salon, make_user):
    user = make_user()
    old = await book_later(user, "Women's haircut")
    await open_first_visit(user)
    await user.press("🔁 Reschedule")
    assert "Rescheduling your visit on" in user.text
    await user.press("⚡ Nearest free date")
    new_time = next(t for t in times(user) if t != f"{old.starts_at:%H:%M}")
    await user.press(new_time)
    assert "Move your visit from" in user.text and "Master: Anna" in user.text
    # The old visit stays booked until the new time is confirmed.
    (still,) = await visits_of(user)
    assert still.starts_at == old.starts_at
    await user.press("✅ Confirm")
    assert "✅ Your visit has been moved." in user.text
    (moved,) = await visits_of(user)
    assert f"{moved.starts_at:%H:%M}" == new_time
    assert moved.items[0].service_name == "Women's haircut" and moved.items[0].master_name == "Anna"
    assert user.documents()[-1].document["file_name"] == "visit.ics"


async def test_back_from_reschedule_returns_to_the_visit(demo_salon, make_user):
    user = make_user()
    await book_later(user)
    await open_first_visit(user)
    await user.press("🔁 Reschedule")
    await user.press("◀ Back")
    assert "❌ Cancel visit" in user.buttons()


async def test_a_forged_visit_reference_never_touches_another_clients_booking(demo_salon, make_user):
    owner, intruder = make_user(), make_user()
    visit = await book_later(owner)
    await intruder.send_text("/start")
    await intruder.press("🗂 My bookings")
    # The intruder forges the visit button: same widget, the owner's visit reference.
    own_callback = intruder.find_button("◀ Back")[1]["callback_data"]
    forged = own_callback.replace("bk", f"vis:{visit.ref}")
    callback_id = await intruder.send_callback(forged)
    assert intruder.telegram.callback_answered(callback_id)
    assert "This visit is not in your upcoming bookings." in intruder.text
    assert "❌ Cancel visit" not in intruder.buttons()
    assert [v.ref for v in await visits_of(owner)] == [visit.ref]


async def test_a_visit_cancelled_elsewhere_during_a_reschedule_ends_politely(demo_salon, make_user):
    user = make_user()
    visit = await book_later(user)
    await open_first_visit(user)
    await user.press("🔁 Reschedule")
    await sync_to_async(services.cancel_visit)(user.user_id, visit.ref)  # e.g. by phone, via staff

    callback_id = await user.press("⚡ Nearest free date")

    assert user.telegram.callback_answered(callback_id)
    assert "This visit is not in your upcoming bookings." in user.text
    assert "📅 Book" in user.buttons()
