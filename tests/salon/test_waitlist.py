"""The waitlist core: freed time is offered after commit to the clients waiting for it, never
inside the minimum notice, and entries expire when their days pass."""

from datetime import timedelta

import pytest
import time_machine

from djproject.salon import services, staff, waitlist
from djproject.salon.models import Notification, WaitlistEntry
from tests import factories as f
from tests.moments import NOW, WEDNESDAY

N = Notification

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def full_wednesday(salon):
    """Anna does one-hour cuts on Wednesdays 09:00-13:00, and all four hours are booked."""
    cut = f.service(category=salon, name="Cut", duration=60)
    anna = f.master(name="Anna", categories=[salon], hours={2: ("09:00", "13:00")})
    visits = []
    for hour in ("09:00", "10:00", "11:00", "12:00"):
        someone = f.client()
        visits.append(services.book_visit(someone.telegram_id, [cut.pk], anna.pk, WEDNESDAY, hour))
    return cut, anna, visits


def offers(**filters):
    return list(N.objects.filter(kind=N.KIND_WAITLIST, **filters).order_by("pk"))


def test_a_cancellation_queues_an_offer_for_the_waiting_client_once_committed(
    full_wednesday, django_capture_on_commit_callbacks
):
    cut, _anna, visits = full_wednesday
    maria = f.client(name="Maria", language="de")
    entry = waitlist.join(maria.telegram_id, [cut.pk], None, WEDNESDAY, WEDNESDAY)
    assert waitlist.offer(WaitlistEntry.objects.get().ref.hex, WEDNESDAY).slots == ()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        staff.cancel_visit_by_staff(visits[1].ref)
    assert offers() == []  # nothing before the commit (W1)
    for callback in callbacks:
        callback()

    [row] = offers()
    assert (row.chat_id, row.language, row.audience, row.payload) == (
        maria.telegram_id,
        "de",
        N.AUDIENCE_CLIENT,
        {"day": WEDNESDAY.isoformat()},
    )
    stored = WaitlistEntry.objects.get(pk=entry.id)
    assert row.booking_ref == stored.ref and stored.notified == NOW
    assert waitlist.offer(stored.ref.hex, WEDNESDAY).slots == ("10:00",)


def test_a_second_freed_time_of_the_day_adds_no_second_unsent_offer(
    full_wednesday, django_capture_on_commit_callbacks
):
    cut, anna, visits = full_wednesday
    maria = f.client()
    waitlist.join(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, WEDNESDAY)

    with django_capture_on_commit_callbacks(execute=True):
        staff.cancel_visit_by_staff(visits[0].ref)
    with django_capture_on_commit_callbacks(execute=True):
        staff.cancel_visit_by_staff(visits[3].ref)

    assert len(offers()) == 1  # its times are read when it is sent: both hours


def test_time_inside_the_minimum_notice_is_never_offered(salon, django_capture_on_commit_callbacks):
    f.booking_settings(min_advance_minutes=120)  # now 08:00: nothing before 10:00 today
    cut = f.service(category=salon, duration=60)
    anna = f.master(categories=[salon], hours={NOW.weekday(): ("09:00", "11:00")})
    early = services.book_visit(f.client().telegram_id, [cut.pk], anna.pk, NOW.date(), "10:00")
    visit = staff.confirm_visit(early.ref)
    f.appointment(master=anna, service=cut, start=NOW + timedelta(hours=1))  # 09:00
    maria = f.client()
    waitlist.join(maria.telegram_id, [cut.pk], None, NOW.date(), NOW.date())

    with django_capture_on_commit_callbacks(execute=True):
        for appointment in anna.appointments.filter(datetime_start__lt=visit.starts_at):
            appointment.status = appointment.STATUS_CANCELLED
            appointment.save()  # 09:00 freed: inside the two hours' notice

    assert offers() == []


def test_a_day_off_taken_back_offers_the_day(salon, django_capture_on_commit_callbacks):
    cut = f.service(category=salon, duration=60)
    anna = f.master(categories=[salon], hours={2: ("09:00", "13:00")})
    off = f.day_off(anna, WEDNESDAY)
    maria = f.client()
    waitlist.join(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, WEDNESDAY + timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        off.delete()

    [row] = offers()
    assert row.payload == {"day": WEDNESDAY.isoformat()}


def test_an_entry_expires_when_its_days_pass(full_wednesday, django_capture_on_commit_callbacks):
    cut, _anna, visits = full_wednesday
    maria = f.client()
    waitlist.join(maria.telegram_id, [cut.pk], None, WEDNESDAY, WEDNESDAY)
    assert len(waitlist.entries_of(maria.telegram_id)) == 1

    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        assert waitlist.entries_of(maria.telegram_id) == []
        with django_capture_on_commit_callbacks(execute=True):
            staff.cancel_visit_by_staff(visits[2].ref)

    assert WaitlistEntry.objects.get().expired == NOW + timedelta(days=2)
    assert offers() == []


def test_joining_twice_for_the_same_visit_makes_one_entry_with_the_new_days(full_wednesday):
    cut, _anna, _visits = full_wednesday
    maria = f.client()
    waitlist.join(maria.telegram_id, [cut.pk], None, WEDNESDAY, WEDNESDAY)
    info = waitlist.join(maria.telegram_id, [cut.pk], None, WEDNESDAY, WEDNESDAY + timedelta(days=3))

    assert WaitlistEntry.objects.count() == 1
    assert (info.date_from, info.date_to, info.service_names, info.master_name) == (
        WEDNESDAY,
        WEDNESDAY + timedelta(days=3),
        ("Cut",),
        "",
    )
    with pytest.raises(waitlist.WaitlistError):
        waitlist.join(maria.telegram_id, [cut.pk], None, NOW.date() - timedelta(days=1), WEDNESDAY)


def test_a_tapped_time_books_with_a_key_of_the_entry_and_slot_and_removes_the_entry(
    full_wednesday, django_capture_on_commit_callbacks
):
    cut, anna, visits = full_wednesday
    maria, olga = f.client(), f.client()
    entry = waitlist.join(maria.telegram_id, [cut.pk], None, WEDNESDAY, WEDNESDAY)
    other = waitlist.join(olga.telegram_id, [cut.pk], anna.pk, WEDNESDAY, WEDNESDAY)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_visit(_owner(visits[2].ref), visits[2].ref)

    choice = waitlist.choose(maria.telegram_id, entry.id, WEDNESDAY, "11:00")
    ref = WaitlistEntry.objects.get(pk=entry.id).ref.hex
    assert choice.idempotency_key == f"wl-{ref}-20261202-1100"
    assert (choice.service_ids, choice.master_id, choice.time) == ((cut.pk,), None, "11:00")
    services.book_visit(
        maria.telegram_id,
        list(choice.service_ids),
        choice.master_id,
        choice.day,
        choice.time,
        idempotency_key=choice.idempotency_key,
        waitlist_entry_id=choice.entry_id,
    )

    assert not WaitlistEntry.objects.filter(pk=entry.id).exists()
    with pytest.raises(waitlist.WaitlistSlotGoneError) as gone:
        waitlist.choose(olga.telegram_id, other.id, WEDNESDAY, "11:00")
    assert gone.value.offer.slots == ()
    assert WaitlistEntry.objects.filter(pk=other.id).exists()  # Olga stays on the list


def _owner(ref: str) -> int:
    from djproject.salon.models import Appointment

    return Appointment.objects.filter(booking_ref=ref).values_list("client__telegram_id", flat=True)[0]
