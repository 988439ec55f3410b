"""The two DST changes of 2026 in Europe/Berlin: starts are real minutes, shown on the local clock.

On 2026-03-29 the clocks jump from 02:00 to 03:00 (a 23-hour day); on 2026-10-25 they fall back
from 03:00 to 02:00 (a 25-hour day, 02:00-02:59 twice).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from booking.engine import (
    BookingEngineRequest,
    ChainFinder,
    MasterAvailability,
    ServiceRequest,
    SlotCalculator,
)

BERLIN = ZoneInfo("Europe/Berlin")
SPRING = date(2026, 3, 29)
AUTUMN = date(2026, 10, 25)


def local(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, fold=fold, tzinfo=BERLIN)


def one_service(day: date, minutes: int, start: datetime, end: datetime, step: int):
    anna = MasterAvailability(resource_id="anna", free_windows=[(start, end)], work_start=start, work_end=end)
    request = BookingEngineRequest(
        service_requests=[
            ServiceRequest(service_id="cut", duration_minutes=minutes, possible_resource_ids=["anna"])
        ],
        booking_date=day,
    )
    return ChainFinder(step_minutes=step).find(request, {"anna": anna})


def test_spring_night_shift_skips_the_missing_hour() -> None:
    # given a shift from 00:00 to 06:00 local time: five real hours that night
    result = one_service(SPRING, 60, local(SPRING, 0), local(SPRING, 6), step=60)
    # then the hourly grid runs in real time: 01:00 is followed by 03:00
    assert result.get_unique_start_times() == ["00:00", "01:00", "03:00", "04:00", "05:00"]
    # and the hour booked at 01:00 ends at 03:00 on the clock, 60 real minutes later
    booked = result.best_at("01:00")
    assert booked.items[0].end_time == local(SPRING, 3)
    assert booked.span_minutes == 60
    assert booked.items[0].duration_minutes == 60


def test_spring_ordinary_day_has_the_usual_starts() -> None:
    result = one_service(SPRING, 60, local(SPRING, 9), local(SPRING, 18), step=30)
    assert result.get_unique_start_times() == [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)] + [
        "17:00"
    ]
    assert result.best.items[0].start_time.utcoffset() == timedelta(hours=2)


def test_autumn_night_shift_offers_the_repeated_hour_twice() -> None:
    # given a shift from 00:00 to 06:00 local time: seven real hours that night
    result = one_service(AUTUMN, 60, local(AUTUMN, 0), local(AUTUMN, 6), step=60)
    starts = result.start_datetimes()
    # then there are seven starts, 02:00 summer time and 02:00 winter time among them
    assert [moment.astimezone(UTC).hour for moment in starts] == [22, 23, 0, 1, 2, 3, 4]
    assert [moment.strftime("%H:%M") for moment in starts] == [
        "00:00",
        "01:00",
        "02:00",
        "02:00",
        "03:00",
        "04:00",
        "05:00",
    ]
    # and the labels list 02:00 once
    assert result.get_unique_start_times() == ["00:00", "01:00", "02:00", "03:00", "04:00", "05:00"]
    # and each 02:00 can be chosen by its instant
    first, second = local(AUTUMN, 2), local(AUTUMN, 2, fold=1)
    assert result.best_at(first).items[0].start_time.utcoffset() == timedelta(hours=2)
    assert result.best_at(second).items[0].start_time.utcoffset() == timedelta(hours=1)
    assert result.best_at("02:00").starts_at.astimezone(UTC) == first.astimezone(UTC)


def test_autumn_service_across_the_change_lasts_its_real_minutes() -> None:
    # given a 90-minute service starting at 01:30 summer time
    result = one_service(AUTUMN, 90, local(AUTUMN, 1, 30), local(AUTUMN, 4), step=30)
    booked = result.best_at("01:30")
    # then it ends at 02:00 winter time: 90 real minutes, though the clock moved only 30
    assert booked.items[0].end_time.astimezone(UTC) == local(AUTUMN, 2, fold=1).astimezone(UTC)
    assert booked.span_minutes == 90


def test_autumn_ordinary_day_has_the_usual_starts() -> None:
    result = one_service(AUTUMN, 60, local(AUTUMN, 9), local(AUTUMN, 18), step=30)
    assert result.get_unique_start_times() == [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)] + [
        "17:00"
    ]
    assert result.best.items[0].start_time.utcoffset() == timedelta(hours=1)


def test_a_chain_across_the_spring_change_keeps_real_durations() -> None:
    # given two masters on the night shift and a two-service visit from 01:30
    masters = {
        name: MasterAvailability(
            resource_id=name, free_windows=[(local(SPRING, 0), local(SPRING, 6))], work_start=local(SPRING, 0)
        )
        for name in ("anna", "ben")
    }
    request = BookingEngineRequest(
        service_requests=[
            ServiceRequest(service_id="cut", duration_minutes=45, possible_resource_ids=["anna"]),
            ServiceRequest(service_id="dry", duration_minutes=30, possible_resource_ids=["ben"]),
        ],
        booking_date=SPRING,
    )
    booked = ChainFinder(step_minutes=30).find(request, masters).best_at("01:30")
    # then the cut ends at 03:15 summer time and the drying follows at once
    assert [
        (item.start_time.strftime("%H:%M"), item.end_time.strftime("%H:%M")) for item in booked.items
    ] == [
        ("01:30", "03:15"),
        ("03:15", "03:45"),
    ]
    assert booked.span_minutes == 75


def test_calculator_slots_on_the_spring_night_are_real_hours() -> None:
    slots = SlotCalculator(step_minutes=60).find_slots_in_window(local(SPRING, 0), local(SPRING, 5), 60)
    assert [slot.strftime("%H:%M") for slot in slots] == ["00:00", "01:00", "03:00", "04:00"]


def test_calculator_free_windows_on_the_autumn_night_use_real_time() -> None:
    # given an appointment of one real hour from 02:30 summer time, and a 30-minute buffer
    busy = (local(AUTUMN, 2, 30), local(AUTUMN, 2, 30, fold=1))
    windows = SlotCalculator().merge_free_windows(
        local(AUTUMN, 0), local(AUTUMN, 6), [busy], buffer_minutes=30
    )
    # then the master is free again at 03:00 winter time, 90 real minutes after 02:30 summer time
    assert [(start.astimezone(UTC), end.astimezone(UTC)) for start, end in windows] == [
        (local(AUTUMN, 0).astimezone(UTC), busy[0].astimezone(UTC)),
        (local(AUTUMN, 3).astimezone(UTC), local(AUTUMN, 6).astimezone(UTC)),
    ]
