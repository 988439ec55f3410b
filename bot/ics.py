"""The .ics file sent after booking, so the client can put the visit in their calendar."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from typing import Any

from icalendar import Calendar, Event, Timezone

from booking.localtime import in_utc, occurs_twice
from bot.texts import clock


def visit_ics(visit: Any, salon: Any, *, title: str, now: datetime | None = None) -> bytes:
    """One VEVENT in the salon's time zone (with its VTIMEZONE), keyed by the visit reference,
    so importing a rescheduled visit's file again updates the same calendar entry."""
    calendar = Calendar()
    calendar.add("prodid", "-//Salon booking bot//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{visit.ref}@salon-booking-bot")
    event.add("dtstamp", now or datetime.now(UTC))
    # A local time the clocks show twice means the first of the two in iCalendar (RFC 5545
    # §3.3.5): such a visit is written in UTC, which names the one instant.
    ambiguous = occurs_twice(visit.starts_at) or occurs_twice(visit.ends_at)
    event.add("dtstart", in_utc(visit.starts_at) if ambiguous else visit.starts_at)
    event.add("dtend", in_utc(visit.ends_at) if ambiguous else visit.ends_at)
    event.add("summary", title)
    if salon.address:
        event.add("location", salon.address)
    # The chat's time label: on the night the clocks go back it says which of the two 02:30s.
    lines = [f"{clock(item.starts_at)} {item.service_name} ({item.master_name})" for item in visit.items]
    if salon.phone:
        lines.append(salon.phone)
    event.add("description", "\n".join(lines))
    calendar.add_component(event)
    # What ``calendar.add_missing_timezones()`` does, over the years of the visit only and with
    # each zone's VTIMEZONE built once per process: icalendar's default covers 1970-2038,
    # found by searching every offset change (about 15 ms) and written as some 120 RDATEs
    # (about 5 ms) in every file.
    first, last = _years_of(visit.starts_at)
    for position, tzid in enumerate(sorted(calendar.get_missing_tzids()), start=len(calendar.timezones)):
        timezone = _vtimezone(tzid, first, last)
        if timezone is not None:
            calendar.subcomponents.insert(position, timezone)
    return calendar.to_ical()


def _years_of(moment: datetime) -> tuple[date, date]:
    """From the start of the visit's year to the start of the year after next: the visit
    (and a rescheduled one, imported again) falls inside, as RFC 5545 asks of a VTIMEZONE."""
    return date(moment.year, 1, 1), date(moment.year + 2, 1, 1)


@functools.lru_cache(maxsize=16)
def _vtimezone(tzid: str, first: date, last: date) -> Timezone | None:
    """The VTIMEZONE of ``tzid`` from ``first`` to ``last`` (None when icalendar does not know
    the zone, as it then adds none). Shared by every file of the process: it is only ever
    serialised, never changed."""
    try:
        return Timezone.from_tzid(tzid, first_date=first, last_date=last)
    except ValueError:
        return None
