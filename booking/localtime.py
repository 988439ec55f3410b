"""Salon-local wall-clock times and the instants they name, on the nights the clocks change.

Python adds and subtracts aware datetimes that share a ``tzinfo`` in *wall-clock* time: across
a DST change ``end - start`` is off by an hour and ``start + timedelta`` lands an hour wrong.
So durations, ends and reminders are computed on UTC datetimes (``in_utc``), and a wall-clock
time a client picked becomes an instant only through ``local_moment``:

- a time the clocks skip (02:30 on a spring night in Berlin) names no instant: it is refused
  with ``NonexistentLocalTimeError`` instead of silently meaning 03:30;
- a time the clocks pass twice (02:30 on an autumn night) names two instants; ``fold`` says
  which (0 the first, 1 the second), as in PEP 495.

A start time travels between the salon services and the bot as a *slot token*: ``"HH:MM"``,
or ``"HH:MM+1"`` for the second occurrence of a repeated time. Pure Python, no Django.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo

from booking.errors import NonexistentLocalTimeError

__all__ = [
    "SECOND_OCCURRENCE",
    "in_utc",
    "local_moment",
    "occurs_twice",
    "parse_slot",
    "slot_token",
]

# Suffix of a slot token that names the second occurrence of a repeated wall-clock time.
SECOND_OCCURRENCE = "+1"


def in_utc(moment: datetime) -> datetime:
    """The same instant in UTC, where adding a ``timedelta`` adds real time."""
    return moment.astimezone(UTC)


def _exists(moment: datetime) -> bool:
    """Whether the wall-clock time is shown by the clocks (not skipped by a spring change)."""
    back = in_utc(moment).astimezone(moment.tzinfo)
    return back.replace(tzinfo=None) == moment.replace(tzinfo=None)


def occurs_twice(moment: datetime) -> bool:
    """Whether the clocks show this wall-clock time twice (the hour repeated in autumn)."""
    first, second = moment.replace(fold=0), moment.replace(fold=1)
    return first.utcoffset() != second.utcoffset() and _exists(first) and _exists(second)


def local_moment(day: date, clock: time, tz: tzinfo, *, fold: int = 0) -> datetime:
    """The instant a salon-local date and time name; ``fold=1`` picks the second of a repeated
    time (and means nothing for a time shown once). Raises ``NonexistentLocalTimeError`` for a
    time the clocks skip."""
    moment = datetime.combine(day, clock.replace(tzinfo=None), tzinfo=tz)
    if not _exists(moment):
        raise NonexistentLocalTimeError(moment.replace(tzinfo=None))
    return moment.replace(fold=fold if occurs_twice(moment) else 0)


def slot_token(moment: datetime) -> str:
    """``"HH:MM"`` of a local moment, ``"HH:MM+1"`` when it is the second of a repeated time.

    ``moment`` must carry the right ``fold`` (``astimezone`` and ``fromtimestamp`` set it).
    """
    second = moment.fold == 1 and occurs_twice(moment)
    return f"{moment:%H:%M}" + (SECOND_OCCURRENCE if second else "")


def parse_slot(day: date, token: str, tz: tzinfo) -> datetime:
    """The instant of a slot token on a salon-local date.

    Raises ``ValueError`` for a malformed token and ``NonexistentLocalTimeError`` (a
    ``ValueError`` too) for a time the clocks skip.
    """
    hhmm, plus, rest = token.partition("+")
    if (plus and plus + rest != SECOND_OCCURRENCE) or len(hhmm) != 5 or hhmm[2] != ":":
        raise ValueError(f"Not a slot time: {token!r}")
    return local_moment(day, time.fromisoformat(hhmm), tz, fold=1 if plus else 0)
