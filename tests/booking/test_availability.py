"""What the adapter offers: hours by every fallback, breaks, buffers, days off, holidays,
advance limits, time zones (DST included), any master and capacity — through the selectors."""

import zoneinfo
from datetime import date, datetime

import pytest

from booking import selectors
from djproject.salon.booking import get_adapter
from tests import factories as f
from tests.moments import BERLIN, NOW, WEDNESDAY, local

WED = WEDNESDAY.weekday()


def starts(adapter, service, day=WEDNESDAY, **options) -> list[str]:
    # No cache here: these tests are about the rules (tests/booking/test_cache.py is about the cache).
    options.setdefault("cache_ttl", 0)
    return selectors.get_available_slots(adapter, [service.pk], day, **options).get_unique_start_times()


def test_weekday_row_gives_starts_on_the_shift_grid(salon, adapter):
    svc = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours={WED: ("09:15", "12:15")})

    assert starts(adapter, svc) == ["09:15", "09:45", "10:15", "10:45", "11:15"]


def test_master_without_rows_works_own_default_hours_on_salon_days(salon, adapter):
    svc = f.service(category=salon, duration=60)
    f.master(categories=[salon], work_start="10:00", work_end="12:00")

    assert starts(adapter, svc) == ["10:00", "10:30", "11:00"]
    assert starts(adapter, svc, day=date(2026, 12, 6)) == []  # Sunday: the salon is closed


def test_master_without_any_hours_falls_back_to_the_salon_weekly_hours(salon, adapter):
    svc = f.service(category=salon, duration=240)
    f.master(categories=[salon])

    assert starts(adapter, svc) == [f"{h:02d}:{m:02d}" for h in range(9, 15) for m in (0, 30)][:-1]
    assert starts(adapter, svc, day=date(2026, 12, 5)) == ["10:00"]  # Saturday 10–14


def test_master_with_rows_does_not_work_on_weekdays_without_a_row(salon, adapter):
    svc = f.service(category=salon)
    f.master(categories=[salon], hours={0: ("09:00", "18:00")})  # Mondays only

    assert starts(adapter, svc) == []


def test_break_is_never_offered(salon, adapter):
    svc = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours={WED: ("09:00", "13:00", "10:30", "11:30")})

    assert starts(adapter, svc) == ["09:00", "09:30", "11:30", "12:00"]


def test_buffer_separates_a_new_appointment_from_existing_ones_on_both_sides(salon, adapter):
    svc = f.service(category=salon, duration=60)
    m = f.master(categories=[salon], hours={WED: ("09:00", "14:00")}, buffer_between_minutes=15)
    f.appointment(master=m, service=svc, start=local(WEDNESDAY, "11:00"))

    # 09:30 would end at 10:30, fifteen minutes before 11:00 is 10:45: fine; 10:00 is not.
    # After 12:00 + 15 the grid's next point is 12:30.
    assert starts(adapter, svc) == ["09:00", "09:30", "12:30", "13:00"]


def test_gap_after_an_existing_service_keeps_its_master_busy(salon, adapter):
    colouring = f.service(category=salon, duration=60, min_gap_after_minutes=30)
    cut = f.service(category=salon, duration=30)
    m = f.master(categories=[salon], hours={WED: ("09:00", "12:00")})
    f.appointment(master=m, service=colouring, start=local(WEDNESDAY, "09:00"))

    assert starts(adapter, cut) == ["10:30", "11:00", "11:30"]


def test_gap_of_the_new_service_must_not_run_into_the_next_appointment(salon, adapter):
    colouring = f.service(category=salon, duration=60, min_gap_after_minutes=30)
    m = f.master(categories=[salon], hours={WED: ("09:00", "13:00")})
    f.appointment(master=m, service=f.service(category=salon, duration=60), start=local(WEDNESDAY, "11:00"))

    # 09:30–10:30 plus 30 minutes of cleanup reaches 11:00: fits; 10:00 would not. The gap may
    # run past the end of the shift: 12:00–13:00 is offered.
    assert starts(adapter, colouring) == ["09:00", "09:30", "12:00"]


def test_day_off_closes_the_master(salon, adapter):
    svc = f.service(category=salon)
    m = f.master(categories=[salon], hours={WED: ("09:00", "12:00")})
    f.day_off(m, WEDNESDAY)

    assert starts(adapter, svc) == []


def test_public_holiday_closes_the_salon(salon, adapter):
    svc = f.service(category=salon)
    f.master(categories=[salon], hours=dict.fromkeys(range(7), ("09:00", "12:00")))

    assert starts(adapter, svc, day=date(2026, 12, 25)) == []  # Christmas Day
    assert starts(adapter, svc, day=date(2026, 12, 23))


def test_min_advance_cuts_starts_before_now_plus_notice(salon):
    svc = f.service(category=salon, duration=30)
    f.master(categories=[salon], hours={1: ("09:00", "12:00")})  # Tuesday = today
    today = NOW.date()

    at_0910 = get_adapter(clock=lambda: datetime(2026, 12, 1, 9, 10, tzinfo=BERLIN))
    assert starts(at_0910, svc, day=today) == ["10:30", "11:00", "11:30"]


def test_master_may_override_the_minimum_advance(salon):
    svc = f.service(category=salon, duration=30)
    f.master(categories=[salon], hours={1: ("09:00", "12:00")}, min_advance_minutes=0)

    at_0910 = get_adapter(clock=lambda: datetime(2026, 12, 1, 9, 10, tzinfo=BERLIN))
    assert starts(at_0910, svc, day=NOW.date())[0] == "09:30"


def test_past_days_and_days_beyond_max_advance_are_closed(salon, adapter):
    svc = f.service(category=salon)
    f.master(categories=[salon], hours=dict.fromkeys(range(7), ("09:00", "12:00")))
    near = f.master(categories=[salon], hours=dict.fromkeys(range(7), ("09:00", "12:00")), max_advance_days=7)

    assert starts(adapter, svc, day=date(2026, 11, 30)) == []
    assert starts(adapter, svc, day=date(2027, 1, 29))  # 59 days ahead
    assert starts(adapter, svc, day=date(2027, 2, 1)) == []  # 62 days ahead
    assert starts(adapter, svc, day=date(2026, 12, 10), locked_master_id=near.pk) == []


def test_any_master_offers_the_union_of_their_starts_and_one_master_only_theirs(salon, adapter):
    svc = f.service(category=salon, duration=60)
    early = f.master(categories=[salon], hours={WED: ("09:00", "11:00")})
    late = f.master(categories=[salon], hours={WED: ("14:00", "16:00")})

    assert starts(adapter, svc) == ["09:00", "09:30", "10:00", "14:00", "14:30", "15:00"]
    assert starts(adapter, svc, locked_master_id=late.pk) == ["14:00", "14:30", "15:00"]
    assert starts(adapter, svc, master_selections={svc.pk: early.pk}) == ["09:00", "09:30", "10:00"]


def test_masters_of_other_categories_and_inactive_masters_are_not_offered(salon, adapter):
    svc = f.service(category=salon)
    f.master(categories=[f.category(name="Nails")], hours={WED: ("09:00", "12:00")})
    f.master(categories=[salon], hours={WED: ("09:00", "12:00")}, status="inactive")

    assert starts(adapter, svc) == []


def test_a_master_with_two_places_takes_a_second_client_at_the_same_time(salon, adapter):
    svc = f.service(category=salon, duration=60)
    m = f.master(categories=[salon], hours={WED: ("09:00", "11:00")}, max_clients_parallel=2)
    f.appointment(master=m, service=svc, start=local(WEDNESDAY, "09:00"), seat=0)

    assert starts(adapter, svc) == ["09:00", "09:30", "10:00"]
    f.appointment(master=m, service=svc, start=local(WEDNESDAY, "09:00"), seat=1)
    assert starts(adapter, svc) == ["10:00"]


def test_multi_service_visit_runs_back_to_back_across_masters(salon, adapter):
    nails = f.category(name="Nails")
    cut = f.service(category=salon, duration=45)
    manicure = f.service(category=nails, duration=30)
    f.master(categories=[salon], hours={WED: ("09:00", "10:00")})
    f.master(categories=[nails], hours={WED: ("09:00", "12:00")})

    result = selectors.get_available_slots(adapter, [cut.pk, manicure.pk], WEDNESDAY)

    assert result.get_unique_start_times() == ["09:00"]
    visit = result.best_at("09:00")
    assert [i.start_time.strftime("%H:%M") for i in visit.items] == ["09:00", "09:45"]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # Spring forward: 02:00 does not exist; the grid runs in real time, so after 01:30
        # comes 03:00 on the wall clock.
        (date(2026, 3, 29), ["01:00", "01:30", "03:00", "03:30", "04:00"]),
        # Fall back: 02:00–03:00 happens twice; a five-hour shift from 01:00 ends at 05:00.
        (date(2026, 10, 25), ["01:00", "01:30", "02:00", "02:30", "03:00", "03:30", "04:00"]),
    ],
)
def test_dst_nights_give_the_right_local_starts(salon, day, expected):
    svc = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours={day.weekday(): ("01:00", "05:00")})
    before = get_adapter(clock=lambda: datetime(day.year, day.month, day.day - 5, tzinfo=BERLIN))

    assert starts(before, svc, day=day) == expected


def test_dst_day_shift_starts_are_salon_wall_clock_times(salon):
    svc = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours={6: ("09:00", "12:00")})  # Sunday 2026-03-29
    before = get_adapter(clock=lambda: datetime(2026, 3, 20, tzinfo=BERLIN))

    result = selectors.get_available_slots(before, [svc.pk], date(2026, 3, 29))

    assert result.get_unique_start_times() == ["09:00", "09:30", "10:00", "10:30", "11:00"]
    assert result.start_datetimes()[0].utcoffset().total_seconds() == 2 * 3600  # CEST


def test_master_in_another_time_zone_works_their_local_hours(salon, adapter):
    svc = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours={WED: ("09:00", "11:00")}, timezone="Europe/London")

    result = selectors.get_available_slots(adapter, [svc.pk], WEDNESDAY)

    london = zoneinfo.ZoneInfo("Europe/London")
    assert [s.astimezone(london).strftime("%H:%M") for s in result.start_datetimes()] == [
        "09:00",
        "09:30",
        "10:00",
    ]
    assert result.start_datetimes()[0].astimezone(BERLIN).strftime("%H:%M") == "10:00"


def test_get_working_hours_and_break_follow_the_fallbacks(salon, adapter):
    m = f.master(
        categories=[salon], work_start="10:00", work_end="16:00", break_start="12:00", break_end="12:30"
    )

    hours = adapter.get_working_hours(m, WEDNESDAY)
    brk = adapter.get_break_interval(m, WEDNESDAY)

    assert (hours[0], hours[1]) == (local(WEDNESDAY, "10:00"), local(WEDNESDAY, "16:00"))
    assert brk == (local(WEDNESDAY, "12:00"), local(WEDNESDAY, "12:30"))
    assert adapter.get_working_hours(m, date(2026, 12, 6)) is None  # Sunday


def test_unknown_or_inactive_service_gives_no_slots(salon, adapter):
    svc = f.service(category=salon, is_active=False)
    f.master(categories=[salon], hours={WED: ("09:00", "12:00")})

    assert starts(adapter, svc) == []
    assert selectors.get_available_slots(adapter, [999_999], WEDNESDAY).has_solutions is False


def test_nearest_slots_skip_full_and_closed_days(salon, adapter):
    svc = f.service(category=salon, duration=60)
    m = f.master(categories=[salon], hours={3: ("09:00", "10:00")})  # Thursdays only
    f.appointment(master=m, service=svc, start=local(date(2026, 12, 3), "09:00"))

    result = selectors.get_nearest_slots(adapter, [svc.pk], NOW.date())

    assert result.booking_date == date(2026, 12, 10)
    assert result.get_unique_start_times() == ["09:00"]


def test_legacy_positional_master_selections_are_understood(salon, adapter):
    svc = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours={WED: ("09:00", "10:00")})
    late = f.master(categories=[salon], hours={WED: ("15:00", "16:00")})

    assert starts(adapter, svc, master_selections={"0": str(late.pk)}) == ["15:00"]
    assert starts(adapter, svc, master_selections={"0": "any"}) == ["09:00", "15:00"]


def test_result_to_slots_map(salon, adapter):
    svc = f.service(category=salon, duration=60)
    f.master(categories=[salon], hours={WED: ("09:00", "10:00")})

    result = selectors.get_available_slots(adapter, [svc.pk], WEDNESDAY)

    assert adapter.result_to_slots_map(result) == {"09:00": True}


def parallel_pair(salon):
    """Manicure (45) and pedicure (60) in one parallel group, done by nail masters."""
    nails = f.category(name="Nails")
    manicure = f.service(category=nails, duration=45, parallel_group="hands-and-feet")
    pedicure = f.service(category=nails, duration=60, parallel_group="hands-and-feet")
    return nails, manicure, pedicure


def test_a_parallel_group_runs_side_by_side_when_two_masters_are_free(salon, adapter):
    nails, manicure, pedicure = parallel_pair(salon)
    f.master(categories=[nails], hours={WED: ("09:00", "11:00")})
    f.master(categories=[nails], hours={WED: ("09:00", "11:00")})

    result = selectors.get_available_slots(adapter, [manicure.pk, pedicure.pk], WEDNESDAY, cache_ttl=0)

    visit = result.best_at("09:00")
    assert [i.start_time for i in visit.items] == [local(WEDNESDAY, "09:00")] * 2
    assert visit.span_minutes == 60


def test_a_parallel_group_runs_one_after_another_where_only_one_master_is_free(salon, adapter):
    nails, manicure, pedicure = parallel_pair(salon)
    f.master(categories=[nails], hours={WED: ("09:00", "12:00")})
    f.master(categories=[nails], hours={WED: ("09:00", "10:00")})  # gone after 10:00

    result = selectors.get_available_slots(adapter, [manicure.pk, pedicure.pk], WEDNESDAY, cache_ttl=0)

    assert result.get_unique_start_times() == ["09:00", "09:30", "10:00"]  # 105 minutes by one master
    assert result.best_at("09:00").span_minutes == 60  # side by side
    later = result.best_at("10:00")
    assert [i.start_time.strftime("%H:%M") for i in later.items] == ["10:00", "10:45"]
    month = selectors.get_month_availability(adapter, [manicure.pk, pedicure.pk], 2026, 12, cache_ttl=0)
    assert month[WEDNESDAY].free_starts == 3
