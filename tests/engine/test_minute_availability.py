"""``MasterAvailability.from_minutes``: an adapter's minutes go to the engine as they are, and
the result is the same availability (and the same answer) as from datetimes."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from booking.engine import BookingEngineRequest, ChainFinder, MasterAvailability, ServiceRequest

BERLIN = ZoneInfo("Europe/Berlin")
EPOCH = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))


def minute(day: date, hhmm: str, tz=BERLIN) -> int:
    moment = datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time(), tzinfo=tz)
    return int((moment - EPOCH).total_seconds()) // 60


def at(value: int) -> datetime:
    return datetime.fromtimestamp(value * 60, BERLIN)


@pytest.mark.parametrize("day", [date(2026, 12, 2), date(2026, 3, 29), date(2026, 10, 25)])
def test_an_availability_from_minutes_equals_the_one_from_datetimes(day):
    windows = [(minute(day, "09:00"), minute(day, "11:00")), (minute(day, "12:00"), minute(day, "17:30"))]
    work = (minute(day, "09:00"), minute(day, "18:00"))

    by_minutes = MasterAvailability.from_minutes(
        "7", windows, tz=BERLIN, buffer_between_minutes=5, work_start=work[0], work_end=work[1]
    )
    by_datetimes = MasterAvailability(
        resource_id="7",
        free_windows=[(at(a), at(b)) for a, b in windows],
        buffer_between_minutes=5,
        work_start=at(work[0]),
        work_end=at(work[1]),
    )

    assert by_minutes == by_datetimes
    assert by_minutes.in_minutes == by_datetimes.in_minutes
    assert list(by_minutes.free_windows) == list(by_datetimes.free_windows)
    assert by_minutes.free_windows[0][0].tzinfo is BERLIN
    assert by_minutes.model_copy(update={"buffer_between_minutes": 0}).in_minutes == by_datetimes.in_minutes

    request = BookingEngineRequest(
        service_requests=[ServiceRequest(service_id="1", duration_minutes=60, possible_resource_ids=["7"])],
        booking_date=day,
    )
    finder = ChainFinder(step_minutes=30)
    expected = finder.find(request, {"7": by_datetimes})
    assert finder.find(request, {"7": by_minutes}).start_datetimes() == expected.start_datetimes()


def test_an_empty_window_is_refused():
    with pytest.raises(ValueError, match="start=100 >= end=100"):
        MasterAvailability.from_minutes("7", [(100, 100)], tz=BERLIN)
