"""The frozen moment most tests live in: Tuesday 1 December 2026, 08:00 in Berlin."""

import zoneinfo
from datetime import date, datetime

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=BERLIN)
WEDNESDAY = date(2026, 12, 2)


def local(day: date, hhmm: str) -> datetime:
    """A salon-local moment ("HH:MM" on a date, Berlin time)."""
    return datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time(), tzinfo=BERLIN)
