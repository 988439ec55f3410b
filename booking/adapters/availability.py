"""Bridge between the Django ORM and the slot engine: a thin composition of one-job parts.

Rules enforced here and in ``booking.selectors`` / ``booking.services``:

R1 — Cache invalidation only in ``transaction.on_commit()`` (services, model hooks).
R2 — ``lock_masters()`` uses ``select_for_update(of=("self",))`` on sorted ids, so two
     bookings that need the same masters lock them in the same order and cannot deadlock.
R3 — No ``clean``/``save`` overrides here: the adapter reads and translates, nothing else.

The parts, one job each (``booking/adapters/``):
- ``policy``: settings, time zones, holidays, the master's or the salon's value of a rule;
- ``schedule``: hours, breaks and days off with their fallbacks;
- ``busy``: appointments as busy intervals, through the cache (``cache``);
- ``blocks``: optional time blocks (a master's or the salon's part-day absence), read fresh;
- ``seats``: one engine resource per seat of a master, and its free windows;
- ``request``: the engine request (services, eligible masters, parallel groups);
- ``minutes``: the shared time axis (epoch minutes) and interval subtraction.

Everything is read in batches: a month of availability for any number of masters costs the
same handful of queries (settings, masters, working days, days off, appointments), and the
appointments query is skipped for every (master, date) whose busy intervals are cached.
Closed: public holidays (site settings' country and subdivision), the master's days off,
dates before today or beyond ``max_advance_days``; starts before now + ``min_advance_minutes``
are cut (the master's override, else the settings').

The names other modules imported from here before the split are re-exported below.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from booking.adapters.blocks import TimeBlocks
from booking.adapters.busy import BusyIntervals
from booking.adapters.cache import BookingCacheAdapter, BusyEntry
from booking.adapters.catalogue import HeldCatalogue
from booking.adapters.fields import has_field
from booking.adapters.minutes import from_minutes, subtract, to_minutes
from booking.adapters.policy import SettingsPolicy
from booking.adapters.request import (
    CategoryLinks,
    MasterSelections,
    RequestBuilder,
    master_ids_of,
    normalize_master_selections,
)
from booking.adapters.schedule import MasterRows, ScheduleBook, ScheduleReader, WorkingHours
from booking.adapters.seats import parse_resource_id, resource_id, seat_availability
from booking.engine import BookingEngineRequest, BookingMode, EngineResult, MasterAvailability
from booking.query import VisitQuery

__all__ = [
    "DjangoAvailabilityAdapter",
    "MasterSelections",
    "ScheduleBook",
    "WorkingHours",
    "from_minutes",
    "has_field",
    "parse_resource_id",
    "resource_id",
    "subtract",
    "to_minutes",
]


class DjangoAvailabilityAdapter:
    """Universal bridge between Django models and the booking engine; models are injected.

    ``step_minutes=None`` reads the grid step from the booking settings. ``clock`` returns the
    current time (tests pass a fixed one); the engine itself never reads a clock.
    ``time_block_model`` (optional, so the app stays reusable) adds part-day blocks,
    subtracted like appointments (``booking.adapters.blocks``).
    """

    def __init__(
        self,
        master_model: type[Any],
        appointment_model: type[Any],
        service_model: type[Any],
        working_day_model: type[Any],
        day_off_model: type[Any],
        booking_settings_model: type[Any],
        site_settings_model: type[Any] | None,
        step_minutes: int | None = None,
        appointment_status_filter: list[str] | None = None,
        cache_adapter: BookingCacheAdapter | None = None,
        clock: Callable[[], datetime] = timezone.now,
        master_categories_field: str = "categories",
        service_category_field: str = "category",
        time_block_model: type[Any] | None = None,
    ) -> None:
        self.master_model = master_model
        self.appointment_model = appointment_model
        self.service_model = service_model
        self.working_day_model = working_day_model
        self.day_off_model = day_off_model
        self.booking_settings_model = booking_settings_model
        self.site_settings_model = site_settings_model
        self.appointment_status_filter = list(
            appointment_status_filter
            or getattr(appointment_model, "ACTIVE_STATUSES", None)
            or ["pending", "confirmed", "reschedule_proposed"]
        )
        self.policy = SettingsPolicy(booking_settings_model, site_settings_model, step_minutes, clock)
        links = CategoryLinks(master_model, service_model, master_categories_field, service_category_field)
        # Services, who may do what, masters and weekday rows: held per salon token outside
        # transactions (``booking.adapters.catalogue``).
        self.catalogue = HeldCatalogue(
            service_model,
            master_model,
            working_day_model,
            links,
            self.policy,
            active_services_only=has_field(service_model, "is_active"),
        )
        self.masters = MasterRows(master_model, self.catalogue)
        self.schedule = ScheduleReader(
            self.masters, working_day_model, day_off_model, self.policy, self.catalogue
        )
        self.busy = BusyIntervals(
            appointment_model,
            self.appointment_status_filter,
            cache_adapter or BookingCacheAdapter(),
            self.policy,
            TimeBlocks(time_block_model, self.policy),
        )
        self.time_block_model = time_block_model
        # Appointments without a ``seat`` field take the master's only place.
        self.seated = has_field(appointment_model, "seat")
        self.requests = RequestBuilder(
            service_model,
            self.masters,
            master_categories_field=master_categories_field,
            service_category_field=service_category_field,
            seated=self.seated,
            links=links,
            catalogue=self.catalogue,
        )

    # Settings policy --------------------------------------------------------------------------

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.policy.clock

    @property
    def booking_settings(self) -> Any:
        return self.policy.booking_settings

    @property
    def site_settings(self) -> Any:
        return self.policy.site_settings

    @property
    def step_minutes(self) -> int:
        return self.policy.step_minutes

    @property
    def salon_tz(self) -> zoneinfo.ZoneInfo:
        return self.policy.salon_tz

    def master_tz(self, master: Any) -> zoneinfo.ZoneInfo:
        return self.policy.master_tz(master)

    def now(self) -> datetime:
        return self.policy.now()

    def today(self) -> date:
        return self.policy.today()

    def is_holiday(self, day: date) -> bool:
        return self.policy.is_holiday(day)

    def salon_open(self, day: date) -> bool:
        """Whether the salon keeps default hours on this date's weekday (booking settings)."""
        start, end = self.schedule.salon_hours(day.weekday())
        return bool(start and end)

    def holiday_name(self, day: date) -> str | None:
        return self.policy.holiday_name(day)

    def min_advance_minutes(self, master: Any) -> int:
        return self.policy.min_advance_minutes(master)

    def max_advance_days(self, master: Any | None = None) -> int:
        return self.policy.max_advance_days(master)

    def buffer_minutes(self, master: Any) -> int:
        return self.policy.buffer_minutes(master)

    # Engine request ---------------------------------------------------------------------------

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
        """The seed's call: the engine request for these services (see ``request_for``)."""
        query = VisitQuery.from_options(
            service_ids,
            locked_master_id=locked_master_id,
            master_selections=master_selections,
            mode=mode,
            overlap_allowed=overlap_allowed,
            parallel_groups=parallel_groups,
            max_chain_duration_minutes=max_chain_duration_minutes,
        )
        return self.request_for(query, target_date)

    def request_for(self, query: VisitQuery, target_date: date) -> BookingEngineRequest:
        """The engine request for the query's services, with every master who may do each.

        Raises ``UnbookableRequestError`` when a service is unknown or inactive or nobody may
        do it as asked.
        """
        return self.requests.build(query, target_date)

    def _normalize_master_selections(
        self, service_ids: list[int], master_selections: MasterSelections
    ) -> dict[int, int | None]:
        """The seed's name for ``request.normalize_master_selections``."""
        return normalize_master_selections(service_ids, master_selections)

    @staticmethod
    def master_ids_of(request: BookingEngineRequest) -> list[int]:
        return master_ids_of(request)

    # Availability -----------------------------------------------------------------------------

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
                    seat_availability(
                        master,
                        hours,
                        busy.get((master_id, day), []),
                        earliest,
                        self.buffer_minutes(master),
                        self.seated,
                    )
                )
        return result

    # Schedule ---------------------------------------------------------------------------------

    def masters_by_id(self, master_ids: Iterable[int]) -> dict[int, Any]:
        """Master rows by id; rows this adapter has read already are not queried again."""
        return self.masters.by_id(master_ids)

    def schedule_book(self, master_ids: list[int], start_date: date, end_date: date) -> ScheduleBook:
        return self.schedule.schedule_book(master_ids, start_date, end_date)

    def working_hours(self, book: ScheduleBook, master: Any, day: date) -> WorkingHours | None:
        return self.schedule.working_hours(book, master, day)

    def _salon_hours(self, weekday: int) -> tuple[time | None, time | None]:
        return self.schedule.salon_hours(weekday)

    def get_working_hours(self, master: Any, target_date: date) -> tuple[datetime, datetime] | None:
        """The master's (start, end) on a date as aware local datetimes, or None if not working."""
        return self.schedule.get_working_hours(master, target_date)

    def get_break_interval(self, master: Any, target_date: date) -> tuple[datetime, datetime] | None:
        """The master's break on a date as aware local datetimes, or None."""
        return self.schedule.get_break_interval(master, target_date)

    # Busy intervals ---------------------------------------------------------------------------

    def busy_entries(
        self, book: ScheduleBook, days: list[date], cache_ttl: int, exclude: set[int]
    ) -> dict[tuple[int, date], list[BusyEntry]]:
        return self.busy.entries(book, days, cache_ttl, exclude)

    # Locking (R2) -----------------------------------------------------------------------------

    def lock_masters(self, master_ids: Iterable[int | str]) -> None:
        """Row-lock the masters, in id order, inside the caller's ``transaction.atomic()``.

        A no-op on SQLite, where ``BEGIN IMMEDIATE`` already serialises writers.
        """
        ids = sorted({parse_resource_id(str(m))[0] for m in master_ids})
        if ids:
            locked = self.master_model.objects.select_for_update(of=("self",)).filter(pk__in=ids)
            list(locked.order_by("pk").values_list("pk", flat=True))

    # Helpers ----------------------------------------------------------------------------------

    def result_to_slots_map(self, result: EngineResult) -> dict[str, bool]:
        """``{"HH:MM": True}`` for every start time."""
        return dict.fromkeys(result.get_unique_start_times(), True)
