"""Bridge between the Django ORM and the slot engine.

Rules enforced here and in ``booking.selectors`` / ``booking.services``:

R1 — Cache invalidation only in ``transaction.on_commit()`` (services, model hooks).
R2 — ``lock_masters()`` uses ``select_for_update(of=("self",))`` on sorted ids, so two
     bookings that need the same masters lock them in the same order and cannot deadlock.
R3 — No ``clean``/``save`` overrides here: the adapter reads and translates, nothing else.

Everything is read in batches: a month of availability for any number of masters costs the
same handful of queries (settings, masters, working days, days off, appointments), and the
appointments query is skipped for every (master, date) whose busy intervals are cached.

The schedule, per master and date (a newcomer's questions answered once):
- Which days: a master with weekday rows (``working_day_model``) works those weekdays; a
  master without any row works the salon's open weekdays (booking settings' weekly hours).
- Which hours: the weekday row's hours, else the master's own default hours, else the
  salon's default hours for that weekday.
- Break: the weekday row's break, else the master's default break.
- Closed: public holidays (site settings' country and subdivision), the master's days off,
  dates before today or beyond ``max_advance_days``; starts before now + ``min_advance_minutes``
  are cut (the master's override, else the settings').
- Times are local wall-clock times of the master's time zone (else the salon's); the engine
  receives aware local datetimes, so DST days are 23 or 25 hours long and start times are
  shown as the salon's clocks show them.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from typing import Any

import holidays
from django.conf import settings as django_settings
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from booking.adapters.cache import BookingCacheAdapter, BusyEntry
from booking.engine import (
    BookingEngineRequest,
    BookingMode,
    EngineResult,
    MasterAvailability,
    ServiceRequest,
)
from booking.errors import UnbookableRequestError

log = logging.getLogger(__name__)

MasterSelections = dict[str, str] | dict[int, int | None] | dict[str, Any] | None

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_minutes(moment: datetime) -> int:
    """Minutes since the UTC epoch (aware datetimes; seconds are dropped)."""
    return int((moment - _EPOCH).total_seconds()) // 60


def from_minutes(minutes: int, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.fromtimestamp(minutes * 60, tz=tz)


def resource_id(master_id: int, seat: int, capacity: int) -> str:
    """Engine resource id of one seat of a master: "12" for a one-client master, "12/1" else.

    A master who serves several clients at once is several engine resources, one per seat,
    so the engine's answer is exact per seat and matches the database constraint
    (master, seat, time range).
    """
    return str(master_id) if capacity <= 1 else f"{master_id}/{seat}"


def parse_resource_id(value: str) -> tuple[int, int]:
    """(master id, seat) of an engine resource id."""
    master, _, seat = str(value).partition("/")
    return int(master), int(seat or 0)


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


class DjangoAvailabilityAdapter:
    """Universal bridge between Django models and the booking engine; models are injected.

    ``step_minutes=None`` reads the grid step from the booking settings. ``clock`` returns the
    current time (tests pass a fixed one); the engine itself never reads a clock.
    """

    def __init__(
        self,
        master_model: type[Any],
        appointment_model: type[Any],
        service_model: type[Any],
        working_day_model: type[Any],
        day_off_model: type[Any],
        booking_settings_model: type[Any],
        site_settings_model: type[Any],
        step_minutes: int | None = None,
        appointment_status_filter: list[str] | None = None,
        cache_adapter: BookingCacheAdapter | None = None,
        clock: Callable[[], datetime] = timezone.now,
    ) -> None:
        self.master_model = master_model
        self.appointment_model = appointment_model
        self.service_model = service_model
        self.working_day_model = working_day_model
        self.day_off_model = day_off_model
        self.booking_settings_model = booking_settings_model
        self.site_settings_model = site_settings_model
        self._step_minutes = step_minutes
        self._cache = cache_adapter or BookingCacheAdapter()
        self.clock = clock
        self._masters: dict[int, Any] = {}  # rows read by this adapter, by id
        self.appointment_status_filter = list(
            appointment_status_filter
            or getattr(appointment_model, "ACTIVE_STATUSES", None)
            or ["pending", "confirmed", "reschedule_proposed"]
        )

    # ------------------------------------------------------------------------------------------
    # Settings (read once per adapter: an adapter lives for one request or one booking)
    # ------------------------------------------------------------------------------------------

    @cached_property
    def booking_settings(self) -> Any:
        model = self.booking_settings_model
        return model.load() if hasattr(model, "load") else (model.objects.first() or model())

    @cached_property
    def site_settings(self) -> Any:
        model = self.site_settings_model
        return model.load() if hasattr(model, "load") else (model.objects.first() or model())

    @property
    def step_minutes(self) -> int:
        return self._step_minutes or int(getattr(self.booking_settings, "step_minutes", 30) or 30)

    @cached_property
    def salon_tz(self) -> zoneinfo.ZoneInfo:
        return _zone(getattr(self.site_settings, "timezone", "") or django_settings.TIME_ZONE)

    def master_tz(self, master: Any) -> zoneinfo.ZoneInfo:
        name = getattr(master, "timezone", "") or ""
        return _zone(name) if name else self.salon_tz

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().astimezone(self.salon_tz).date()

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        site = self.site_settings
        return _public_holidays(
            getattr(site, "holidays_country", "") or "", getattr(site, "holidays_subdiv", "") or ""
        )

    def is_holiday(self, day: date) -> bool:
        return day in self._holidays

    def holiday_name(self, day: date) -> str | None:
        return self._holidays.get(day)

    def min_advance_minutes(self, master: Any) -> int:
        own = getattr(master, "min_advance_minutes", None)
        return int(own if own is not None else getattr(self.booking_settings, "min_advance_minutes", 0) or 0)

    def max_advance_days(self, master: Any | None = None) -> int:
        own = getattr(master, "max_advance_days", None) if master is not None else None
        if own is None:
            own = getattr(self.booking_settings, "max_advance_days", None)
        return 60 if own is None else int(own)

    def buffer_minutes(self, master: Any) -> int:
        own = getattr(master, "buffer_between_minutes", None)
        if own is not None:
            return int(own)
        return int(getattr(self.booking_settings, "default_buffer_between_minutes", 0) or 0)

    # ------------------------------------------------------------------------------------------
    # Engine request
    # ------------------------------------------------------------------------------------------

    def build_engine_request(
        self,
        service_ids: list[int],
        target_date: date,
        locked_master_id: int | None = None,
        master_selections: MasterSelections = None,
        mode: BookingMode = BookingMode.SINGLE_DAY,
        overlap_allowed: bool = False,
        parallel_groups: dict[int, str] | None = None,
        max_chain_duration_minutes: int | None = None,
    ) -> BookingEngineRequest:
        """The engine request for these services, with every master who may do each of them.

        Raises ``UnbookableRequestError`` when a service is unknown or inactive or nobody may
        do it (the reference silently dropped such a service and booked the rest).
        """
        service_ids = [int(s) for s in service_ids]
        services = {s.pk: s for s in self._services(service_ids)}
        selections = self._normalize_master_selections(service_ids, master_selections)
        eligible = self._eligible_masters({s.category_id for s in services.values()})

        requests: list[ServiceRequest] = []
        for service_id in service_ids:
            service = services.get(service_id)
            if service is None:
                raise UnbookableRequestError(f"Service {service_id} does not exist or is not bookable.")
            candidates = eligible.get(service.category_id, [])
            chosen = locked_master_id if locked_master_id else selections.get(service_id)
            if chosen:
                candidates = [m for m in candidates if m.pk == int(chosen)]
            if not candidates:
                raise UnbookableRequestError(f"No master can do service {service_id} as asked.")
            group = (parallel_groups or {}).get(service_id)
            if group is None:
                group = getattr(service, "parallel_group", "") or None
            requests.append(
                ServiceRequest(
                    service_id=str(service_id),
                    duration_minutes=int(service.duration),
                    min_gap_after_minutes=int(getattr(service, "min_gap_after_minutes", 0) or 0),
                    possible_resource_ids=[rid for m in candidates for rid in self._resource_ids(m)],
                    parallel_group=group,
                )
            )
        return BookingEngineRequest(
            service_requests=_feasible_groups(requests),
            booking_date=target_date,
            mode=mode,
            overlap_allowed=overlap_allowed,
            max_chain_duration_minutes=max_chain_duration_minutes,
        )

    def _services(self, service_ids: Sequence[int]) -> list[Any]:
        qs = self.service_model.objects.filter(pk__in=service_ids)
        if any(f.name == "is_active" for f in self.service_model._meta.fields):
            qs = qs.filter(is_active=True)
        return list(qs)

    def _eligible_masters(self, category_ids: set[int]) -> dict[int, list[Any]]:
        """Active masters per category, in the masters' own order (the engine's tie-break)."""
        through = self.master_model.categories.through
        links = through.objects.filter(category_id__in=category_ids).values_list("master_id", "category_id")
        by_master: dict[int, set[int]] = defaultdict(set)
        for master_id, category_id in links:
            by_master[master_id].add(category_id)
        masters = self.master_model.objects.filter(
            pk__in=list(by_master), status=getattr(self.master_model, "STATUS_ACTIVE", "active")
        )
        result: dict[int, list[Any]] = defaultdict(list)
        for master in masters:  # Meta.ordering
            self._masters[master.pk] = master
            for category_id in by_master[master.pk]:
                result[category_id].append(master)
        return result

    @staticmethod
    def _resource_ids(master: Any) -> list[str]:
        capacity = max(1, int(getattr(master, "max_clients_parallel", 1) or 1))
        return [resource_id(master.pk, seat, capacity) for seat in range(capacity)]

    def _normalize_master_selections(
        self, service_ids: list[int], master_selections: MasterSelections
    ) -> dict[int, int | None]:
        """Accept the legacy positional form {"0": "10"} and the service-keyed form {5: 10}."""
        if not master_selections:
            return {}
        positional = all(
            isinstance(key, str) and key.isdigit() and int(key) < len(service_ids)
            for key in master_selections
        )
        normalized: dict[int, int | None] = {}
        for key, raw in master_selections.items():
            service_id = service_ids[int(key)] if positional else int(key)
            if raw in (None, "", "any"):
                normalized[service_id] = None
            elif isinstance(raw, int | str) and str(raw).isdigit():
                normalized[service_id] = int(raw)
        return normalized

    # ------------------------------------------------------------------------------------------
    # Availability
    # ------------------------------------------------------------------------------------------

    def build_masters_availability(
        self,
        master_ids: list[int],
        target_date: date,
        cache_ttl: int = 0,
        exclude_appointment_ids: list[int] | None = None,
    ) -> dict[str, MasterAvailability]:
        """Free windows of these masters on one date (see ``build_availability_batch``)."""
        return self.build_availability_batch(
            master_ids,
            target_date,
            target_date,
            cache_ttl=cache_ttl,
            exclude_appointment_ids=exclude_appointment_ids,
        )[target_date]

    def build_availability_batch(
        self,
        master_ids: Iterable[int | str],
        start_date: date,
        end_date: date,
        cache_ttl: int = 0,
        exclude_appointment_ids: list[int] | None = None,
    ) -> dict[date, dict[str, MasterAvailability]]:
        """``{date: {resource id: MasterAvailability}}`` for every date of the range.

        A constant number of queries whatever the number of masters and dates. With
        ``cache_ttl > 0`` busy intervals come from the cache where present and are cached
        after a read; ``cache_ttl=0`` (inside a booking transaction) reads the database only.
        """
        ids = sorted({parse_resource_id(str(m))[0] for m in master_ids})
        days = [start_date + timedelta(days=n) for n in range((end_date - start_date).days + 1)]
        result: dict[date, dict[str, MasterAvailability]] = {day: {} for day in days}
        if not ids or not days:
            return result
        book = self.schedule_book(ids, start_date, end_date)
        busy = self.busy_entries(book, days, cache_ttl, set(exclude_appointment_ids or ()))
        now_minute = to_minutes(self.now())
        today = self.today()
        for day in days:
            if day < today or self.is_holiday(day):
                continue
            for master_id in ids:
                master = book.masters.get(master_id)
                if master is None or (master_id, day) in book.days_off:
                    continue
                if (day - today).days > self.max_advance_days(master):
                    continue
                hours = self.working_hours(book, master, day)
                if hours is None:
                    continue
                earliest = now_minute + self.min_advance_minutes(master)
                result[day].update(
                    self._seat_availability(master, hours, busy.get((master_id, day), []), earliest)
                )
        return result

    def _seat_availability(
        self, master: Any, hours: WorkingHours, entries: list[BusyEntry], earliest: int
    ) -> dict[str, MasterAvailability]:
        capacity = max(1, int(getattr(master, "max_clients_parallel", 1) or 1))
        buffer = self.buffer_minutes(master)
        tz = hours.tz
        out: dict[str, MasterAvailability] = {}
        for seat in range(capacity):
            # Buffer on both sides of an appointment: it separates consecutive appointments
            # whichever comes first. The gap after an existing appointment's service blocks too.
            blocked = [(s - buffer, e + gap + buffer) for _id, s, e, gap, st in entries if st == seat]
            if hours.break_:
                blocked.append(hours.break_)
            if earliest > hours.start:
                blocked.append((hours.start, earliest))
            # A seat without a free window is still listed: "works but full" is not "closed".
            windows = subtract(hours.start, hours.end, blocked)
            rid = resource_id(master.pk, seat, capacity)
            out[rid] = MasterAvailability(
                resource_id=rid,
                free_windows=[(from_minutes(a, tz), from_minutes(b, tz)) for a, b in windows],
                buffer_between_minutes=buffer,
                work_start=from_minutes(hours.start, tz),
                work_end=from_minutes(hours.end, tz),
            )
        return out

    # ------------------------------------------------------------------------------------------
    # Schedule (hours, breaks, days off)
    # ------------------------------------------------------------------------------------------

    def masters_by_id(self, master_ids: Iterable[int]) -> dict[int, Any]:
        """Master rows by id; rows this adapter has read already are not queried again."""
        wanted = set(master_ids)
        if missing := wanted - self._masters.keys():
            self._masters.update((m.pk, m) for m in self.master_model.objects.filter(pk__in=missing))
        return {pk: self._masters[pk] for pk in wanted if pk in self._masters}

    def schedule_book(self, master_ids: list[int], start_date: date, end_date: date) -> ScheduleBook:
        masters = self.masters_by_id(master_ids)
        rows: dict[tuple[int, int], Any] = {}
        for row in self.working_day_model.objects.filter(master_id__in=master_ids):
            rows[(row.master_id, row.weekday)] = row
        days_off = set(
            self.day_off_model.objects.filter(
                master_id__in=master_ids, date__gte=start_date, date__lte=end_date
            ).values_list("master_id", "date")
        )
        return ScheduleBook(masters=masters, rows=rows, has_rows={m for m, _ in rows}, days_off=days_off)

    def working_hours(self, book: ScheduleBook, master: Any, day: date) -> WorkingHours | None:
        weekday = day.weekday()
        row = book.rows.get((master.pk, weekday))
        if row is not None:
            start_t, end_t = row.start_time, row.end_time
            brk = (row.break_start, row.break_end)
        elif master.pk in book.has_rows:
            return None  # the master's weekday rows define their week
        else:
            salon_start, salon_end = self._salon_hours(weekday)
            if not (salon_start and salon_end):
                return None  # the salon is closed on this weekday
            own_start, own_end = getattr(master, "work_start", None), getattr(master, "work_end", None)
            start_t, end_t = (own_start, own_end) if own_start and own_end else (salon_start, salon_end)
            brk = (getattr(master, "break_start", None), getattr(master, "break_end", None))
        if not (start_t and end_t) or end_t <= start_t:
            return None
        tz = self.master_tz(master)
        start, end = _local_minutes(day, start_t, tz), _local_minutes(day, end_t, tz)
        break_ = None
        if brk[0] and brk[1] and brk[0] < brk[1]:
            break_ = (_local_minutes(day, brk[0], tz), _local_minutes(day, brk[1], tz))
        return WorkingHours(start=start, end=end, break_=break_, tz=tz)

    def _salon_hours(self, weekday: int) -> tuple[time | None, time | None]:
        bs = self.booking_settings
        if hasattr(bs, "default_hours"):
            return bs.default_hours(weekday)
        if weekday < 5:
            return getattr(bs, "work_start_weekdays", None), getattr(bs, "work_end_weekdays", None)
        if weekday == 5:
            return getattr(bs, "work_start_saturday", None), getattr(bs, "work_end_saturday", None)
        return None, None

    def get_working_hours(self, master: Any, target_date: date) -> tuple[datetime, datetime] | None:
        """The master's (start, end) on a date as aware local datetimes, or None if not working."""
        hours = self.working_hours(
            self.schedule_book([master.pk], target_date, target_date), master, target_date
        )
        if hours is None:
            return None
        return from_minutes(hours.start, hours.tz), from_minutes(hours.end, hours.tz)

    def get_break_interval(self, master: Any, target_date: date) -> tuple[datetime, datetime] | None:
        """The master's break on a date as aware local datetimes, or None."""
        hours = self.working_hours(
            self.schedule_book([master.pk], target_date, target_date), master, target_date
        )
        if hours is None or hours.break_ is None:
            return None
        return from_minutes(hours.break_[0], hours.tz), from_minutes(hours.break_[1], hours.tz)

    # ------------------------------------------------------------------------------------------
    # Busy intervals
    # ------------------------------------------------------------------------------------------

    def busy_entries(
        self, book: ScheduleBook, days: list[date], cache_ttl: int, exclude: set[int]
    ) -> dict[tuple[int, date], list[BusyEntry]]:
        pairs = [(m, d) for m in book.masters for d in days]
        cached = self._cache.get_busy_many([(m, d.isoformat()) for m, d in pairs]) if cache_ttl > 0 else {}
        busy: dict[tuple[int, date], list[BusyEntry]] = {}
        missing: list[tuple[int, date]] = []
        for m, d in pairs:
            hit = cached.get((str(m), d.isoformat()))
            if hit is None:
                missing.append((m, d))
            else:
                busy[(m, d)] = hit
        if missing:
            fresh = self._read_busy(
                {m for m, _ in missing}, min(d for _, d in missing), max(d for _, d in missing), book
            )
            for pair in missing:
                busy[pair] = fresh.get(pair, [])
            if cache_ttl > 0:
                self._cache.set_busy_many(
                    {(m, d.isoformat()): busy[(m, d)] for m, d in missing}, timeout=cache_ttl
                )
        if exclude:
            busy = {pair: [e for e in entries if e[0] not in exclude] for pair, entries in busy.items()}
        return busy

    def _read_busy(
        self, master_ids: set[int], first: date, last: date, book: ScheduleBook
    ) -> dict[tuple[int, date], list[BusyEntry]]:
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
            status__in=self.appointment_status_filter,
            datetime_start__gte=lower,
            datetime_start__lt=upper,
        ).values(
            "id", "master_id", "datetime_start", "duration_minutes", *filter(None, [gap_field, seat_field])
        )
        out: dict[tuple[int, date], list[BusyEntry]] = defaultdict(list)
        for row in rows:
            pk, master_id = row["id"], row["master_id"]
            gap = int(row[gap_field] or 0) if gap_field else 0
            seat = int(row[seat_field]) if seat_field else 0
            start = to_minutes(row["datetime_start"])
            end = start + int(row["duration_minutes"])
            master = book.masters.get(master_id)
            tz = self.master_tz(master) if master is not None else self.salon_tz
            day = from_minutes(start, tz).date()
            last_day = from_minutes(end + gap - 1, tz).date()
            while day <= last_day:
                if first <= day <= last:
                    out[(master_id, day)].append([pk, start, end, gap, seat])
                day += timedelta(days=1)
        return out

    # ------------------------------------------------------------------------------------------
    # Locking (R2)
    # ------------------------------------------------------------------------------------------

    def lock_masters(self, master_ids: Iterable[int | str]) -> None:
        """Row-lock the masters, in id order, inside the caller's ``transaction.atomic()``.

        A no-op on SQLite, where ``BEGIN IMMEDIATE`` already serialises writers.
        """
        ids = sorted({parse_resource_id(str(m))[0] for m in master_ids})
        if ids:
            locked = self.master_model.objects.select_for_update(of=("self",)).filter(pk__in=ids)
            list(locked.order_by("pk").values_list("pk", flat=True))

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------

    def result_to_slots_map(self, result: EngineResult) -> dict[str, bool]:
        """``{"HH:MM": True}`` for every start time."""
        return dict.fromkeys(result.get_unique_start_times(), True)

    @staticmethod
    def master_ids_of(request: BookingEngineRequest) -> list[int]:
        return sorted(
            {parse_resource_id(r)[0] for s in request.service_requests for r in s.possible_resource_ids}
        )


def _feasible_groups(requests: list[ServiceRequest]) -> list[ServiceRequest]:
    """Drop a parallel group that its masters cannot staff.

    Services of a group start together, each with its own master; when the masters allowed
    for the group are fewer than its services (one master chosen for the whole visit), the
    services are done one after another instead of offering no time at all.
    """
    members: dict[str, list[int]] = defaultdict(list)
    for index, request in enumerate(requests):
        if request.parallel_group:
            members[request.parallel_group].append(index)
    drop: set[int] = set()
    for indexes in members.values():
        masters = {parse_resource_id(r)[0] for i in indexes for r in requests[i].possible_resource_ids}
        if len(indexes) < 2 or len(masters) < len(indexes):
            drop.update(indexes)
    return [r.model_copy(update={"parallel_group": None}) if i in drop else r for i, r in enumerate(requests)]


@lru_cache(maxsize=16)
def _public_holidays(country: str, subdiv: str) -> holidays.HolidayBase:
    """One holiday calendar per country and region for the whole process (years fill in lazily)."""
    if country:
        try:
            return holidays.country_holidays(country, subdiv=subdiv or None)
        except NotImplementedError:  # the admin validates the codes; never fail a booking over it
            log.warning("Unknown holidays country/region %r/%r: no public holidays", country, subdiv)
    return holidays.HolidayBase()


def _local_minutes(day: date, moment: time, tz: zoneinfo.ZoneInfo) -> int:
    return to_minutes(datetime.combine(day, moment, tzinfo=tz))


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def has_field(model: type[Any], name: str) -> bool:
    """Whether an injected model has a field (the adapter works with models of any shape)."""
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
