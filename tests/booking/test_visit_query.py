"""``booking.VisitQuery``: one frozen value for "which visit is asked for", built once at the
edge and passed through the selectors and services; the seed's keywords still work."""

import dataclasses
from datetime import date

import pytest

from booking import VisitQuery, selectors
from booking.engine import BookingMode
from booking.services import create_booking
from djproject.salon.models import Appointment
from tests import factories as f
from tests.moments import WEDNESDAY, local

WED = WEDNESDAY.weekday()


def test_a_visit_query_is_frozen_and_hashable():
    query = VisitQuery(service_ids=(1, 2), master_ids=(7, None))

    with pytest.raises(dataclasses.FrozenInstanceError):
        query.overlap_allowed = True  # type: ignore[misc]
    assert hash(query) == hash(VisitQuery(service_ids=[1, 2], master_ids=[7, None]))
    assert query.mode is BookingMode.SINGLE_DAY


def test_the_seeds_keywords_become_one_query():
    query = VisitQuery.from_options(
        [5, 6],
        master_selections={"0": "10", "1": "any"},
        exclude_appointment_ids=[3, 1],
        parallel_groups={6: "g"},
    )

    assert query == VisitQuery(
        service_ids=(5, 6), master_ids=(10, None), exclude_appointment_ids=(1, 3), parallel_groups=((6, "g"),)
    )
    assert VisitQuery.from_options([5, 6], locked_master_id=4).master_ids == (4, 4)
    assert VisitQuery.from_options([5, 6], master_selections={6: 9}).master_ids == (None, 9)
    assert VisitQuery.any_master([5]).master_for(0) is None
    assert VisitQuery.any_master([5, 6], 4) == VisitQuery(service_ids=(5, 6), master_ids=(4, 4))


def test_unknown_keywords_are_refused():
    with pytest.raises(TypeError):
        VisitQuery.from_options([5], locked_master=4)


def test_selectors_take_a_query_or_the_seeds_keywords_alike(salon, adapter):
    svc = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours={WED: ("09:00", "10:00")})
    late = f.master(categories=[salon], hours={WED: ("15:00", "16:00")})
    query = VisitQuery(service_ids=(svc.pk,), master_ids=(late.pk,))

    by_query = selectors.get_available_slots(adapter, query, WEDNESDAY, cache_ttl=0)
    by_keywords = selectors.get_available_slots(
        adapter, [svc.pk], WEDNESDAY, cache_ttl=0, locked_master_id=late.pk
    )

    assert by_query.get_unique_start_times() == by_keywords.get_unique_start_times() == ["15:00"]
    month = selectors.get_month_availability(adapter, query, 2026, 12, cache_ttl=0)
    assert month[WEDNESDAY].free_starts == 1
    assert selectors.get_nearest_slots(adapter, query, date(2026, 12, 1)).booking_date == WEDNESDAY


def test_excluded_appointments_of_the_query_count_as_free(salon, adapter):
    svc = f.service(category=salon, duration=60)
    m = f.master(categories=[salon], hours={WED: ("09:00", "10:00")})
    taken = f.appointment(master=m, service=svc, start=local(WEDNESDAY, "09:00"))

    assert (
        selectors.get_available_slots(
            adapter, VisitQuery.any_master([svc.pk]), WEDNESDAY, cache_ttl=0
        ).solutions
        == []
    )
    moved = VisitQuery(service_ids=(svc.pk,), exclude_appointment_ids=(taken.pk,))
    assert selectors.get_available_slots(adapter, moved, WEDNESDAY, cache_ttl=0).get_unique_start_times() == [
        "09:00"
    ]


def test_create_booking_takes_the_visit_as_one_query(salon, adapter, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    svc = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours={WED: ("09:00", "10:00")})
    late = f.master(categories=[salon], hours={WED: ("09:00", "10:00")})
    client = f.client()

    created = create_booking(
        adapter,
        adapter.busy.cache,
        Appointment,
        visit=VisitQuery(service_ids=(svc.pk,), master_ids=(late.pk,)),
        target_date=WEDNESDAY,
        selected_time="09:00",
        client=client,
    )

    assert created.master_id == late.pk
