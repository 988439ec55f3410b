"""Time blocks (issue 12, item 2): the adapter subtracts a master's or the salon's part-day
absence like an appointment, weekly ones on every later same weekday, without going stale in
the busy-interval cache and without a query per day or master."""

from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import selectors
from booking.adapters.availability import DjangoAvailabilityAdapter
from booking.validation import Conflict, check_placement
from djproject.salon import services
from djproject.salon.bench_month import build_salon, month_view
from djproject.salon.booking import get_adapter
from djproject.salon.models import (
    Appointment,
    BookingSettings,
    DayOff,
    Master,
    Service,
    SiteSettings,
    TimeBlock,
    WorkingDay,
)
from tests import factories as f
from tests.moments import NOW, WEDNESDAY, local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

WED = WEDNESDAY.weekday()
NEXT_WED, TUESDAY_AFTER = date(2026, 12, 9), date(2026, 12, 8)


@pytest.fixture
def anna(salon) -> Master:
    return f.master(name="Anna", categories=[salon], hours=dict.fromkeys(range(5), ("09:00", "13:00")))


@pytest.fixture
def cut(salon) -> Service:
    return f.service(category=salon, duration=60)


def test_a_weekly_block_removes_its_slots_from_the_bot_on_every_later_week(anna, cut):
    TimeBlock.objects.create(master=anna, date=WEDNESDAY, start_time=time(10), end_time=time(11), weekly=True)

    expected = ["09:00", "11:00", "11:30", "12:00"]
    assert services.day_slots([cut.pk], anna.pk, WEDNESDAY) == expected
    assert services.day_slots([cut.pk], anna.pk, NEXT_WED) == expected
    assert "10:00" in services.day_slots([cut.pk], anna.pk, TUESDAY_AFTER)  # other weekdays are free


def test_a_weekly_block_ends_on_its_last_day(anna, cut):
    TimeBlock.objects.create(
        master=anna,
        date=WEDNESDAY,
        start_time=time(9),
        end_time=time(13),
        weekly=True,
        repeat_until=WEDNESDAY,
    )

    assert services.day_slots([cut.pk], anna.pk, WEDNESDAY) == []
    assert services.day_slots([cut.pk], anna.pk, NEXT_WED)[0] == "09:00"


def test_a_whole_day_block_closes_the_day_in_the_month_view(anna, cut):
    TimeBlock.objects.create(master=anna, date=NEXT_WED, start_time=time(9), end_time=time(13))

    month = services.month_availability([cut.pk], anna.pk, 2026, 12)

    assert not month[NEXT_WED].bookable
    assert month[WEDNESDAY].bookable


def test_a_salon_wide_block_takes_every_masters_time(anna, cut, salon):
    bea = f.master(name="Bea", categories=[salon], hours={WED: ("09:00", "13:00")})
    TimeBlock.objects.create(master=None, date=WEDNESDAY, start_time=time(9), end_time=time(12))

    assert services.day_slots([cut.pk], bea.pk, WEDNESDAY) == ["12:00"]
    assert services.day_slots([cut.pk], None, WEDNESDAY) == ["12:00"]


def test_no_buffer_is_added_around_a_block(anna, cut):
    BookingSettings.objects.update(default_buffer_between_minutes=30)
    TimeBlock.objects.create(master=anna, date=WEDNESDAY, start_time=time(10), end_time=time(11))

    assert services.day_slots([cut.pk], anna.pk, WEDNESDAY) == ["09:00", "11:00", "11:30", "12:00"]


def test_a_cached_day_sees_a_new_block_and_a_removed_one_at_once(anna, cut, redis_cache):
    adapter = get_adapter()

    def slots() -> list[str]:
        query = services.visit_query([cut.pk], anna.pk)
        return selectors.get_available_slots(
            get_adapter(), query, WEDNESDAY, cache_ttl=300
        ).get_unique_start_times()

    assert "10:00" in slots()  # the busy intervals are cached now
    block = TimeBlock.objects.create(master=anna, date=WEDNESDAY, start_time=time(10), end_time=time(11))
    assert "10:00" not in slots()
    block.delete()
    assert "10:00" in slots()
    assert adapter.busy.cache.get_busy(str(anna.pk), WEDNESDAY.isoformat()) is not None


def test_check_placement_names_the_block(anna, cut):
    TimeBlock.objects.create(master=anna, date=WEDNESDAY, start_time=time(10), end_time=time(11))

    placement = check_placement(
        get_adapter(), master_id=anna.pk, start=local(WEDNESDAY, "10:30"), duration_minutes=60
    )

    assert placement.conflicts == (Conflict.BLOCKED,)


def test_month_view_queries_stay_constant_with_blocks():
    counts = []
    for masters in (2, 12):
        salon = build_salon(masters=masters)
        for master in salon.masters:
            TimeBlock.objects.create(
                master=master, date=date(2026, 12, 2), start_time=time(10), end_time=time(11), weekly=True
            )
        TimeBlock.objects.create(master=None, date=date(2026, 12, 3), start_time=time(12), end_time=time(13))
        with CaptureQueriesContext(connection) as cold:
            month_view(salon.sequence)
        counts.append(len(cold.captured_queries))

    assert counts[0] == counts[1]


def test_the_adapter_works_without_a_block_model(anna, cut):
    TimeBlock.objects.create(master=anna, date=WEDNESDAY, start_time=time(10), end_time=time(11))
    adapter = DjangoAvailabilityAdapter(
        master_model=Master,
        appointment_model=Appointment,
        service_model=Service,
        working_day_model=WorkingDay,
        day_off_model=DayOff,
        booking_settings_model=BookingSettings,
        site_settings_model=SiteSettings,
        clock=lambda: NOW,
    )

    query = services.visit_query([cut.pk], anna.pk)
    assert (
        "10:00"
        in selectors.get_available_slots(adapter, query, WEDNESDAY, cache_ttl=0).get_unique_start_times()
    )
