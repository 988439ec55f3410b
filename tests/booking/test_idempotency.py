"""A Confirm that arrives twice (double tap, a retry after a crash, a lost COMMIT reply) books once.

The key travels from the dialog into ``book_visit``; it is stored on the visit's first
appointment (unique), checked under the master locks, and a race past that check ends at the
unique constraint with the visit already booked returned.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from djproject.salon import services
from djproject.salon.models import Appointment
from tests import factories as f
from tests.moments import WEDNESDAY

pytestmark = pytest.mark.usefixtures("frozen_clock")

HOURS = {WEDNESDAY.weekday(): ("09:00", "13:00")}


@pytest.mark.django_db
def test_the_same_key_twice_books_one_visit_and_returns_it_again(salon):
    cut = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours=HOURS)
    f.master(categories=[salon], hours=HOURS)
    client = f.client().telegram_id

    first = services.book_visit(client, [cut.pk], None, WEDNESDAY, "10:00", idempotency_key="k-1")
    second = services.book_visit(client, [cut.pk], None, WEDNESDAY, "10:00", idempotency_key="k-1")

    assert second == first
    assert Appointment.objects.count() == 1
    assert Appointment.objects.get().idempotency_key == "k-1"


@pytest.mark.django_db
def test_a_replayed_key_returns_the_visit_whatever_became_of_it(salon):
    cut = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours=HOURS)
    client = f.client().telegram_id
    booked = services.book_visit(client, [cut.pk], None, WEDNESDAY, "10:00", idempotency_key="k-2")
    services.cancel_visit(client, booked.ref)

    replay = services.book_visit(client, [cut.pk], None, WEDNESDAY, "10:00", idempotency_key="k-2")

    assert replay.ref == booked.ref
    assert replay.status == Appointment.STATUS_CANCELLED
    assert Appointment.objects.count() == 1


@pytest.mark.django_db
def test_different_keys_book_different_visits(salon):
    cut = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours=HOURS)
    client = f.client().telegram_id

    one = services.book_visit(client, [cut.pk], None, WEDNESDAY, "10:00", idempotency_key="a")
    two = services.book_visit(client, [cut.pk], None, WEDNESDAY, "11:00", idempotency_key="b")

    assert one.ref != two.ref
    assert Appointment.objects.count() == 2


@pytest.mark.django_db
def test_a_multi_service_visit_keeps_the_key_on_its_first_item_only(salon):
    cut = f.service(category=salon, duration=60)
    colour = f.service(category=salon, duration=30)
    f.master(categories=[salon], hours=HOURS)
    client = f.client().telegram_id

    first = services.book_visit(client, [cut.pk, colour.pk], None, WEDNESDAY, "10:00", idempotency_key="m")
    second = services.book_visit(client, [cut.pk, colour.pk], None, WEDNESDAY, "10:00", idempotency_key="m")

    assert second == first
    rows = list(Appointment.objects.order_by("datetime_start"))
    assert [r.idempotency_key for r in rows] == ["m", None]
    assert len({r.booking_ref for r in rows}) == 1


@pytest.mark.django_db
def test_another_clients_key_is_not_handed_out(salon):
    cut = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours=HOURS)
    services.book_visit(f.client().telegram_id, [cut.pk], None, WEDNESDAY, "10:00", idempotency_key="x")

    with pytest.raises(services.IdempotencyKeyReusedError):
        services.book_visit(f.client().telegram_id, [cut.pk], None, WEDNESDAY, "11:00", idempotency_key="x")
    assert Appointment.objects.count() == 1


def _race(attempt, count: int) -> list[object]:
    """``attempt(i)`` in ``count`` threads released together, each on its own connection."""
    barrier = threading.Barrier(count)

    def run(i: int) -> object:
        try:
            barrier.wait()
            return attempt(i)
        except Exception as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("threads", [2, 4])
def test_racing_confirms_with_one_key_book_one_visit_with_any_master(salon, threads):
    cut = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours=HOURS)
    f.master(categories=[salon], hours=HOURS)
    client = f.client().telegram_id

    outcomes = _race(
        lambda i: services.book_visit(client, [cut.pk], None, WEDNESDAY, "10:00", idempotency_key="race"),
        threads,
    )

    assert all(isinstance(o, services.Visit) for o in outcomes), outcomes
    assert len({o.ref for o in outcomes}) == 1
    assert Appointment.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racers_past_the_key_check_end_at_the_unique_key_with_the_visit_returned(salon, monkeypatch):
    """Without the locks both racers pass the check and book (Anna and Boris, or the same slot
    twice); the key's unique constraint (or the exclusion constraint) stops the second, and it
    returns the first one's visit."""
    cut = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours=HOURS)
    f.master(categories=[salon], hours=HOURS)
    client = f.client().telegram_id
    # No master or client locks; both look for the key, then both go on to book.
    monkeypatch.setattr(
        "booking.adapters.availability.DjangoAvailabilityAdapter.lock_masters", lambda self, ids: None
    )
    both_checked = threading.Barrier(2, timeout=10)
    first_attempt = threading.local()

    def check_without_locks_then_wait(guard):
        found = services._replay_of(guard.client, guard.idempotency_key)
        # Only the first attempt of each racer meets the other at the barrier: when the two
        # inserts deadlock, PostgreSQL aborts one and ``book_visit`` retries it alone (the
        # retry then finds the winner's visit by its key, or ends at the constraint).
        if not getattr(first_attempt, "done", False):
            first_attempt.done = True
            both_checked.wait()
        return found

    monkeypatch.setattr(services._ClientGuard, "under_lock", check_without_locks_then_wait)

    outcomes = _race(
        lambda i: services.book_visit(client, [cut.pk], None, WEDNESDAY, "10:00", idempotency_key="past"), 2
    )

    assert all(isinstance(o, services.Visit) for o in outcomes), outcomes
    assert outcomes[0].ref == outcomes[1].ref
    assert Appointment.objects.count() == 1
