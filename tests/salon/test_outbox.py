"""The outbox: messages commit with the booking change, and the claim protocol sends each row once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from django.db import connection

from booking.errors import SlotAlreadyBookedError
from djproject.salon import outbox, services, staff
from djproject.salon.models import Appointment, Client, Notification
from tests import factories as f
from tests.moments import NOW, WEDNESDAY

N = Notification
STAFF_CHAT = -100_123


pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def setup(salon):
    """Anna (on Telegram) does cuts on Wednesdays; the salon has a staff chat; Maria books."""
    f.site_settings(staff_chat_id=STAFF_CHAT, staff_language="de")
    cut = f.service(category=salon, name="Cut", duration=60)
    anna = f.master(
        name="Anna", categories=[salon], hours={2: ("09:00", "13:00")}, telegram_id=501, language="ru"
    )
    maria = f.client(name="Maria", language="de")
    return cut, anna, maria


def pending(**filters):
    return list(Notification.objects.filter(status=N.STATUS_PENDING, **filters).order_by("due_at", "pk"))


def test_a_booking_queues_the_salon_side_and_the_clients_reminders(setup):
    cut, anna, maria = setup

    visit = services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    now_rows = pending(kind=N.KIND_BOOKED)
    assert {(r.audience, r.chat_id, r.language) for r in now_rows} == {
        (N.AUDIENCE_MASTER, 501, "ru"),
        (N.AUDIENCE_STAFF, STAFF_CHAT, "de"),
    }
    assert all(r.booking_ref.hex == visit.ref and r.due_at == NOW for r in now_rows)
    reminders = pending(kind=N.KIND_REMINDER)
    assert [(r.chat_id, r.language, visit.starts_at - r.due_at) for r in reminders] == [
        (maria.telegram_id, "de", timedelta(hours=24)),
        (maria.telegram_id, "de", timedelta(hours=2)),
    ]


def test_a_refused_booking_queues_nothing(setup):
    cut, anna, maria = setup
    services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    before = Notification.objects.count()

    with pytest.raises(SlotAlreadyBookedError):
        services.book_visit(f.client().telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    assert Notification.objects.count() == before


def test_reminders_already_in_the_past_are_not_queued(setup, salon):
    cut, _, maria = setup
    today = f.master(categories=[salon], hours={NOW.weekday(): ("09:00", "18:00")})

    services.book_visit(maria.telegram_id, [cut.pk], today.pk, NOW.date(), "12:00")  # four hours ahead

    assert [r.due_at for r in pending(kind=N.KIND_REMINDER)] == [NOW + timedelta(hours=2)]


def test_cancelling_drops_the_reminders_and_tells_the_salon(setup):
    cut, anna, maria = setup
    visit = services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    services.cancel_visit(maria.telegram_id, visit.ref)

    assert pending(kind=N.KIND_REMINDER) == []
    cancelled = pending(kind=N.KIND_CANCELLED)
    assert {r.audience for r in cancelled} == {N.AUDIENCE_MASTER, N.AUDIENCE_STAFF}
    assert cancelled[0].payload["by"] == "client"


def test_a_reminder_for_a_cancelled_visit_is_never_sent(setup):
    cut, anna, maria = setup
    visit = services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    services.cancel_visit(maria.telegram_id, visit.ref)

    due = [m for m in outbox.claim_due(100, now=NOW + timedelta(days=3)) if m.kind == N.KIND_REMINDER]

    assert due == []


def test_rescheduling_moves_the_reminders_with_the_visit(setup):
    cut, anna, maria = setup
    visit = services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    moved = services.reschedule_visit(maria.telegram_id, visit.ref, WEDNESDAY, "12:00")

    assert [moved.starts_at - r.due_at for r in pending(kind=N.KIND_REMINDER)] == [
        timedelta(hours=24),
        timedelta(hours=2),
    ]
    [event] = [r for r in pending(kind=N.KIND_RESCHEDULED) if r.audience == N.AUDIENCE_MASTER]
    assert datetime.fromisoformat(event.payload["old_starts_at"]) == visit.starts_at


def test_claimed_rows_are_leased_and_come_back_only_after_the_lease(setup):
    cut, anna, maria = setup
    services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    first = outbox.claim_due(10)
    assert {m.audience for m in first} == {N.AUDIENCE_MASTER, N.AUDIENCE_STAFF}
    assert outbox.claim_due(10) == []  # leased
    again = outbox.claim_due(10, now=NOW + outbox.LEASE + timedelta(seconds=1))  # the sender died
    assert sorted(m.id for m in again) == sorted(m.id for m in first)
    assert {m.attempts for m in again} == {2}


def test_sent_rows_stay_sent(setup):
    cut, anna, maria = setup
    services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    for message in outbox.claim_due(10):
        outbox.mark_sent(message.id)

    assert outbox.claim_due(10, now=NOW + timedelta(hours=1)) == []
    assert Notification.objects.filter(status=N.STATUS_SENT).count() == 2


def test_retries_back_off_and_give_up_after_the_last_attempt(setup):
    cut, anna, maria = setup
    services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    [message] = [m for m in outbox.claim_due(10) if m.audience == N.AUDIENCE_MASTER]

    assert outbox.mark_retry(message.id, "network down", outbox.backoff_seconds(message.attempts)) is True
    assert [m for m in outbox.claim_due(10, now=NOW + timedelta(seconds=29)) if m.id == message.id] == []
    Notification.objects.filter(pk=message.id).update(attempts=outbox.MAX_ATTEMPTS)
    assert outbox.mark_retry(message.id, "still down", 30) is False
    assert Notification.objects.get(pk=message.id).status == N.STATUS_FAILED
    assert [outbox.backoff_seconds(n) for n in (1, 2, 3, 20)] == [30, 60, 120, 3600]


def test_a_client_who_blocked_the_bot_gets_nothing_more_until_they_return(setup):
    cut, anna, maria = setup
    f.booking_settings(requires_confirmation=True)
    visit = services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    staff.confirm_visit(visit.ref)  # a message to the client, due now
    [to_client] = [m for m in outbox.claim_due(10) if m.audience == N.AUDIENCE_CLIENT]

    dropped = outbox.mark_recipient_blocked(to_client.id, "Forbidden: bot was blocked by the user")

    assert dropped == 2  # both reminders
    assert Notification.objects.get(pk=to_client.id).status == N.STATUS_FAILED
    assert Client.objects.get(pk=maria.pk).bot_blocked_at == NOW
    other = services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "12:00")
    assert pending(chat_id=maria.telegram_id) == []
    services.ensure_client(maria.telegram_id)  # /start again
    services.cancel_visit(maria.telegram_id, other.ref)
    staff.confirm_visit(services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "12:00").ref)
    assert pending(chat_id=maria.telegram_id)


def test_confirm_and_decline_change_the_status_and_tell_the_client(setup):
    cut, anna, maria = setup
    f.booking_settings(requires_confirmation=True)
    first = services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    second = services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "12:00")
    assert first.status == Appointment.STATUS_PENDING

    confirmed = staff.confirm_visit(first.ref, actor=(501, 501))  # Anna, in her own chat
    declined = staff.decline_visit(second.ref, actor=(STAFF_CHAT, 777))  # anyone in the staff chat

    assert confirmed.status == Appointment.STATUS_CONFIRMED
    assert declined.status == Appointment.STATUS_CANCELLED
    to_client = pending(audience=N.AUDIENCE_CLIENT, kind__in=[N.KIND_CONFIRMED, N.KIND_DECLINED])
    assert [(r.kind, r.booking_ref.hex) for r in to_client] == [
        (N.KIND_CONFIRMED, first.ref),
        (N.KIND_DECLINED, second.ref),
    ]
    assert not pending(
        kind=N.KIND_REMINDER, booking_ref=Appointment.objects.get(status="cancelled").booking_ref
    )
    assert "12:00" in services.day_slots([cut.pk], anna.pk, WEDNESDAY)


def test_strangers_cannot_confirm_or_decline(setup):
    cut, anna, maria = setup
    visit = services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    with pytest.raises(staff.NotAllowedError):
        staff.decline_visit(visit.ref, actor=(maria.telegram_id, maria.telegram_id))
    assert Appointment.objects.get().status == Appointment.STATUS_CONFIRMED


def test_a_masters_day_lists_only_their_visits_in_salon_time(setup, salon):
    cut, anna, maria = setup
    services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    name, visits = staff.master_day(501, day=WEDNESDAY)

    assert name == "Anna"
    assert [(v.starts_at.strftime("%H:%M"), v.client_name, v.items[0].service_name) for v in visits] == [
        ("10:00", "Maria", "Cut")
    ]
    with pytest.raises(staff.NotAllowedError):
        staff.master_day(maria.telegram_id)


@pytest.mark.django_db(transaction=True)
def test_two_senders_claiming_at_once_send_each_row_exactly_once(salon):
    visit_refs = [
        f.appointment(master=f.master(), service=f.service(), start=NOW).booking_ref for _ in range(3)
    ]
    Notification.objects.bulk_create(
        Notification(
            kind=N.KIND_BOOKED,
            audience=N.AUDIENCE_STAFF,
            chat_id=n,
            booking_ref=visit_refs[n % 3],
            due_at=NOW,
        )
        for n in range(200)
    )
    sent: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def sender() -> None:
        try:
            barrier.wait()
            while batch := outbox.claim_due(7):
                for message in batch:
                    with lock:
                        sent.append(message.id)
                    outbox.mark_sent(message.id)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(sender), pool.submit(sender)]:
            future.result()

    assert len(sent) == 200 and len(set(sent)) == 200
    assert Notification.objects.filter(status=N.STATUS_SENT).count() == 200


def test_messages_to_a_client_follow_telegrams_language_until_they_pick_one(setup):
    cut, anna, _ = setup
    services.ensure_client(7001, name="Ivan", language_code="ru-RU")
    f.booking_settings(requires_confirmation=True)
    first = services.book_visit(7001, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    staff.confirm_visit(first.ref)
    services.set_client_language(7001, "de")
    second = services.book_visit(7001, [cut.pk], anna.pk, WEDNESDAY, "12:00")
    staff.confirm_visit(second.ref)

    languages = [r.language for r in pending(kind=N.KIND_CONFIRMED, chat_id=7001)]

    assert languages == ["ru", "de"]


def test_a_released_row_that_was_never_tried_keeps_its_attempts(setup):
    cut, anna, maria = setup
    services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    [message, *_] = outbox.claim_due(10)

    outbox.mark_retry(message.id, "not attempted: flood control", 5, tried=False)

    assert Notification.objects.get(pk=message.id).attempts == 0


def test_masters_hear_of_a_decline_they_did_not_make_themselves(setup):
    cut, anna, maria = setup
    f.booking_settings(requires_confirmation=True)
    by_staff = services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    by_anna = services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "12:00")

    staff.decline_visit(by_staff.ref, actor=(STAFF_CHAT, 777))
    staff.decline_visit(by_anna.ref, actor=(501, 501))

    told = [r.booking_ref.hex for r in pending(kind=N.KIND_CANCELLED, audience=N.AUDIENCE_MASTER)]
    assert told == [by_staff.ref]
