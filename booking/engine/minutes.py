"""Datetimes to whole engine minutes and back.

The engine computes in integer minutes on one absolute axis: an aware datetime becomes the
number of minutes since 1970-01-01 00:00 UTC, a naive one the number of minutes since the naive
1970-01-01 00:00. Adding minutes on that axis is adding real time, so a DST day is 23 or 25 hours
long without any special case. Going back, an aware minute is converted from UTC into the time
zone the caller used (``fromtimestamp``); a wall-clock datetime is never shifted by a
``timedelta``.

Starts are rounded up and ends down to the whole minute, so a window with seconds only shrinks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import NamedTuple

__all__ = [
    "LABELS",
    "MasterMinutes",
    "MinuteClock",
    "ceil_minute",
    "ceil_of",
    "floor_minute",
    "floor_of",
    "is_aware",
    "label_of",
    "minute_to_datetime",
    "since_epoch",
]

_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_MINUTES_PER_DAY = 1440


def is_aware(moment: datetime) -> bool:
    """Whether the datetime names one instant (has a UTC offset) or only a wall-clock time."""
    return moment.tzinfo is not None and moment.utcoffset() is not None


def since_epoch(moment: datetime) -> timedelta:
    """Exact time since the epoch of the datetime's kind (UTC for aware, naive for naive)."""
    return moment - (_UTC_EPOCH if is_aware(moment) else _NAIVE_EPOCH)


def floor_of(delta: timedelta) -> int:
    """Whole minutes in ``delta``, rounded down."""
    return delta.days * _MINUTES_PER_DAY + delta.seconds // 60


def ceil_of(delta: timedelta) -> int:
    """Whole minutes in ``delta``, rounded up."""
    minute = delta.days * _MINUTES_PER_DAY + delta.seconds // 60
    return minute + 1 if delta.seconds % 60 or delta.microseconds else minute


def floor_minute(moment: datetime) -> int:
    """The engine minute at or before ``moment`` (used for the ends of windows and shifts)."""
    return floor_of(since_epoch(moment))


def ceil_minute(moment: datetime) -> int:
    """The engine minute at or after ``moment`` (used for starts, anchors and ``min_start``)."""
    return ceil_of(since_epoch(moment))


def minute_to_datetime(minute: int, tz: tzinfo | None) -> datetime:
    """The datetime of an engine minute: aware in ``tz``, or naive when ``tz`` is None."""
    if tz is None:
        return _NAIVE_EPOCH + timedelta(minutes=minute)
    return datetime.fromtimestamp(minute * 60, tz)


# "HH:MM" of every minute of a day, so a start's label is one lookup.
LABELS = tuple(f"{minute // 60:02d}:{minute % 60:02d}" for minute in range(_MINUTES_PER_DAY))


def label_of(moment: datetime) -> str:
    """The wall-clock ``"HH:MM"`` of a datetime."""
    return LABELS[moment.hour * 60 + moment.minute]


class MasterMinutes(NamedTuple):
    """A master's availability on the engine's minute axis, computed once per object."""

    aware: bool | None  # None when the master has no datetimes at all
    tz: tzinfo | None  # the zone results are shown in (None: naive)
    windows: tuple[tuple[int, int], ...]  # (start rounded up, end rounded down), sorted
    anchor: int | None  # work_start, rounded up
    work_end: int | None  # rounded down


class MinuteClock:
    """Converts engine minutes to datetimes, each (minute, zone) at most once.

    One clock lives as long as one engine result: the items of many solutions share start and
    end minutes, so building solution objects costs a dictionary lookup per datetime.
    """

    __slots__ = ("_datetimes",)

    def __init__(self) -> None:
        self._datetimes: dict[tuple[int, tzinfo | None], datetime] = {}

    def datetime(self, minute: int, tz: tzinfo | None) -> datetime:
        """The datetime of ``minute`` in ``tz`` (naive when ``tz`` is None)."""
        key = (minute, tz)
        moment = self._datetimes.get(key)
        if moment is None:
            moment = self._datetimes[key] = minute_to_datetime(minute, tz)
        return moment

    def hhmm(self, minute: int, tz: tzinfo | None) -> str:
        """The local wall-clock time of ``minute`` as ``"HH:MM"``."""
        moment = self.datetime(minute, tz)
        return LABELS[moment.hour * 60 + moment.minute]
