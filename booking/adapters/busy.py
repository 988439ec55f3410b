"""Busy intervals: what the active appointments occupy, per (master, local date), via the cache.

The appointments query is skipped for every (master, date) whose busy intervals are cached.
``cache_ttl=0`` (inside a booking transaction) reads the database only and writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from booking.adapters.cache import BookingCacheAdapter, BusyEntry
from booking.adapters.fields import has_field
from booking.adapters.minutes import from_minutes, to_minutes
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
    ) -> None:
        self.appointment_model = appointment_model
        self.statuses = statuses
        self.cache = cache
        self.policy = policy

    def entries(self, book: ScheduleBook, days: list[date], cache_ttl: int, exclude: set[int]) -> Busy:
        """Busy entries of every master of the book on every date, cached ones first."""
        pairs = [(m, d) for m in book.masters for d in days]
        cached = self.cache.get_busy_many([(m, d.isoformat()) for m, d in pairs]) if cache_ttl > 0 else {}
        busy: Busy = {}
        missing: list[tuple[int, date]] = []
        for m, d in pairs:
            hit = cached.get((str(m), d.isoformat()))
            if hit is None:
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
        ).values(
            "id", "master_id", "datetime_start", "duration_minutes", *filter(None, [gap_field, seat_field])
        )
        out: Busy = defaultdict(list)
        for row in rows:
            pk, master_id = row["id"], row["master_id"]
            gap = int(row[gap_field] or 0) if gap_field else 0
            seat = int(row[seat_field]) if seat_field else 0
            start = to_minutes(row["datetime_start"])
            end = start + int(row["duration_minutes"])
            master = book.masters.get(master_id)
            tz = self.policy.master_tz(master) if master is not None else self.policy.salon_tz
            day = from_minutes(start, tz).date()
            last_day = from_minutes(end + gap - 1, tz).date()
            while day <= last_day:
                if first <= day <= last:
                    out[(master_id, day)].append([pk, start, end, gap, seat])
                day += timedelta(days=1)
        return out
