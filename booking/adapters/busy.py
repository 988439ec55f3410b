"""Busy intervals: what the active appointments occupy, per (master, local date), via the cache.

Time blocks (when the adapter has a block model) are added to the entries after the cache,
never stored in it.

The appointments query is skipped for every (master, date) whose busy intervals are cached.
``cache_ttl=0`` (inside a booking transaction) reads the database only and writes nothing.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import NotSupportedError, connections
from django.db.models import BigIntegerField, Func

from booking.adapters.blocks import TimeBlocks
from booking.adapters.cache import SEED_ENTRY_ID, BookingCacheAdapter, BusyEntry
from booking.adapters.fields import has_field
from booking.adapters.minutes import local_minutes, to_minutes
from booking.adapters.policy import SettingsPolicy
from booking.adapters.schedule import ScheduleBook

Busy = dict[tuple[int, date], list[BusyEntry]]


class BusyIntervals:
    """Reads appointments in one query per batch and keeps them in the busy-interval cache."""

    def __init__(
        self,
        appointment_model: type[Any],
        statuses: list[str],
        cache: BookingCacheAdapter,
        policy: SettingsPolicy,
        blocks: TimeBlocks | None = None,
    ) -> None:
        self.appointment_model = appointment_model
        self.statuses = statuses
        self.cache = cache
        self.policy = policy
        self.blocks = blocks

    def entries(self, book: ScheduleBook, days: list[date], cache_ttl: int, exclude: set[int]) -> Busy:
        """Busy entries of every master of the book on every date, cached ones first."""
        pairs = [(m, d) for m in book.masters for d in days]
        cached = self.cache.get_busy_many([(m, d.isoformat()) for m, d in pairs]) if cache_ttl > 0 else {}
        busy: Busy = {}
        missing: list[tuple[int, date]] = []
        for m, d in pairs:
            hit = cached.get((str(m), d.isoformat()))
            if hit is None or (exclude and any(e[0] == SEED_ENTRY_ID for e in hit)):
                # A seed entry names no appointment, so the visit set aside cannot be found in it.
                missing.append((m, d))
            else:
                busy[(m, d)] = hit
        if missing:
            fresh = self.read(
                {m for m, _ in missing}, min(d for _, d in missing), max(d for _, d in missing), book
            )
            for pair in missing:
                busy[pair] = fresh.get(pair, [])
            if cache_ttl > 0:
                self.cache.set_busy_many(
                    {(m, d.isoformat()): busy[(m, d)] for m, d in missing}, timeout=cache_ttl
                )
        if exclude:
            busy = {pair: [e for e in entries if e[0] not in exclude] for pair, entries in busy.items()}
        if self.blocks is not None:
            # Added after caching: blocks are read fresh each time (``booking.adapters.blocks``).
            for pair, extra in self.blocks.entries(book, days).items():
                busy[pair] = [*busy.get(pair, []), *extra]
        return busy

    def read(self, master_ids: set[int], first: date, last: date, book: ScheduleBook) -> Busy:
        """Active appointments of these masters touching the dates, bucketed by local date."""
        # Two days around the range in UTC cover every time zone's local dates and any
        # appointment that starts the day before and runs past midnight.
        lower = datetime.combine(first - timedelta(days=2), time(), tzinfo=UTC)
        upper = datetime.combine(last + timedelta(days=2), time(), tzinfo=UTC)
        model = self.appointment_model
        gap_field = "service__min_gap_after_minutes" if has_field(model, "service") else None
        seat_field = "seat" if has_field(model, "seat") else None
        rows = model.objects.filter(
            master_id__in=master_ids,
            status__in=self.statuses,
            datetime_start__gte=lower,
            datetime_start__lt=upper,
        )
        start_field = "datetime_start"
        if connections[rows.db].vendor in EPOCH_VENDORS:
            rows, start_field = rows.annotate(start_epoch=EpochSeconds("datetime_start")), "start_epoch"
        fields = ["id", "master_id", start_field, "duration_minutes"]
        rows = rows.values_list(*fields, *filter(None, [gap_field, seat_field]))
        calendars: dict[Any, LocalDays] = {}
        out: Busy = defaultdict(list)
        for pk, master_id, start_at, duration, *extra in rows:
            gap = int(extra[0] or 0) if gap_field else 0
            seat = int(extra[-1]) if seat_field else 0
            start = start_at // 60 if type(start_at) is int else to_minutes(start_at)
            end = start + int(duration)
            master = book.masters.get(master_id)
            tz = self.policy.master_tz(master) if master is not None else self.policy.salon_tz
            days = calendars.get(tz)
            if days is None:
                days = calendars[tz] = LocalDays(first, last, tz)
            for day in days.touched(start, end + gap):
                out[(master_id, day)].append([pk, start, end, gap, seat])
        return out


class EpochSeconds(Func):
    """Seconds since the UTC epoch of a datetime column, computed by the database.

    A cold month view reads thousands of appointments; turning each stored start into an aware
    datetime (on SQLite: parsing its text) only to turn it into minutes was most of its cost.
    SQLite and PostgreSQL compute the number themselves (``EPOCH_VENDORS``); on another
    database the reader takes the datetime and converts it (``to_minutes``).
    """

    output_field = BigIntegerField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        raise NotSupportedError(f"EpochSeconds is not implemented for {connection.vendor}")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"CAST(strftime('%%s', {sql}) AS INTEGER)", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {sql})) AS BIGINT)", params


EPOCH_VENDORS = {"sqlite", "postgresql"}


class LocalDays:
    """The local dates of one time zone over a range, by epoch minute: one bisect per lookup.

    Converting every appointment's start and end to a local datetime only to learn its date
    was most of a cold month view's cost; the dates' local midnights are computed once instead.
    """

    def __init__(self, first: date, last: date, tz: Any) -> None:
        self.days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        # Midnight of each date, and of the day after the last one.
        self.midnights = [local_minutes(day, time(), tz) for day in [*self.days, last + timedelta(days=1)]]

    def touched(self, start: int, end: int) -> list[date]:
        """The dates of the range that the interval [start, end) touches."""
        if end <= self.midnights[0] or start >= self.midnights[-1]:
            return []
        lo = max(0, bisect_right(self.midnights, start) - 1)
        hi = min(len(self.days), bisect_left(self.midnights, end))
        return self.days[lo:hi]
