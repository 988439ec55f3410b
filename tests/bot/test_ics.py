"""The .ics file carries the VTIMEZONE of the salon's time zone, exactly as icalendar's own
``add_missing_timezones`` writes it, though ``bot.ics`` builds each zone once per process."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.ics import visit_ics
from djproject.salon.services import SalonInfo, Visit, VisitItem

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("UTC"))


def _visit(zone: str, ref: str) -> Visit:
    starts = datetime(2026, 3, 3, 10, 0, tzinfo=ZoneInfo(zone))
    ends = datetime(2026, 3, 3, 11, 0, tzinfo=ZoneInfo(zone))
    item = VisitItem("Trim", "Anna", starts, ends, Decimal("30"))
    return Visit(ref, "pending", starts, ends, (item,), (1,), (1,), Decimal("30"), True)


def _as_icalendar_writes_it(ics: bytes) -> bytes:
    """The same file with its time zones dropped and added again by icalendar itself."""
    calendar = Calendar.from_ical(ics)
    calendar.subcomponents = [c for c in calendar.subcomponents if c.name != "VTIMEZONE"]
    calendar.add_missing_timezones()
    return calendar.to_ical()


def test_each_file_names_its_own_zone_as_icalendar_would() -> None:
    salon = SalonInfo("Aurora", "Main St 1", "+49 30 123", "Europe/Berlin")
    # given files for visits in two zones, the first zone asked for twice
    files = [
        visit_ics(_visit("Europe/Berlin", "a" * 32), salon, title="Visit", now=NOW),
        visit_ics(_visit("America/New_York", "b" * 32), salon, title="Visit", now=NOW),
        visit_ics(_visit("Europe/Berlin", "c" * 32), salon, title="Visit", now=NOW),
    ]

    # then each carries its zone's VTIMEZONE before the event, byte for byte as icalendar adds it
    for ics, zone in zip(files, ["Europe/Berlin", "America/New_York", "Europe/Berlin"], strict=True):
        calendar = Calendar.from_ical(ics)
        assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE", "VEVENT"]
        assert calendar.timezones[0].tz_name == zone
        assert ics == _as_icalendar_writes_it(ics)
