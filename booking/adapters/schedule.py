"""Schedule fallbacks: a master's hours and break on a date, and the days they are off.

Per master and date (a newcomer's questions answered once):
- Which days: a master with weekday rows (``working_day_model``) works those weekdays; a
  master without any row works the salon's open weekdays (booking settings' weekly hours).
- Which hours: the weekday row's hours, else the master's own default hours, else the
  salon's default hours for that weekday.
- Break: the weekday row's break, else the master's default break.
- Times are local wall-clock times of the master's time zone (else the salon's), turned into
  epoch minutes here, so DST days are 23 or 25 hours long.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from booking.adapters.catalogue import HeldCatalogue, copied
from booking.adapters.fields import has_field
from booking.adapters.minutes import from_minutes, local_minutes
from booking.adapters.policy import SettingsPolicy


@dataclass(frozen=True)
class WorkingHours:
    """One master's shift on one date, in minutes since the UTC epoch, and its time zone."""

    start: int
    end: int
    break_: tuple[int, int] | None
    tz: zoneinfo.ZoneInfo


@dataclass
class ScheduleBook:
    """Everything that decides some masters' hours over a date range, loaded in a few queries."""

    masters: dict[int, Any]
    rows: dict[tuple[int, int], Any]  # (master id, weekday) -> working-day row
    has_rows: set[int]  # masters with at least one working-day row
    days_off: set[tuple[int, date]]


class MasterRows:
    """Master rows by id, each read at most once per adapter (the request builder adds rows too),
    from the held catalogue where there is one."""

    def __init__(self, master_model: type[Any], catalogue: HeldCatalogue | None = None) -> None:
        self.master_model = master_model
        self.catalogue = catalogue
        self.known: dict[int, Any] = {}
        # Only masters with a ``status`` field can be inactive; the mixins have none.
        self.status_filtered = has_field(master_model, "status")

    def remember(self, master: Any) -> None:
        self.known[master.pk] = master

    def by_id(self, master_ids: Iterable[int]) -> dict[int, Any]:
        wanted = set(master_ids)
        if missing := wanted - self.known.keys():
            held = self.catalogue.rows() if self.catalogue is not None else None
            if held is None:
                self.known.update((m.pk, m) for m in self.master_model.objects.filter(pk__in=missing))
            else:
                self.known.update((pk, copied(held.masters[pk])) for pk in missing if pk in held.masters)
        return {pk: self.known[pk] for pk in wanted if pk in self.known}


class ScheduleReader:
    """Reads working days and days off in batches and answers "when does this master work"."""

    def __init__(
        self,
        masters: MasterRows,
        working_day_model: type[Any],
        day_off_model: type[Any],
        policy: SettingsPolicy,
        catalogue: HeldCatalogue | None = None,
    ) -> None:
        self.masters = masters
        self.working_day_model = working_day_model
        self.day_off_model = day_off_model
        self.policy = policy
        self.catalogue = catalogue

    def schedule_book(self, master_ids: list[int], start_date: date, end_date: date) -> ScheduleBook:
        """Rows, weekday schedules and days off of these masters over the range: three queries,
        one where the catalogue is held (days off)."""
        masters = self.masters.by_id(master_ids)
        rows: dict[tuple[int, int], Any] = {}
        held = self.catalogue.rows() if self.catalogue is not None else None
        if held is None:
            weekday_rows = list(self.working_day_model.objects.filter(master_id__in=master_ids))
        else:
            weekday_rows = [copied(r) for m in master_ids for r in held.weekdays_of.get(m, ())]
        for row in weekday_rows:
            rows[(row.master_id, row.weekday)] = row
        days_off = set(
            self.day_off_model.objects.filter(
                master_id__in=master_ids, date__gte=start_date, date__lte=end_date
            ).values_list("master_id", "date")
        )
        return ScheduleBook(masters=masters, rows=rows, has_rows={m for m, _ in rows}, days_off=days_off)

    def working_hours(self, book: ScheduleBook, master: Any, day: date) -> WorkingHours | None:
        """The master's shift on a date after the fallbacks above, or None when not working."""
        weekday = day.weekday()
        row = book.rows.get((master.pk, weekday))
        if row is not None:
            start_t, end_t = row.start_time, row.end_time
            brk = (row.break_start, row.break_end)
        elif master.pk in book.has_rows:
            return None  # the master's weekday rows define their week
        else:
            salon_start, salon_end = self.salon_hours(weekday)
            if not (salon_start and salon_end):
                return None  # the salon is closed on this weekday
            own_start, own_end = getattr(master, "work_start", None), getattr(master, "work_end", None)
            start_t, end_t = (own_start, own_end) if own_start and own_end else (salon_start, salon_end)
            brk = (getattr(master, "break_start", None), getattr(master, "break_end", None))
        if not (start_t and end_t) or end_t <= start_t:
            return None
        tz = self.policy.master_tz(master)
        start, end = local_minutes(day, start_t, tz), local_minutes(day, end_t, tz)
        break_ = None
        if brk[0] and brk[1] and brk[0] < brk[1]:
            break_ = (local_minutes(day, brk[0], tz), local_minutes(day, brk[1], tz))
        return WorkingHours(start=start, end=end, break_=break_, tz=tz)

    def salon_hours(self, weekday: int) -> tuple[time | None, time | None]:
        """The salon's default hours on a weekday (booking settings), (None, None) when closed."""
        bs = self.policy.booking_settings
        if hasattr(bs, "default_hours"):
            return bs.default_hours(weekday)
        if weekday < 5:
            return getattr(bs, "work_start_weekdays", None), getattr(bs, "work_end_weekdays", None)
        if weekday == 5:
            return getattr(bs, "work_start_saturday", None), getattr(bs, "work_end_saturday", None)
        return None, None

    def hours_on(self, master: Any, target_date: date) -> WorkingHours | None:
        """One master's shift on one date (its own small book)."""
        return self.working_hours(
            self.schedule_book([master.pk], target_date, target_date), master, target_date
        )

    def get_working_hours(self, master: Any, target_date: date) -> tuple[datetime, datetime] | None:
        """The master's (start, end) on a date as aware local datetimes, or None if not working."""
        hours = self.hours_on(master, target_date)
        if hours is None:
            return None
        return from_minutes(hours.start, hours.tz), from_minutes(hours.end, hours.tz)

    def get_break_interval(self, master: Any, target_date: date) -> tuple[datetime, datetime] | None:
        """The master's break on a date as aware local datetimes, or None."""
        hours = self.hours_on(master, target_date)
        if hours is None or hours.break_ is None:
            return None
        return from_minutes(hours.break_[0], hours.tz), from_minutes(hours.break_[1], hours.tz)
