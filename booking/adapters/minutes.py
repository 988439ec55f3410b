"""The adapter's time axis: whole minutes since the UTC epoch, and interval subtraction.

The adapter computes shifts, breaks and appointments as integers on the same axis as the
engine (``booking.engine.minutes``), so a DST day is 23 or 25 hours long without a special case
and nothing is converted to a datetime until someone has to read it.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import UTC, date, datetime, time

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_minutes(moment: datetime) -> int:
    """Minutes since the UTC epoch (aware datetimes; seconds are dropped)."""
    return int((moment - _EPOCH).total_seconds()) // 60


def from_minutes(minutes: int, tz: zoneinfo.ZoneInfo) -> datetime:
    """The aware datetime of an epoch minute, in ``tz``."""
    return datetime.fromtimestamp(minutes * 60, tz=tz)


def local_minutes(day: date, moment: time, tz: zoneinfo.ZoneInfo) -> int:
    """The epoch minute of a wall-clock time on a date in ``tz``."""
    return to_minutes(datetime.combine(day, moment, tzinfo=tz))


def subtract(start: int, end: int, blocked: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Free (start, end) pieces of [start, end) after removing the blocked intervals."""
    free: list[tuple[int, int]] = []
    cursor = start
    for b_start, b_end in sorted(blocked):
        if b_end <= cursor:
            continue
        if b_start >= end:
            break
        if b_start > cursor:
            free.append((cursor, b_start))
        cursor = max(cursor, b_end)
    if cursor < end:
        free.append((cursor, end))
    return free
