"""The staff's day timeline: masters as columns, the day's time as rows, appointments as blocks.

``build_day_timeline`` is a selector: it reads a day in a constant number of queries (settings,
masters, their schedule, the day's appointments) and returns plain dataclasses that already
say where everything sits, so the template only places them. ``timeline_view`` checks the
permission, parses the date and renders.

Decisions a reader may wonder about:
- Times are shown in the salon's local time; a master with a time zone of their own has their
  hours converted. The axis runs in real minutes from its first label, so a DST day shows the
  jump in its labels instead of a gap or an overlap.
- Cancelled appointments are not shown: they free the time, and showing them would put two
  blocks on one slot. Completed and no-show ones stay (the past stays readable).
- A public holiday closes the salon for the bot (the adapter skips it), so every column is
  shaded and the holiday is named; appointments that staff booked anyway are still shown.
- A master with several seats (or overlapping past appointments) gets one lane per overlap,
  so no block hides another.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from booking.adapters.availability import (
    DjangoAvailabilityAdapter,
    ScheduleBook,
    WorkingHours,
    from_minutes,
    to_minutes,
)
from booking.adapters.blocks import occurs_on
from booking.adapters.minutes import local_minutes
from booking.validators import in_calendar
from djproject.salon.booking import get_adapter
from djproject.salon.models import Appointment, Master

VIEW_PERMISSION = "salon.view_appointment"

# One grid track per TRACK_MINUTES places blocks to the five minutes; a labelled row every
# ROW_MINUTES keeps the page readable.
TRACK_MINUTES = 5
ROW_MINUTES = 30
FALLBACK_HOURS = (time(8), time(20))  # when nobody works and nothing is booked
HEADER_TRACKS = 1  # the grid's first row holds the masters' names


@dataclass(frozen=True)
class Span:
    """A stretch of the axis in minutes after its start; converts itself to grid lines."""

    start: int
    end: int

    @property
    def grid_rows(self) -> str:
        """CSS ``grid-row`` value: tracks after the header row, at least one track high."""
        first = self.start // TRACK_MINUTES
        last = max(first + 1, math.ceil(self.end / TRACK_MINUTES))
        return f"{first + HEADER_TRACKS + 1} / {last + HEADER_TRACKS + 1}"


@dataclass(frozen=True)
class TimeRow:
    """One labelled row of the axis (every ``ROW_MINUTES``)."""

    label: str
    span: Span


@dataclass(frozen=True)
class Shade:
    """A shaded stretch of a column: ``kind`` is "closed" (outside hours), "break", "block" (a
    time block, labelled with its reason) or "off"."""

    kind: str
    label: str
    span: Span


@dataclass(frozen=True)
class Block:
    """One appointment as the staff read it, in the salon's local time."""

    appointment_id: int
    starts: datetime
    ends: datetime
    client: str
    service: str
    status: str
    status_label: str
    span: Span
    grid_column: int


@dataclass(frozen=True)
class MasterColumn:
    """One master's day: hours (local), shading, appointments, and where the column sits."""

    master_id: int
    name: str
    hours: tuple[datetime, datetime] | None
    off_reason: str
    shades: list[Shade]
    blocks: list[Block]
    grid_column: int
    lanes: int

    @property
    def grid_columns(self) -> str:
        return f"{self.grid_column} / span {self.lanes}"


@dataclass(frozen=True)
class DayTimeline:
    """Everything the timeline page shows for one date."""

    day: date
    today: date
    tz: ZoneInfo
    holiday: str | None
    starts: datetime
    ends: datetime
    rows: list[TimeRow]
    columns: list[MasterColumn]
    tracks: int
    restricted: bool = False

    @property
    def lane_count(self) -> int:
        """Grid columns taken by the masters (one per lane)."""
        return sum(c.lanes for c in self.columns)

    @property
    def previous_day(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=1)

    @property
    def axis(self) -> Span:
        return Span(0, self.tracks * TRACK_MINUTES)


def build_day_timeline(
    day: date, *, viewer_id: int | None = None, adapter: DjangoAvailabilityAdapter | None = None
) -> DayTimeline:
    """The timeline of ``day`` for the active masters, in their admin order.

    ``viewer_id`` is the id of the staff user looking: when that user is a master's staff
    login, only that master's column is built (superusers pass None to see everyone).
    Queries: site and booking settings, masters, the schedule (masters, weekday rows, days
    off) and the appointments — the same handful for 1 master or 50.
    """
    adapter = adapter or get_adapter()
    tz = adapter.salon_tz
    masters = _visible_masters(viewer_id)
    restricted = viewer_id is not None and any(m.user_id == viewer_id for m in masters)
    if restricted:
        masters = [m for m in masters if m.user_id == viewer_id and m.status == Master.STATUS_ACTIVE]
    else:
        masters = [m for m in masters if m.status == Master.STATUS_ACTIVE]

    day_start = datetime.combine(day, time(), tzinfo=tz)
    day_end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    ids = [m.pk for m in masters]
    # The adapter's own loader, so the same rows and fallbacks decide a master's hours here as
    # in booking (it has no public name yet; it costs three queries whatever the masters).
    book = adapter.schedule_book(ids, day, day) if ids else None
    hours = {m.pk: adapter.working_hours(book, m, day) for m in masters} if book else {}
    appointments = _appointments(ids, day_start, day_end)
    blocks = _time_blocks(adapter, book, day) if book else {}

    starts, ends = _axis_bounds(day, tz, hours.values(), appointments, day_start, day_end)
    offset = to_minutes(starts)
    tracks = max(1, math.ceil((to_minutes(ends) - offset) / TRACK_MINUTES))
    axis_end = tracks * TRACK_MINUTES

    def span(a: int, b: int) -> Span:
        return Span(max(0, a - offset), min(axis_end, b - offset))

    holiday = adapter.holiday_name(day) if adapter.is_holiday(day) else None
    columns: list[MasterColumn] = []
    next_column = 2  # column 1 is the time axis
    for master in masters:
        shift = hours.get(master.pk)
        own = [a for a in appointments if a.master_id == master.pk]
        lanes = _lanes(own)
        lane_total = max(lanes.values(), default=0) + 1
        off_reason = _off_reason(master, day, book, shift, holiday)
        columns.append(
            MasterColumn(
                master_id=master.pk,
                name=master.name,
                hours=(from_minutes(shift.start, tz), from_minutes(shift.end, tz)) if shift else None,
                off_reason=off_reason,
                shades=_shades(shift, off_reason, span, axis_end)
                + [Shade("block", label, span(a, b)) for label, a, b in blocks.get(master.pk, [])],
                blocks=[
                    Block(
                        appointment_id=a.pk,
                        starts=a.datetime_start.astimezone(tz),
                        ends=a.datetime_end.astimezone(tz),
                        client=str(a.client) if a.client_id else _("No client"),
                        service=a.service.name,
                        status=a.status,
                        status_label=str(a.get_status_display()),
                        span=span(to_minutes(a.datetime_start), to_minutes(a.datetime_end)),
                        grid_column=next_column + lanes[a.pk],
                    )
                    for a in own
                ],
                grid_column=next_column,
                lanes=lane_total,
            )
        )
        next_column += lane_total

    rows = []
    for minute in range(0, axis_end, ROW_MINUTES):
        label = from_minutes(offset + minute, tz).strftime("%H:%M")
        rows.append(TimeRow(label=label, span=Span(minute, min(axis_end, minute + ROW_MINUTES))))

    return DayTimeline(
        day=day,
        today=adapter.today(),
        tz=tz,
        holiday=holiday,
        starts=starts,
        ends=from_minutes(offset + axis_end, tz),
        rows=rows,
        columns=columns,
        tracks=tracks,
        restricted=restricted,
    )


def _visible_masters(viewer_id: int | None) -> list[Master]:
    """Active masters, plus the viewer's own master row whatever its status (one query).

    Fetching the viewer's row too tells apart "staff without a master profile" (sees all)
    from "a master whose profile is inactive" (sees nothing, not everyone).
    """
    condition = Q(status=Master.STATUS_ACTIVE)
    if viewer_id is not None:
        condition |= Q(user_id=viewer_id)
    return list(Master.objects.filter(condition))  # Meta.ordering: the admin's order


def _appointments(master_ids: list[int], day_start: datetime, day_end: datetime) -> list[Appointment]:
    """Every appointment of these masters that touches the local day, except cancelled ones."""
    if not master_ids:
        return []
    return list(
        Appointment.objects.filter(
            master_id__in=master_ids, datetime_start__lt=day_end, datetime_end__gt=day_start
        )
        .exclude(status=Appointment.STATUS_CANCELLED)
        .select_related("service", "client")
        .order_by("datetime_start", "pk")
    )


def _axis_bounds(
    day: date,
    tz: ZoneInfo,
    shifts: Iterable[WorkingHours | None],
    appointments: list[Appointment],
    day_start: datetime,
    day_end: datetime,
) -> tuple[datetime, datetime]:
    """From the earliest start to the latest end of the hours and appointments, on whole rows.

    Appointments count too: one booked before the shift (or on a day off) must still show.
    """
    starts = [s.start for s in shifts if s is not None]
    ends = [s.end for s in shifts if s is not None]
    starts += [to_minutes(max(a.datetime_start, day_start)) for a in appointments]
    ends += [to_minutes(min(a.datetime_end, day_end)) for a in appointments]
    if not starts:
        return (
            datetime.combine(day, FALLBACK_HOURS[0], tzinfo=tz),
            datetime.combine(day, FALLBACK_HOURS[1], tzinfo=tz),
        )
    first = from_minutes(min(starts), tz)
    last = from_minutes(max(ends), tz)
    # Round outward to the row grid on the local clock, so labels read 09:00, 09:30, ...
    start = max(first.replace(minute=first.minute - first.minute % ROW_MINUTES, second=0), day_start)
    whole_rows = math.ceil((to_minutes(last) - to_minutes(start)) / ROW_MINUTES)
    end = min(from_minutes(to_minutes(start) + whole_rows * ROW_MINUTES, tz), day_end)
    return start, end


def _lanes(appointments: list[Appointment]) -> dict[int, int]:
    """Lane of each appointment: the first lane free at its start (interval partitioning)."""
    lane_ends: list[datetime] = []
    lanes: dict[int, int] = {}
    for a in appointments:  # sorted by start
        for index, busy_until in enumerate(lane_ends):
            if busy_until <= a.datetime_start:
                lane_ends[index] = a.datetime_end
                lanes[a.pk] = index
                break
        else:
            lanes[a.pk] = len(lane_ends)
            lane_ends.append(a.datetime_end)
    return lanes


def _off_reason(
    master: Master, day: date, book: ScheduleBook, shift: WorkingHours | None, holiday: str | None
) -> str:
    """Why the master does not work today ("" when they do): the first reason that applies."""
    if holiday:
        return _("Public holiday")  # the page's banner names it
    if (master.pk, day) in book.days_off:
        return _("Day off")
    if shift is None:
        return _("Not working")
    return ""


def _shades(
    shift: WorkingHours | None, off_reason: str, span: Callable[[int, int], Span], axis_end: int
) -> list[Shade]:
    """Shaded stretches of a column: all of it on a day off, else outside hours and the break."""
    if off_reason or shift is None:
        return [Shade("off", off_reason, Span(0, axis_end))]
    shades = []
    before, after = span(-(10**9), shift.start), span(shift.end, 10**12)
    if before.end > before.start:
        shades.append(Shade("closed", "", before))
    if shift.break_:
        shades.append(Shade("break", _("Break"), span(*shift.break_)))
    if after.end > after.start:
        shades.append(Shade("closed", "", after))
    return shades


def _time_blocks(
    adapter: DjangoAvailabilityAdapter, book: ScheduleBook, day: date
) -> dict[int, list[tuple[str, int, int]]]:
    """(reason, start, end) of each master's time blocks on the day, in epoch minutes: one query
    (the adapter's own block reader, so the timeline shows what the bot subtracts)."""
    reader = adapter.busy.blocks
    if reader is None:
        return {}
    out: dict[int, list[tuple[str, int, int]]] = {}
    for row in reader.rows(set(book.masters), day, day):
        if not occurs_on(row, day):
            continue
        for master_id in [row.master_id] if row.master_id else list(book.masters):
            master = book.masters.get(master_id)
            if master is None:
                continue
            tz = adapter.master_tz(master)
            label = row.reason or _("Blocked")
            start, end = local_minutes(day, row.start_time, tz), local_minutes(day, row.end_time, tz)
            out.setdefault(master_id, []).append((label, start, end))
    return out


def parse_day(value: str | None, default: date) -> date | None:
    """The ``date`` query parameter (YYYY-MM-DD), or None when it is present but not a date."""
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def viewer_id_for(user: Any) -> int | None:
    """Whose column limit applies: superusers see every master; other staff are checked."""
    return None if user.is_superuser else user.pk


def timeline_view(request: HttpRequest) -> TemplateResponse:
    """The day timeline page; wrapped in ``admin.site.admin_view`` (login and staff check)."""
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    adapter = get_adapter()
    raw = request.GET.get("date")
    day = parse_day(raw, adapter.today())
    if day is None:
        messages.warning(request, _("“%(value)s” is not a date; showing today.") % {"value": raw})
        day = adapter.today()
    elif not in_calendar(day):  # 9999-12-31 has no next day to link to
        messages.warning(request, _("“%(value)s” lies outside the calendar; showing today.") % {"value": raw})
        day = adapter.today()
    timeline = build_day_timeline(day, viewer_id=viewer_id_for(request.user), adapter=adapter)
    context = {
        **admin.site.each_context(request),
        "title": _("Day timeline"),
        "subtitle": f"{date_format(day, 'l')}, {date_format(day, 'DATE_FORMAT')}",
        "timeline": timeline,
    }
    return TemplateResponse(request, "admin/salon/timeline.html", context)
