"""One client, one place at a time, and at most ``max_active_visits_per_client`` upcoming visits.

Both rules are checked in the service layer under the same locks as the slot (masters, then the
client row), so racing bookings of one client serialise on the client even with different
masters.
"""

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations

import pytest
from django.db import connection

from booking.errors import ClientOverlapError, SlotAlreadyBookedError, VisitLimitReachedError
from djproject.salon import services
from djproject.salon.models import Appointment, BookingSettings, Master
from tests import factories as f
from tests.moments import WEDNESDAY, local

pytestmark = pytest.mark.usefixtures("frozen_clock")

THURSDAY = WEDNESDAY.replace(day=3)
HOURS = {WEDNESDAY.weekday(): ("09:00", "18:00"), THURSDAY.weekday(): ("09:00", "18:00")}


@pytest.fixture
def masters(salon) -> list[Master]:
    return [f.master(categories=[salon], hours=HOURS) for _ in range(4)]


@pytest.fixture
def cut(salon, masters):
    return f.service(category=salon, duration=60)


def limit(n: int) -> None:
    settings = BookingSettings.load()
    settings.max_active_visits_per_client = n
    settings.save()


def active_of(telegram_id: int) -> list[Appointment]:
    return list(
        Appointment.objects.filter(client__telegram_id=telegram_id, status__in=Appointment.ACTIVE_STATUSES)
    )


@pytest.mark.django_db
def test_the_visit_beyond_the_limit_is_refused_and_a_cancelled_one_frees_a_place(cut):
    limit(2)
    me = f.client().telegram_id
    first = services.book_visit(me, [cut.pk], None, WEDNESDAY, "10:00")
    services.book_visit(me, [cut.pk], None, WEDNESDAY, "12:00")

    with pytest.raises(VisitLimitReachedError) as refused:
        services.book_visit(me, [cut.pk], None, WEDNESDAY, "14:00")
    assert refused.value.limit == 2
    assert len(active_of(me)) == 2

    services.cancel_visit(me, first.ref)
    services.book_visit(me, [cut.pk], None, WEDNESDAY, "14:00")
    assert len(active_of(me)) == 2


@pytest.mark.django_db
def test_a_multi_service_visit_counts_once(cut, salon):
    limit(2)
    me = f.client().telegram_id
    colour = f.service(category=salon, duration=30)
    services.book_visit(me, [cut.pk, colour.pk], None, WEDNESDAY, "10:00")

    services.book_visit(me, [cut.pk], None, WEDNESDAY, "14:00")

    assert len(active_of(me)) == 3


@pytest.mark.django_db
def test_zero_means_no_limit_and_other_clients_do_not_count(cut):
    limit(0)
    me = f.client().telegram_id
    services.book_visit(f.client().telegram_id, [cut.pk], None, WEDNESDAY, "09:00")
    for hhmm in ("10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"):
        services.book_visit(me, [cut.pk], None, WEDNESDAY, hhmm)

    assert len(active_of(me)) == 7


@pytest.mark.django_db
def test_visits_that_are_over_do_not_count(cut, masters):
    limit(1)
    me = f.client()
    earlier_today = f.appointment(
        master=masters[0], service=cut, start=local(WEDNESDAY.replace(day=1), "06:00"), client=me
    )
    assert earlier_today.is_active  # nobody closed it, but it is over

    services.book_visit(me.telegram_id, [cut.pk], None, WEDNESDAY, "10:00")

    assert len(active_of(me.telegram_id)) == 2


@pytest.mark.django_db
def test_a_replayed_confirm_at_the_limit_still_returns_its_visit(cut):
    limit(1)
    me = f.client().telegram_id
    booked = services.book_visit(me, [cut.pk], None, WEDNESDAY, "10:00", idempotency_key="once")

    assert services.book_visit(me, [cut.pk], None, WEDNESDAY, "10:00", idempotency_key="once") == booked


@pytest.mark.django_db
def test_the_same_client_at_two_masters_at_once_is_refused(cut):
    me = f.client().telegram_id
    services.book_visit(me, [cut.pk], None, WEDNESDAY, "10:00")

    with pytest.raises(ClientOverlapError) as refused:
        services.book_visit(me, [cut.pk], None, WEDNESDAY, "10:30")
    assert refused.value.starts_at == local(WEDNESDAY, "10:00")
    assert refused.value.ends_at == local(WEDNESDAY, "11:00")
    services.book_visit(me, [cut.pk], None, WEDNESDAY, "11:00")  # back to back is fine
    services.book_visit(f.client().telegram_id, [cut.pk], None, WEDNESDAY, "10:30")  # others may
    assert len(active_of(me)) == 2


@pytest.mark.django_db
def test_a_visit_cannot_be_moved_onto_another_own_visit_but_may_overlap_its_old_self(cut, masters):
    me = f.client().telegram_id
    moving = services.book_visit(me, [cut.pk], masters[0].pk, WEDNESDAY, "10:00")
    services.book_visit(me, [cut.pk], masters[1].pk, WEDNESDAY, "13:00")

    with pytest.raises(ClientOverlapError):
        services.reschedule_visit(me, moving.ref, WEDNESDAY, "12:30")
    assert services.reschedule_visit(me, moving.ref, WEDNESDAY, "10:30").starts_at == local(
        WEDNESDAY, "10:30"
    )
    assert services.reschedule_visit(me, moving.ref, WEDNESDAY, "12:00").starts_at == local(
        WEDNESDAY, "12:00"
    )


def race_one_client(telegram_id: int, service_id: int, moments: list[tuple]) -> list[str]:
    """Each (master id or None, day, "HH:MM") booked by ``telegram_id`` in a thread of its own,
    released together."""
    barrier = threading.Barrier(len(moments))

    def attempt(i: int) -> str:
        try:
            barrier.wait()
            master_id, day, hhmm = moments[i]
            services.book_visit(telegram_id, [service_id], master_id, day, hhmm)
            return "booked"
        except (VisitLimitReachedError, ClientOverlapError, SlotAlreadyBookedError) as error:
            return type(error).__name__
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(moments)) as pool:
        return list(pool.map(attempt, range(len(moments))))


def assert_no_overlap(rows: list[Appointment]) -> None:
    for a, b in combinations(rows, 2):
        assert a.datetime_end <= b.datetime_start or b.datetime_end <= a.datetime_start, (a, b)


RACERS = 16


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_bookings_of_one_client_stop_at_the_limit(cut, masters):
    """16 free, non-overlapping times (two days), each racer at another master than its
    neighbours (so only the client's row serialises them), the default limit of 5."""
    me = f.client().telegram_id
    moments = [
        (masters[hour % 4].pk, day, f"{hour:02}:00") for day in (WEDNESDAY, THURSDAY) for hour in range(9, 17)
    ]

    outcomes = race_one_client(me, cut.pk, moments[:RACERS])

    assert outcomes.count("booked") == len(active_of(me)) == 5
    assert outcomes.count("VisitLimitReachedError") == RACERS - 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_bookings_of_one_client_never_overlap(cut, masters):
    """Without a limit, 16 racers on overlapping times, four at each master: one place at a time."""
    limit(0)
    me = f.client().telegram_id
    times = random.Random(3).choices(["10:00", "10:30", "11:00", "11:30", "12:00", "14:00"], k=RACERS)

    outcomes = race_one_client(me, cut.pk, [(masters[i % 4].pk, WEDNESDAY, t) for i, t in enumerate(times)])

    booked = active_of(me)
    assert len(booked) == outcomes.count("booked") >= 2
    assert outcomes.count("ClientOverlapError") + outcomes.count("SlotAlreadyBookedError") == RACERS - len(
        booked
    )
    assert_no_overlap(booked)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_racing_bookings_of_one_client_keep_both_rules(cut):
    """Overlapping and separate times on two days, the default limit: both rules hold."""
    me = f.client().telegram_id
    times = random.Random(5).choices(
        ["10:00", "10:30", "11:00", "12:00", "12:30", "14:00", "16:00"], k=RACERS
    )
    moments = [(None, WEDNESDAY if i % 3 else THURSDAY, t) for i, t in enumerate(times)]

    outcomes = race_one_client(me, cut.pk, moments)

    booked = active_of(me)
    assert len(booked) == outcomes.count("booked") <= BookingSettings.load().max_active_visits_per_client
    assert "SlotAlreadyBookedError" not in outcomes  # four masters: never short of a place
    assert_no_overlap(booked)
