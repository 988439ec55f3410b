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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
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
    phone: str = ""
    visit_services: str = ""  # every service of the visit ("Cut + Wash") when it has several


@dataclass(frozen=True)
class FreeCell:
    """A free row of a column: a link to the add form prefilled with master, date and time."""

    starts: datetime
    span: Span
    url: str


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
    day: date | None = None
    free_cells: list[FreeCell] = field(default_factory=list)

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
    now: Span | None = None  # where the "now" line runs, on today's page only
    view: str = "day"  # "day": masters side by side; "week": one master, day by day
    master_choices: list[tuple[int, str]] = field(default_factory=list)
    picked_master_id: int | None = None

    @property
    def kept_query(self) -> str:
        """The picked master and view, for links that move to another date ("&master=3")."""
        kept: dict[str, Any] = {}
        if self.picked_master_id is not None:
            kept["master"] = self.picked_master_id
        if self.view == "week":
            kept["view"] = "week"
        return f"&{urlencode(kept)}" if kept else ""

    @property
    def step_days(self) -> int:
        """How far the previous/next links move."""
        return 7 if self.view == "week" else 1

    @property
    def lane_count(self) -> int:
        """Grid columns taken by the masters (one per lane)."""
        return sum(c.lanes for c in self.columns)

    @property
    def previous_day(self) -> date:
        return self.day - timedelta(days=self.step_days)

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=self.step_days)

    @property
    def axis(self) -> Span:
        return Span(0, self.tracks * TRACK_MINUTES)


def build_day_timeline(
    day: date,
    *,
    viewer_id: int | None = None,
    adapter: DjangoAvailabilityAdapter | None = None,
    master_id: int | None = None,
) -> DayTimeline:
    """The timeline of ``day`` for the active masters, in their admin order.

    ``viewer_id`` is the id of the staff user looking: when that user is a master's staff
    login, only that master's column is built (superusers pass None to see everyone).
    ``master_id`` picks one master's column (a phone's narrow screen). Queries: site and
    booking settings, masters, the schedule (masters, weekday rows, days off) and the
    appointments — the same handful for 1 master or 50.
    """
    adapter = adapter or get_adapter()
    tz = adapter.salon_tz
    masters, restricted = _masters_for(viewer_id)
    choices = [(m.pk, m.name) for m in masters]
    if master_id is not None and any(m.pk == master_id for m in masters):
        masters = [m for m in masters if m.pk == master_id]
    else:
        master_id = None

    day_start = datetime.combine(day, time(), tzinfo=tz)
    day_end = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
    ids = [m.pk for m in masters]
    # The adapter's own loader, so the same rows and fallbacks decide a master's hours here as
    # in booking (it has no public name yet; it costs three queries whatever the masters).
    book = adapter.schedule_book(ids, day, day) if ids else None
    hours = {m.pk: adapter.working_hours(book, m, day) for m in masters} if book else {}
    appointments = _appointments(ids, day_start, day_end)
    blocks = _time_blocks(adapter, book, [day]) if book else {}

    starts, ends = _axis_bounds(day, tz, hours.values(), appointments, day_start, day_end)
    offset = to_minutes(starts)
    tracks = max(1, math.ceil((to_minutes(ends) - offset) / TRACK_MINUTES))
    axis = _Axis(offset, tracks * TRACK_MINUTES, to_minutes(adapter.now()))

    holiday = adapter.holiday_name(day) if adapter.is_holiday(day) else None
    services = _visit_services(appointments)
    columns: list[MasterColumn] = []
    next_column = 2  # column 1 is the time axis
    for master in masters:
        own = [a for a in appointments if a.master_id == master.pk]
        shift = hours.get(master.pk)
        off_reason = _off_reason(master, day, book, shift, holiday)
        columns.append(
            _column(
                master,
                day,
                shift,
                off_reason,
                own,
                services,
                axis,
                tz,
                next_column,
                blocks.get((master.pk, day), []),
            )
        )
        next_column += columns[-1].lanes

    return DayTimeline(
        day=day,
        today=adapter.today(),
        tz=tz,
        holiday=holiday,
        starts=starts,
        ends=from_minutes(offset + axis.end, tz),
        rows=_rows(axis, tz),
        columns=columns,
        tracks=tracks,
        restricted=restricted,
        now=axis.now_span() if day == adapter.today() else None,
        master_choices=choices,
        picked_master_id=master_id,
    )


def build_week_timeline(
    day: date,
    master_id: int,
    *,
    viewer_id: int | None = None,
    adapter: DjangoAvailabilityAdapter | None = None,
) -> DayTimeline:
    """One master's week (Monday to Sunday around ``day``), a column per day on one axis of
    wall-clock times. Raises ``Master.DoesNotExist`` when the viewer may not see that master.
    Queries as for a day: the schedule and the appointments are loaded for the whole week.
    """
    adapter = adapter or get_adapter()
    tz = adapter.salon_tz
    masters, restricted = _masters_for(viewer_id)
    master = next((m for m in masters if m.pk == master_id), None)
    if master is None:
        raise Master.DoesNotExist
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    book = adapter.schedule_book([master.pk], days[0], days[-1])
    hours = {d: adapter.working_hours(book, master, d) for d in days}
    week_start = datetime.combine(days[0], time(), tzinfo=tz)
    week_end = datetime.combine(days[-1] + timedelta(days=1), time(), tzinfo=tz)
    appointments = _appointments([master.pk], week_start, week_end)
    blocks = _time_blocks(adapter, book, days)

    def local_day(a: Appointment) -> date:
        return a.datetime_start.astimezone(tz).date()

    # One wall-clock axis for the seven days: the earliest start and the latest end of any.
    bounds = []
    for d in days:
        own = [a for a in appointments if local_day(a) == d]
        if hours[d] is not None or own:  # a free day's fallback hours would stretch the axis
            start, end = _axis_bounds(d, tz, [hours[d]], own, *_day_limits(d, tz))
            bounds.append((_wall_minutes(start, d), _wall_minutes(end, d)))
    if not bounds:
        bounds = [(FALLBACK_HOURS[0].hour * 60, FALLBACK_HOURS[1].hour * 60)]
    first = min(b[0] for b in bounds)
    tracks = max(1, math.ceil((max(b[1] for b in bounds) - first) / TRACK_MINUTES))
    services = _visit_services(appointments)
    today, now = adapter.today(), to_minutes(adapter.now())
    columns: list[MasterColumn] = []
    next_column = 2
    axis_today: _Axis | None = None
    for d in days:
        axis = _Axis(local_minutes(d, _clock(first), tz), tracks * TRACK_MINUTES, now)
        axis_today = axis if d == today else axis_today
        holiday = adapter.holiday_name(d) if adapter.is_holiday(d) else None
        off_reason = _off_reason(master, d, book, hours[d], holiday)
        own = [a for a in appointments if local_day(a) == d]
        column = _column(
            master,
            d,
            hours[d],
            off_reason,
            own,
            services,
            axis,
            tz,
            next_column,
            blocks.get((master.pk, d), []),
        )
        columns.append(column)
        next_column += column.lanes
    first_axis = _Axis(local_minutes(days[0], _clock(first), tz), tracks * TRACK_MINUTES, now)
    return DayTimeline(
        day=day,
        today=today,
        tz=tz,
        holiday=None,
        starts=from_minutes(first_axis.offset, tz),
        ends=from_minutes(first_axis.offset + first_axis.end, tz),
        rows=_rows(first_axis, tz),
        columns=columns,
        tracks=tracks,
        restricted=restricted,
        now=axis_today.now_span() if axis_today else None,
        view="week",
        master_choices=[(m.pk, m.name) for m in masters],
        picked_master_id=master.pk,
    )


@dataclass(frozen=True)
class _Axis:
    """A column's axis: its first minute (epoch), its length, and the current minute."""

    offset: int
    end: int
    now: int

    def span(self, a: int, b: int) -> Span:
        return Span(max(0, a - self.offset), min(self.end, b - self.offset))

    def now_span(self) -> Span | None:
        at = self.now - self.offset
        return Span(at, at + 1) if 0 <= at < self.end else None


def _day_limits(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return (
        datetime.combine(day, time(), tzinfo=tz),
        datetime.combine(day + timedelta(days=1), time(), tzinfo=tz),
    )


def _wall_minutes(moment: datetime, day: date) -> int:
    """Minutes after local midnight as the clock reads them (24:00 for the next midnight)."""
    return 24 * 60 if moment.date() > day else moment.hour * 60 + moment.minute


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60) if minutes < 24 * 60 else time(23, 59)


def _rows(axis: _Axis, tz: ZoneInfo) -> list[TimeRow]:
    rows = []
    for minute in range(0, axis.end, ROW_MINUTES):
        label = from_minutes(axis.offset + minute, tz).strftime("%H:%M")
        rows.append(TimeRow(label=label, span=Span(minute, min(axis.end, minute + ROW_MINUTES))))
    return rows


def _masters_for(viewer_id: int | None) -> tuple[list[Master], bool]:
    """The masters this viewer sees, and whether that is their own column only."""
    masters = _visible_masters(viewer_id)
    restricted = viewer_id is not None and any(m.user_id == viewer_id for m in masters)
    if restricted:
        return [m for m in masters if m.user_id == viewer_id and m.status == Master.STATUS_ACTIVE], True
    return [m for m in masters if m.status == Master.STATUS_ACTIVE], False


def _visit_services(appointments: list[Appointment]) -> dict[Any, str]:
    """ "Cut + Wash" per booking reference among the loaded appointments (no further query)."""
    names: dict[Any, list[str]] = {}
    for a in appointments:  # sorted by start
        names.setdefault(a.booking_ref, []).append(a.service.name)
    return {ref: " + ".join(n) for ref, n in names.items() if len(n) > 1}


def _column(
    master: Master,
    day: date,
    shift: WorkingHours | None,
    off_reason: str,
    own: list[Appointment],
    services: dict[Any, str],
    axis: _Axis,
    tz: ZoneInfo,
    grid_column: int,
    time_blocks: Sequence[tuple[str, int, int]] = (),
) -> MasterColumn:
    """One column of the grid: a master's day; ``time_blocks`` are (reason, start, end) in
    epoch minutes, shaded and never offered as free cells."""
    lanes = _lanes(own)
    return MasterColumn(
        master_id=master.pk,
        name=master.name,
        hours=(from_minutes(shift.start, tz), from_minutes(shift.end, tz)) if shift else None,
        off_reason=off_reason,
        shades=_shades(shift, off_reason, axis.span, axis.end)
        + [Shade("block", label, axis.span(a, b)) for label, a, b in time_blocks],
        blocks=[
            Block(
                appointment_id=a.pk,
                starts=a.datetime_start.astimezone(tz),
                ends=a.datetime_end.astimezone(tz),
                client=str(a.client) if a.client_id else _("No client"),
                service=a.service.name,
                status=a.status,
                status_label=str(a.get_status_display()),
                span=axis.span(to_minutes(a.datetime_start), to_minutes(a.datetime_end)),
                grid_column=grid_column + lanes[a.pk],
                phone=a.client.phone if a.client_id else "",
                visit_services=services.get(a.booking_ref, ""),
            )
            for a in own
        ],
        grid_column=grid_column,
        lanes=max(lanes.values(), default=0) + 1,
        day=day,
        free_cells=_free_cells(master, shift, off_reason, own, axis, tz, time_blocks),
    )


def _free_cells(
    master: Master,
    shift: WorkingHours | None,
    off_reason: str,
    own: list[Appointment],
    axis: _Axis,
    tz: ZoneInfo,
    time_blocks: Sequence[tuple[str, int, int]] = (),
) -> list[FreeCell]:
    """Rows inside the shift, outside the break, clear of appointments and not in the past.

    Only a hint for staff: the add form still checks the placement (buffers, cleanup).
    """
    if off_reason or shift is None:
        return []
    busy = [(to_minutes(a.datetime_start), to_minutes(a.datetime_end)) for a in own if a.is_active]
    if shift.break_:
        busy.append(shift.break_)
    busy.extend((start, end) for _label, start, end in time_blocks)
    add_url = reverse("admin:salon_appointment_add")
    cells = []
    for minute in range(0, axis.end, ROW_MINUTES):
        start, end = axis.offset + minute, axis.offset + minute + ROW_MINUTES
        if start < shift.start or end > shift.end or start < axis.now:
            continue
        if any(a < end and start < b for a, b in busy):
            continue
        moment = from_minutes(start, tz)
        query = urlencode({"master": master.pk, "datetime_start": moment.strftime("%Y-%m-%dT%H:%M")})
        cells.append(FreeCell(starts=moment, span=axis.span(start, end), url=f"{add_url}?{query}"))
    return cells


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
    adapter: DjangoAvailabilityAdapter, book: ScheduleBook, days: list[date]
) -> dict[tuple[int, date], list[tuple[str, int, int]]]:
    """(reason, start, end) of each master's time blocks per day, in epoch minutes: one query
    for the whole range (the adapter's own block reader, so the timeline shows what the bot
    subtracts)."""
    reader = adapter.busy.blocks
    if reader is None or not days:
        return {}
    out: dict[tuple[int, date], list[tuple[str, int, int]]] = {}
    for row in reader.rows(set(book.masters), days[0], days[-1]):
        for day in days:
            if not occurs_on(row, day):
                continue
            for master_id in [row.master_id] if row.master_id else list(book.masters):
                master = book.masters.get(master_id)
                if master is None:
                    continue
                tz = adapter.master_tz(master)
                label = row.reason or _("Blocked")
                start, end = local_minutes(day, row.start_time, tz), local_minutes(day, row.end_time, tz)
                out.setdefault((master_id, day), []).append((label, start, end))
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


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


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
    master_id = _int_or_none(request.GET.get("master"))
    viewer = viewer_id_for(request.user)
    timeline = None
    if request.GET.get("view") == "week" and master_id is not None and in_calendar(day + timedelta(days=14)):
        try:
            timeline = build_week_timeline(day, master_id, viewer_id=viewer, adapter=adapter)
        except Master.DoesNotExist:
            messages.warning(request, _("Pick a master to see their week."))
    if timeline is None:
        timeline = build_day_timeline(day, viewer_id=viewer, adapter=adapter, master_id=master_id)
    if timeline.view == "week":
        name = timeline.columns[0].name if timeline.columns else ""
        title = _("Week of %(master)s") % {"master": name}
        monday = day - timedelta(days=day.weekday())
        subtitle = (
            f"{date_format(monday, 'DATE_FORMAT')} – {date_format(monday + timedelta(days=6), 'DATE_FORMAT')}"
        )
    else:
        title = _("Day timeline")
        subtitle = f"{date_format(day, 'l')}, {date_format(day, 'DATE_FORMAT')}"
    context = {
        **admin.site.each_context(request),
        "title": title,
        "subtitle": subtitle,
        "timeline": timeline,
    }
    return TemplateResponse(request, "admin/salon/timeline.html", context)
