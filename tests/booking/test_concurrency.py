"""Clients racing for the same time, each on a connection of their own, never double-book.

Runs on whichever database the suite uses: PostgreSQL (row locks + exclusion constraint) in CI,
SQLite (BEGIN IMMEDIATE) in embedded mode.
"""

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations

import pytest
from django.db import connection

from booking.errors import SlotAlreadyBookedError
from djproject.salon import services
from djproject.salon.booking import get_adapter
from djproject.salon.models import Appointment
from tests import factories as f
from tests.moments import WEDNESDAY

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen_clock")]

THREADS = 16


def race(attempt, count: int = THREADS) -> list[str]:
    """Run ``attempt(i)`` in ``count`` threads released together; each thread its own connection."""
    barrier = threading.Barrier(count)

    def run(i: int) -> str:
        try:
            barrier.wait()
            attempt(i)
            return "booked"
        except SlotAlreadyBookedError:
            return "taken"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_sixteen_clients_booking_the_same_slot_get_exactly_one_appointment(salon):
    cut = f.service(category=salon, duration=60)
    anna = f.master(categories=[salon], hours={WEDNESDAY.weekday(): ("09:00", "13:00")})
    clients = [f.client().telegram_id for _ in range(THREADS)]

    outcomes = race(lambda i: services.book_visit(clients[i], [cut.pk], anna.pk, WEDNESDAY, "10:00"))

    assert sorted(outcomes) == ["booked"] + ["taken"] * (THREADS - 1)
    assert Appointment.objects.count() == 1


def test_overlapping_different_slots_never_give_two_overlapping_appointments(salon):
    cut = f.service(category=salon, duration=60)
    anna = f.master(categories=[salon], hours={WEDNESDAY.weekday(): ("09:00", "13:00")})
    clients = [f.client().telegram_id for _ in range(THREADS)]
    choices = random.Random(7).choices(["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"], k=THREADS)

    outcomes = race(lambda i: services.book_visit(clients[i], [cut.pk], anna.pk, WEDNESDAY, choices[i]))

    booked = list(Appointment.objects.filter(status__in=Appointment.ACTIVE_STATUSES))
    assert len(booked) == outcomes.count("booked") >= 2
    for a, b in combinations(booked, 2):
        assert a.datetime_end <= b.datetime_start or b.datetime_end <= a.datetime_start


def test_any_master_racers_fill_each_master_once(salon):
    cut = f.service(category=salon, duration=60)
    masters = [
        f.master(categories=[salon], hours={WEDNESDAY.weekday(): ("09:00", "13:00")}) for _ in range(3)
    ]
    clients = [f.client().telegram_id for _ in range(THREADS)]

    outcomes = race(lambda i: services.book_visit(clients[i], [cut.pk], None, WEDNESDAY, "10:00"))

    assert outcomes.count("booked") == 3
    assert sorted(Appointment.objects.values_list("master_id", flat=True)) == sorted(m.pk for m in masters)


def test_racing_reschedules_into_one_slot_leave_exactly_one_there(salon):
    cut = f.service(category=salon, duration=60)
    anna = f.master(categories=[salon], hours={WEDNESDAY.weekday(): ("09:00", "18:00")})
    visits = []
    for n in range(4):
        client = f.client().telegram_id
        visits.append((client, services.book_visit(client, [cut.pk], anna.pk, WEDNESDAY, f"{13 + n}:00").ref))

    outcomes = race(lambda i: services.reschedule_visit(*visits[i], WEDNESDAY, "10:00"), count=4)

    assert outcomes.count("booked") == 1
    starts = sorted(a.datetime_start for a in Appointment.objects.all())
    assert len(starts) == 4 and len(set(starts)) == 4


@pytest.mark.postgres
def test_the_exclusion_constraint_catches_a_race_the_locks_missed(salon, monkeypatch):
    cut = f.service(category=salon, duration=60)
    anna = f.master(categories=[salon], hours={WEDNESDAY.weekday(): ("09:00", "13:00")})
    stale = get_adapter().build_masters_availability([anna.pk], WEDNESDAY)  # before the booking
    services.book_visit(f.client().telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    # Simulate a writer that slipped past the revalidation (say, an admin edit mid-flight).
    monkeypatch.setattr(
        "booking.adapters.availability.DjangoAvailabilityAdapter.build_masters_availability",
        lambda self, *args, **kwargs: stale,
    )

    with pytest.raises(SlotAlreadyBookedError, match="just taken"):
        services.book_visit(f.client().telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    assert Appointment.objects.count() == 1
