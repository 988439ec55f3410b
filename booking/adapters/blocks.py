"""Time blocks: part-day absences of a master or of the whole salon, as busy entries.

The reusable app knows blocks only through an optional model handed to the adapter
(``time_block_model``), read by field name: ``master`` (nullable FK: empty = every master),
``date``, ``start_time``, ``end_time`` and, when present, ``weekly`` and ``repeat_until``.
Without the model nothing here runs and no query is made.

Blocks are not cached with the appointments' busy intervals: they are read fresh in one query
per batch (a small table), so saving or removing a block can never leave a stale calendar and
the cache needs no invalidation for them. A block becomes one entry per seat of the master,
``[-block id, start, end, 0, seat]``: the negative id tells it apart from an appointment (no
buffer around it, and ``check_placement`` names it ``BLOCKED``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Q

from booking.adapters.cache import BusyEntry
from booking.adapters.fields import has_field
from booking.adapters.minutes import local_minutes
from booking.adapters.policy import SettingsPolicy
from booking.adapters.schedule import ScheduleBook
from booking.adapters.seats import capacity_of

Blocks = dict[tuple[int, date], list[BusyEntry]]


def is_block(entry: BusyEntry) -> bool:
    """A block's entry (negative id), not an appointment's."""
    return entry[0] < 0


def occurs_on(row: Any, day: date) -> bool:
    """Whether a block row applies on ``day``: its own date, or a later same weekday when weekly."""
    if day == row.date:
        return True
    if not getattr(row, "weekly", False) or day < row.date or day.weekday() != row.date.weekday():
        return False
    until = getattr(row, "repeat_until", None)
    return until is None or day <= until


class TimeBlocks:
    """Reads the blocks touching a batch in one query and spreads them over masters and dates."""

    def __init__(self, model: type[Any] | None, policy: SettingsPolicy) -> None:
        self.model = model
        self.policy = policy

    def rows(self, master_ids: set[int] | list[int], first: date, last: date) -> list[Any]:
        """Blocks of these masters or of the whole salon that may occur in [first, last]."""
        if self.model is None or not master_ids:
            return []
        on_dates = Q(date__gte=first, date__lte=last)
        if has_field(self.model, "weekly"):
            repeating = Q(weekly=True, date__lte=last)
            if has_field(self.model, "repeat_until"):
                repeating &= Q(repeat_until__isnull=True) | Q(repeat_until__gte=first)
            on_dates |= repeating
        who = Q(master__isnull=True) | Q(master_id__in=list(master_ids))
        return list(self.model.objects.filter(who & on_dates).order_by("pk"))

    def entries(self, book: ScheduleBook, days: list[date]) -> Blocks:
        """Busy entries of every block on every (master of the book, date)."""
        if self.model is None or not days or not book.masters:
            return {}
        out: Blocks = defaultdict(list)
        for row in self.rows(set(book.masters), min(days), max(days)):
            masters = [row.master_id] if row.master_id is not None else list(book.masters)
            for day in days:
                if not occurs_on(row, day):
                    continue
                for master_id in masters:
                    master = book.masters.get(master_id)
                    if master is None:
                        continue
                    tz = self.policy.master_tz(master)
                    start = local_minutes(day, row.start_time, tz)
                    end = local_minutes(day, row.end_time, tz)
                    for seat in range(capacity_of(master)):
                        out[(master_id, day)].append([-row.pk, start, end, 0, seat])
        return out


def weekly_days(row: Any, first: date, last: date) -> list[date]:
    """The dates in [first, last] a block row occurs on (for callers outside the adapter)."""
    days = []
    day = max(first, row.date)
    while day <= last:
        if occurs_on(row, day):
            days.append(day)
        day += timedelta(days=1)
    return days
