"""The .ics file carries the VTIMEZONE of the salon's time zone over the visit's years,
exactly as icalendar's own ``add_missing_timezones`` writes it, though ``bot.ics`` builds each
zone once per process."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.ics import visit_ics
from djproject.salon.services import SalonInfo, Visit, VisitItem

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("UTC"))
SALON = SalonInfo("Aurora", "Main St 1", "+49 30 123", "Europe/Berlin")


def _visit(starts: datetime, ref: str) -> Visit:
    ends = starts.replace(hour=starts.hour + 1)
    item = VisitItem("Trim", "Anna", starts, ends, Decimal("30"))
    return Visit(ref, "pending", starts, ends, (item,), (1,), (1,), Decimal("30"), True)


def _as_icalendar_writes_it(ics: bytes, first: date, last: date) -> bytes:
    """The same file with its time zones dropped and added again by icalendar itself."""
    calendar = Calendar.from_ical(ics)
    calendar.subcomponents = [c for c in calendar.subcomponents if c.name != "VTIMEZONE"]
    calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def test_each_file_names_its_own_zone_as_icalendar_would() -> None:
    # given visits in two zones and two years, the first zone asked for again
    visits = [
        _visit(datetime(2026, 7, 3, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")), "a" * 32),
        _visit(datetime(2026, 3, 3, 10, 0, tzinfo=ZoneInfo("America/New_York")), "b" * 32),
        _visit(datetime(2027, 1, 5, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")), "c" * 32),
        _visit(datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")), "d" * 32),
    ]

    for visit in visits:
        # when its file is made
        ics = visit_ics(visit, SALON, title="Visit", now=NOW)

        # then the zone comes before the event, byte for byte as icalendar adds it for the
        # visit's year and the next, and its own rules give the visit's offset
        calendar = Calendar.from_ical(ics)
        assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE", "VEVENT"]
        (zone,) = calendar.timezones
        assert zone.tz_name == str(visit.starts_at.tzinfo)
        year = visit.starts_at.year
        assert ics == _as_icalendar_writes_it(ics, date(year, 1, 1), date(year + 2, 1, 1))
        local = visit.starts_at.replace(tzinfo=None)
        assert local.replace(tzinfo=zone.to_tz()).utcoffset() == visit.starts_at.utcoffset()
