"""Read-side entry points: plain functions that receive the adapter (dependency injection).

R1 — these functions never invalidate the cache; writes do, after commit (``booking.services``).
Busy intervals are read through the cache (``cache_ttl`` seconds); free slots are always
computed fresh, because they depend on the clock and on the services asked for.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from booking.adapters.availability import DjangoAvailabilityAdapter, MasterSelections
from booking.engine import (
    BookingEngineRequest,
    BookingMode,
    CalendarEngine,
    ChainFinder,
    EngineResult,
    MasterAvailability,
)
from booking.errors import UnbookableRequestError

# How many days ``get_nearest_slots`` prepares at once: most searches end in the first days,
# and one batch costs the same few queries whatever its length.
NEAREST_BATCH_DAYS = 14


class DayStatus(StrEnum):
    AVAILABLE = "available"  # at least one free start
    FULL = "full"  # someone works, but no start is free
    CLOSED = "closed"  # nobody who could do the services works that day
    HOLIDAY = "holiday"  # public holiday: the salon is closed
    PAST = "past"
    OUT_OF_RANGE = "out_of_range"  # beyond the booking window (max_advance_days)


@dataclass(frozen=True)
class DayAvailability:
    day: date
    status: DayStatus
    free_starts: int = 0
    holiday_name: str | None = None

    @property
    def bookable(self) -> bool:
        return self.status is DayStatus.AVAILABLE


def _request(
    adapter: DjangoAvailabilityAdapter,
    service_ids: list[int],
    target_date: date,
    **options: Any,
) -> BookingEngineRequest | None:
    try:
        return adapter.build_engine_request(service_ids=service_ids, target_date=target_date, **options)
    except UnbookableRequestError:
        return None


def get_available_slots(
    adapter: DjangoAvailabilityAdapter,
    service_ids: list[int],
    target_date: date,
    *,
    locked_master_id: int | None = None,
    master_selections: MasterSelections = None,
    mode: BookingMode = BookingMode.SINGLE_DAY,
    overlap_allowed: bool = False,
    parallel_groups: dict[int, str] | None = None,
    max_solutions: int = 50,
    max_unique_starts: int | None = None,
    cache_ttl: int = 300,
    exclude_appointment_ids: list[int] | None = None,
) -> EngineResult:
    """Every start time for these services on a date (salon local time), with solutions."""
    request = _request(
        adapter,
        service_ids,
        target_date,
        locked_master_id=locked_master_id,
        master_selections=master_selections,
        mode=mode,
        overlap_allowed=overlap_allowed,
        parallel_groups=parallel_groups,
    )
    if request is None:
        return EngineResult(mode=mode, booking_date=target_date)
    availability = adapter.build_masters_availability(
        master_ids=adapter.master_ids_of(request),
        target_date=target_date,
        cache_ttl=cache_ttl,
        exclude_appointment_ids=exclude_appointment_ids,
    )
    return ChainFinder(step_minutes=adapter.step_minutes).find(
        request=request,
        resources_availability=availability,
        max_solutions=max_solutions,
        max_unique_starts=max_unique_starts,
    )


def get_nearest_slots(
    adapter: DjangoAvailabilityAdapter,
    service_ids: list[int],
    search_from: date,
    *,
    locked_master_id: int | None = None,
    master_selections: MasterSelections = None,
    mode: BookingMode = BookingMode.SINGLE_DAY,
    overlap_allowed: bool = False,
    parallel_groups: dict[int, str] | None = None,
    search_days: int = 60,
    max_solutions_per_day: int = 1,
    cache_ttl: int = 300,
    exclude_appointment_ids: list[int] | None = None,
) -> EngineResult:
    """The first date from ``search_from`` with a free start (``result.booking_date``)."""
    request = _request(
        adapter,
        service_ids,
        search_from,
        locked_master_id=locked_master_id,
        master_selections=master_selections,
        mode=mode,
        overlap_allowed=overlap_allowed,
        parallel_groups=parallel_groups,
    )
    if request is None:
        return EngineResult(mode=mode)
    master_ids = adapter.master_ids_of(request)
    prepared: dict[date, dict[str, MasterAvailability]] = {}

    def availability_for(day: date) -> dict[str, MasterAvailability]:
        if day not in prepared:
            prepared.update(
                adapter.build_availability_batch(
                    master_ids,
                    day,
                    day + timedelta(days=NEAREST_BATCH_DAYS - 1),
                    cache_ttl=cache_ttl,
                    exclude_appointment_ids=exclude_appointment_ids,
                )
            )
        return prepared[day]

    return ChainFinder(step_minutes=adapter.step_minutes).find_nearest(
        request=request,
        get_availability_for_date=availability_for,
        search_from=max(search_from, adapter.today()),
        search_days=search_days,
        max_solutions_per_day=max_solutions_per_day,
    )


def get_calendar_data(
    year: int,
    month: int,
    today: date | None = None,
    selected_date: date | None = None,
    holidays_subdiv: str = "ST",
    country: str = "DE",
) -> list[dict[str, Any]]:
    """The month grid (Monday first) with holidays, as ``CalendarEngine.get_month_matrix``."""
    return CalendarEngine.get_month_matrix(
        year=year,
        month=month,
        today=today or date.today(),
        selected_date=selected_date,
        holidays_subdiv=holidays_subdiv,
        country=country,
    )


def booking_window(
    adapter: DjangoAvailabilityAdapter, master_ids: list[int] | None = None
) -> tuple[date, date]:
    """First and last bookable date: today up to the longest ``max_advance_days`` that applies."""
    today = adapter.today()
    masters = list(adapter.masters_by_id(master_ids).values()) if master_ids else []
    days = max([adapter.max_advance_days(m) for m in masters] or [adapter.max_advance_days()])
    return today, today + timedelta(days=days)


def get_month_availability(
    adapter: DjangoAvailabilityAdapter,
    service_ids: list[int],
    year: int,
    month: int,
    *,
    locked_master_id: int | None = None,
    master_selections: MasterSelections = None,
    today: date | None = None,
    mode: BookingMode = BookingMode.SINGLE_DAY,
    overlap_allowed: bool = False,
    parallel_groups: dict[int, str] | None = None,
    cache_ttl: int = 300,
    exclude_appointment_ids: list[int] | None = None,
) -> dict[date, DayAvailability]:
    """Status and number of free starts of every day of a month: the bot's calendar.

    A constant number of queries for any number of masters (one batch for the month).
    """
    first = date(year, month, 1)
    days = [first + timedelta(days=n) for n in range(calendar.monthrange(year, month)[1])]
    today = today or adapter.today()
    request = _request(
        adapter,
        service_ids,
        first,
        locked_master_id=locked_master_id,
        master_selections=master_selections,
        mode=mode,
        overlap_allowed=overlap_allowed,
        parallel_groups=parallel_groups,
    )
    master_ids = adapter.master_ids_of(request) if request else []
    _, last_bookable = booking_window(adapter, master_ids)
    batch: dict[date, dict[str, MasterAvailability]] = {}
    start, end = max(first, today), min(days[-1], last_bookable)
    if request is not None and start <= end:
        batch = adapter.build_availability_batch(
            master_ids, start, end, cache_ttl=cache_ttl, exclude_appointment_ids=exclude_appointment_ids
        )
    find = _day_finder(adapter, request)
    result: dict[date, DayAvailability] = {}
    for day in days:
        if day < today:
            result[day] = DayAvailability(day, DayStatus.PAST)
        elif day > last_bookable:
            result[day] = DayAvailability(day, DayStatus.OUT_OF_RANGE)
        elif adapter.is_holiday(day):
            result[day] = DayAvailability(day, DayStatus.HOLIDAY, holiday_name=adapter.holiday_name(day))
        elif not batch.get(day):
            result[day] = DayAvailability(day, DayStatus.CLOSED)
        else:
            starts = find(day, batch[day])
            result[day] = DayAvailability(day, DayStatus.AVAILABLE if starts else DayStatus.FULL, starts)
    return result


def _day_finder(
    adapter: DjangoAvailabilityAdapter, request: BookingEngineRequest | None
) -> Callable[[date, dict[str, MasterAvailability]], int]:
    finder = ChainFinder(step_minutes=adapter.step_minutes)

    def count_starts(day: date, availability: dict[str, MasterAvailability]) -> int:
        assert request is not None
        result = finder.find(request.model_copy(update={"booking_date": day}), availability, max_solutions=1)
        return len(result.get_unique_start_times())

    return count_starts
