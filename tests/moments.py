"""The frozen moment most tests live in: Tuesday 1 December 2026, 08:00 in Berlin.

``NOW`` stays put under ``SALON_TEST_TODAY``: the tests that freeze the clock there
(``frozen_clock``) spell out what that Tuesday looks like — which day is Wednesday, which
holidays follow — and would need another set of expectations for another day. The tests that
must hold on any day do not use ``NOW``; they ask ``salon_today()`` and run on whatever day
``SALON_TEST_TODAY`` (or the real calendar) gives them.
"""

import zoneinfo
from datetime import date, datetime

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=BERLIN)
WEDNESDAY = date(2026, 12, 2)


def salon_today() -> date:
    """Today in the salon (Berlin) by the clock the test runs on: real, pretended or frozen.

    Not ``date.today()``: that is the machine's zone, a day behind Berlin after midnight when
    the machine runs on UTC.
    """
    return datetime.now(BERLIN).date()


def local(day: date, hhmm: str) -> datetime:
    """A salon-local moment ("HH:MM" on a date, Berlin time)."""
    return datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time(), tzinfo=BERLIN)
