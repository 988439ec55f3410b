"""The busy-interval cache is read, is invalidated by every write after commit, and a dead
Redis costs a warning, never a booking; a month costs the same few queries for any salon."""

import json
import logging
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import selectors
from booking.adapters.cache import busy_key
from djproject.salon import services
from djproject.salon.booking import get_adapter
from djproject.salon.models import Appointment
from tests import factories as f
from tests.moments import WEDNESDAY, local

WED = WEDNESDAY.weekday()


pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def cut(salon):
    return f.service(category=salon, name="Cut", duration=60)


@pytest.fixture
def anna(salon):
    return f.master(name="Anna", categories=[salon], hours=dict.fromkeys(range(6), ("09:00", "13:00")))


def appointment_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if 'FROM "salon_appointment"' in q["sql"]]


def test_busy_intervals_are_cached_and_really_read(cut, anna):
    with CaptureQueriesContext(connection) as cold:
        first = services.month_availability([cut.pk], anna.pk, 2026, 12)
    with CaptureQueriesContext(connection) as warm:
        second = services.month_availability([cut.pk], anna.pk, 2026, 12)

    assert len(appointment_queries(cold.captured_queries)) == 1
    assert appointment_queries(warm.captured_queries) == []
    assert first == second


def test_a_booking_invalidates_the_cached_day_only_after_commit(
    cut, anna, django_capture_on_commit_callbacks
):
    assert services.day_slots([cut.pk], anna.pk, WEDNESDAY)[0] == "09:00"  # now cached

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.book_visit(f.client().telegram_id, [cut.pk], anna.pk, WEDNESDAY, "09:00")
    assert cache.get(busy_key(anna.pk, WEDNESDAY.isoformat())) == []  # untouched before commit

    for callback in callbacks:
        callback()
    assert services.day_slots([cut.pk], anna.pk, WEDNESDAY)[0] == "10:00"


@pytest.mark.parametrize("change", ["move", "cancel", "delete", "other_master"])
def test_any_write_to_an_appointment_invalidates_after_commit(
    salon, cut, anna, change, django_capture_on_commit_callbacks
):
    boris = f.master(name="Boris", categories=[salon], hours={WED: ("09:00", "13:00")})
    appt = f.appointment(master=anna, service=cut, start=local(WEDNESDAY, "09:00"))
    assert services.day_slots([cut.pk], anna.pk, WEDNESDAY)[0] == "10:00"  # cached with the appointment
    assert services.day_slots([cut.pk], boris.pk, WEDNESDAY)[0] == "09:00"

    with django_capture_on_commit_callbacks(execute=True):
        if change == "move":
            appt.datetime_start = local(WEDNESDAY, "12:00")
            appt.save()
        elif change == "cancel":
            appt.status = Appointment.STATUS_CANCELLED
            appt.save()
        elif change == "delete":
            appt.delete()
        else:
            appt.master = boris
            appt.save()

    assert services.day_slots([cut.pk], anna.pk, WEDNESDAY)[0] == "09:00"
    if change == "other_master":
        assert services.day_slots([cut.pk], boris.pk, WEDNESDAY)[0] == "10:00"


@pytest.mark.redis
def test_busy_intervals_are_stored_in_redis_as_json(redis_cache, cut, anna):
    f.appointment(master=anna, service=cut, start=local(WEDNESDAY, "09:00"))

    services.day_slots([cut.pk], anna.pk, WEDNESDAY)

    raw = redis_cache.get(cache.make_key(busy_key(anna.pk, WEDNESDAY.isoformat())))
    [[appointment_id, start, end, gap, seat]] = json.loads(raw)
    assert end - start == 60 and gap == 0 and seat == 0
    assert appointment_id == Appointment.objects.get().pk


def test_booking_works_with_redis_down_and_logs_a_warning(
    dead_redis_cache, cut, anna, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        assert services.day_slots([cut.pk], anna.pk, WEDNESDAY)[0] == "09:00"
        services.book_visit(f.client().telegram_id, [cut.pk], anna.pk, WEDNESDAY, "09:00")
        assert services.day_slots([cut.pk], anna.pk, WEDNESDAY)[0] == "10:00"

    assert Appointment.objects.count() == 1
    assert "Busy-interval cache unreadable" in caplog.text
    assert "Could not invalidate busy intervals" in caplog.text


def build_salon_of(size: int, salon) -> list[int]:
    """``size`` masters, each with a week of hours and two appointments; returns service ids."""
    svc = f.service(category=salon, duration=60)
    for n in range(size):
        m = f.master(categories=[salon], hours=dict.fromkeys(range(6), ("09:00", "18:00", "13:00", "14:00")))
        f.day_off(m, WEDNESDAY + timedelta(days=n % 20))
        for day in (WEDNESDAY, WEDNESDAY + timedelta(days=7)):
            f.appointment(master=m, service=svc, start=local(day, "10:00"))
    return [svc.pk]


@pytest.mark.parametrize("size", [4, 40])
def test_a_month_costs_the_same_few_queries_for_4_and_40_masters(
    salon, size, settings, django_assert_max_num_queries
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    service_ids = build_salon_of(size, salon)

    with django_assert_max_num_queries(10) as captured:
        month = selectors.get_month_availability(get_adapter(), service_ids, 2026, 12)

    assert month[WEDNESDAY].status == "available"
    assert len(captured.captured_queries) == 9  # one of them the time blocks
