"""A database error inside a client's write (deadlock, serialization failure, lost connection)
is retried once where that is safe, with nothing of the failed attempt left behind; a second
failure reaches the caller (the bot answers "please try again")."""

from collections import Counter

import psycopg
import pytest
from django.db import OperationalError, connection

from djproject.salon import outbox, services
from djproject.salon.models import Appointment, Notification
from tests import factories as f
from tests.moments import WEDNESDAY, local

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def cut(salon):
    f.site_settings(staff_chat_id=-100)
    f.master(categories=[salon], hours={WEDNESDAY.weekday(): ("09:00", "18:00")}, telegram_id=501)
    return f.service(category=salon, duration=60)


@pytest.fixture
def telegram_id(salon) -> int:
    return f.client().telegram_id


def failing(monkeypatch, module, name: str, times: int, error: Exception | None = None) -> list[int]:
    """Make ``module.name`` raise a database error on its first ``times`` calls; counts calls."""
    real = getattr(module, name)
    calls: list[int] = []

    def step(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise error or OperationalError("deadlock detected")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, step)
    return calls


def assert_no_duplicate_messages() -> None:
    """Each message of the outbox exists once: the failed attempt left none behind."""
    rows = Notification.objects.values_list("kind", "audience", "chat_id", "due_at", "status")
    duplicated = [key for key, n in Counter(rows).items() if n > 1]
    assert not duplicated, duplicated


def test_a_booking_with_a_key_is_retried_once_and_made_once(cut, telegram_id, monkeypatch):
    calls = failing(monkeypatch, outbox, "schedule_reminders", times=1)

    visit = services.book_visit(telegram_id, [cut.pk], None, WEDNESDAY, "10:00", idempotency_key="k")

    assert len(calls) == 2
    assert Appointment.objects.get().booking_ref.hex == visit.ref
    assert set(Notification.objects.values_list("booking_ref", flat=True)) == {
        Appointment.objects.get().booking_ref
    }
    assert Notification.objects.filter(kind=Notification.KIND_BOOKED).count() == 2  # master + staff chat
    assert_no_duplicate_messages()


def test_a_second_failure_reaches_the_caller_and_nothing_is_booked(cut, telegram_id, monkeypatch):
    calls = failing(monkeypatch, outbox, "schedule_reminders", times=2)

    with pytest.raises(OperationalError):
        services.book_visit(telegram_id, [cut.pk], None, WEDNESDAY, "10:00", idempotency_key="k")

    assert len(calls) == 2
    assert not Appointment.objects.exists() and not Notification.objects.exists()


def test_a_booking_without_a_key_is_not_repeated(cut, telegram_id, monkeypatch):
    """Without a key a lost COMMIT reply could book twice: the error goes to the caller."""
    calls = failing(monkeypatch, outbox, "schedule_reminders", times=1)

    with pytest.raises(OperationalError):
        services.book_visit(telegram_id, [cut.pk], None, WEDNESDAY, "10:00")

    assert len(calls) == 1
    assert not Appointment.objects.exists() and not Notification.objects.exists()


def test_a_reschedule_is_retried_once_and_moves_the_visit_once(cut, telegram_id, monkeypatch):
    visit = services.book_visit(telegram_id, [cut.pk], None, WEDNESDAY, "10:00")
    calls = failing(monkeypatch, outbox, "schedule_reminders", times=1)

    moved = services.reschedule_visit(telegram_id, visit.ref, WEDNESDAY, "15:00")

    assert len(calls) == 2
    assert moved.starts_at == local(WEDNESDAY, "15:00")
    assert Appointment.objects.get().datetime_start == local(WEDNESDAY, "15:00")
    assert Notification.objects.filter(kind=Notification.KIND_RESCHEDULED).count() == 2
    assert_no_duplicate_messages()


def test_a_cancel_is_retried_once_and_told_once(cut, telegram_id, monkeypatch):
    visit = services.book_visit(telegram_id, [cut.pk], None, WEDNESDAY, "10:00")
    calls = failing(monkeypatch, outbox, "enqueue_visit_event", times=1)

    cancelled = services.cancel_visit(telegram_id, visit.ref)

    assert len(calls) == 2
    assert cancelled.status == Appointment.STATUS_CANCELLED
    assert Notification.objects.filter(kind=Notification.KIND_CANCELLED).count() == 2
    assert_no_duplicate_messages()


@pytest.mark.postgres
def test_a_connection_killed_mid_booking_is_replaced_and_the_booking_made_once(cut, telegram_id, monkeypatch):
    """The server ends our session in the middle of the transaction (a restart, a proxy that
    drops it): the retry runs on a new connection."""
    real = outbox.schedule_reminders
    killed: list[int] = []

    def kill_our_session_then_go_on(rows, **kwargs):
        if not killed:
            killed.append(connection.connection.info.backend_pid)
            db = connection.settings_dict
            dsn = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
            with psycopg.connect(dsn, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [killed[0]])
        return real(rows, **kwargs)

    monkeypatch.setattr(outbox, "schedule_reminders", kill_our_session_then_go_on)

    visit = services.book_visit(telegram_id, [cut.pk], None, WEDNESDAY, "10:00", idempotency_key="k")

    assert killed and connection.connection.info.backend_pid != killed[0]
    assert Appointment.objects.get().booking_ref.hex == visit.ref
    assert_no_duplicate_messages()
