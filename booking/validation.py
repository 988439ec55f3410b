"""Why an appointment cannot stand where staff put it: the bot's rules, for hand-made entries.

The admin lets staff place an appointment anywhere; this check applies the same schedule the
engine uses (hours by every fallback, break, day off, public holiday, time blocks, other
appointments with their gaps and the buffer) but not the client-only limits (minimum notice, booking window,
the grid): staff may book at 10:10 or record a visit after the fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from booking.adapters.availability import DjangoAvailabilityAdapter, to_minutes


class Conflict(StrEnum):
    HOLIDAY = "holiday"
    DAY_OFF = "day_off"
    NOT_WORKING = "not_working"
    OUTSIDE_HOURS = "outside_hours"
    BREAK = "break"
    OVERLAP = "overlap"
    BLOCKED = "blocked"
    NO_SEAT = "no_seat"


@dataclass(frozen=True)
class Placement:
    """A free seat for the appointment, or the reasons there is none."""

    seat: int | None
    conflicts: tuple[Conflict, ...]


def check_placement(
    adapter: DjangoAvailabilityAdapter,
    *,
    master_id: int,
    start: datetime,
    duration_minutes: int,
    gap_minutes: int = 0,
    seat: int | None = None,
    exclude_ids: tuple[int, ...] = (),
) -> Placement:
    """Check one appointment; ``seat=None`` picks the first free seat of the master."""
    master = adapter.masters_by_id([master_id])[master_id]
    day = start.astimezone(adapter.master_tz(master)).date()
    book = adapter.schedule_book([master_id], day, day)
    conflicts: list[Conflict] = []
    if adapter.is_holiday(day):
        conflicts.append(Conflict.HOLIDAY)
    if (master_id, day) in book.days_off:
        conflicts.append(Conflict.DAY_OFF)
    begin = to_minutes(start)
    end = begin + duration_minutes
    hours = adapter.working_hours(book, master, day)
    if hours is None:
        conflicts.append(Conflict.NOT_WORKING)
    else:
        if begin < hours.start or end > hours.end:
            conflicts.append(Conflict.OUTSIDE_HOURS)
        if hours.break_ and begin < hours.break_[1] and end > hours.break_[0]:
            conflicts.append(Conflict.BREAK)

    entries = adapter.busy_entries(book, [day], cache_ttl=0, exclude=set(exclude_ids)).get(
        (master_id, day), []
    )
    buffer = adapter.buffer_minutes(master)
    capacity = max(1, int(getattr(master, "max_clients_parallel", 1) or 1))

    blocks = [entry for entry in entries if entry[0] < 0]
    if any(begin < e and end > s for _pk, s, e, _gap, _seat in blocks):
        conflicts.append(Conflict.BLOCKED)
    entries = [entry for entry in entries if entry[0] >= 0]

    def seat_is_free(candidate: int) -> bool:
        return all(
            not (begin < e + gap + buffer and end + gap_minutes + buffer > s)
            for _id, s, e, gap, taken in entries
            if taken == candidate
        )

    seats = [seat] if seat is not None else list(range(capacity))
    free = next((candidate for candidate in seats if seat_is_free(candidate)), None)
    if seat is not None and seat >= capacity:
        conflicts.append(Conflict.NO_SEAT)
    elif free is None:
        conflicts.append(Conflict.OVERLAP)
    return Placement(seat=free, conflicts=tuple(conflicts))
