"""The .ics file sent after booking, so the client can put the visit in their calendar."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar, Event

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
    calendar.add_missing_timezones()
    return calendar.to_ical()
