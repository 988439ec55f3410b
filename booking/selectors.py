"""Read-side entry points: plain functions that receive the adapter (dependency injection).

R1 — these functions never invalidate the cache; writes do, after commit (``booking.services``).
Busy intervals are read through the cache (``cache_ttl`` seconds); free slots are always
computed fresh, because they depend on the clock and on the services asked for.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from booking.adapters.availability import DjangoAvailabilityAdapter
from booking.engine import (
    BookingEngineRequest,
    CalendarEngine,
    ChainFinder,
    EngineResult,
    MasterAvailability,
)
from booking.errors import UnbookableRequestError
from booking.query import VisitQuery

# Compatibility: the seed's users import the write side from here
# (``from codex_django.booking.selectors import create_booking, BookingPersistenceHook``). The
# writes live in ``booking.services`` now, which imports this module, so they are re-exported
# lazily (PEP 562) rather than imported at the top. New code imports ``booking.services``.
_FROM_SERVICES = frozenset({"BookingPersistenceHook", "create_booking"})


def __getattr__(name: str) -> Any:
    if name in _FROM_SERVICES:
        from booking import services

        return getattr(services, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# How many days ``get_nearest_slots`` prepares at once: most searches end in the first days,
# and one batch costs the same few queries whatever its length.
NEAREST_BATCH_DAYS = 14


class DayStatus(StrEnum):
    AVAILABLE = "available"  # at least one free start
    FULL = "full"  # someone works, but no start is free
    CLOSED = "closed"  # the salon is closed and nobody who could do the services works
    # The salon is open, but for some service of the visit no master it may use works that day
    # (the chosen master's day off, a visit whose masters are kept when it is moved).
    OFF = "off"
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


def find_visits(
    adapter: DjangoAvailabilityAdapter,
    request: BookingEngineRequest,
    availability: dict[str, MasterAvailability],
    *,
    max_solutions: int = 50,
    max_unique_starts: int | None = None,
) -> EngineResult:
    """The engine's answer for one day, with parallel groups as a preference.

    Services of a parallel group run side by side where enough masters are free at a start;
    at the other starts they run one after another. (The engine alone would offer a group
    only side by side, so a day with a single free master would look full.) At a start where
    both are possible, side by side wins: the visit is shorter.
    """
    finder = ChainFinder(step_minutes=adapter.step_minutes)
    if not any(service.parallel_group for service in request.service_requests):
        return finder.find(request, availability, max_solutions, max_unique_starts)
    together = finder.find(request, availability, max_solutions)
    apart = finder.find(_one_after_another(request), availability, max_solutions)
    if not apart.has_solutions or not together.has_solutions:
        merged = together if together.has_solutions else apart
    else:
        starts = {t.timestamp(): t for t in [*apart.start_datetimes(), *together.start_datetimes()]}
        solutions = [
            solution
            for key in sorted(starts)
            for solution in (together.solutions_at(starts[key]) or apart.solutions_at(starts[key]))
        ]
        merged = EngineResult(mode=request.mode, booking_date=request.booking_date, solutions=solutions)
    return _first_starts(merged, max_unique_starts)


def _one_after_another(request: BookingEngineRequest) -> BookingEngineRequest:
    """The request with its parallel groups dissolved: every service after the previous one."""
    services = [s.model_copy(update={"parallel_group": None}) for s in request.service_requests]
    return request.model_copy(update={"service_requests": services})


def _first_starts(result: EngineResult, max_unique_starts: int | None) -> EngineResult:
    """Only the earliest ``max_unique_starts`` starts, as ``ChainFinder.find`` would keep."""
    if max_unique_starts is None or len(result.start_datetimes()) <= max_unique_starts:
        return result
    keep = {moment.timestamp() for moment in result.start_datetimes()[:max_unique_starts]}
    solutions = [s for s in result.solutions if s.starts_at.timestamp() in keep]
    return EngineResult(mode=result.mode, booking_date=result.booking_date, solutions=solutions)


def visit_query(visit: VisitQuery | Iterable[int], legacy: dict[str, Any]) -> VisitQuery:
    """The query of a selector call: the ``VisitQuery`` given, or the one the seed's keywords
    (``locked_master_id``, ``master_selections``, ``mode``, ``overlap_allowed``,
    ``parallel_groups``, ``exclude_appointment_ids``) describe for a list of service ids.

    The keywords are kept for compatibility with the seed's callers; new code passes a query.
    Unknown keywords raise ``TypeError`` as a misspelt argument would.
    """
    if isinstance(visit, VisitQuery):
        if legacy:
            raise TypeError(f"Give either a VisitQuery or the seed's keywords, not both: {sorted(legacy)}")
        return visit
    return VisitQuery.from_options(visit, **legacy)


def _request(
    adapter: DjangoAvailabilityAdapter, query: VisitQuery, target_date: date
) -> BookingEngineRequest | None:
    try:
        return adapter.request_for(query, target_date)
    except UnbookableRequestError:
        return None


def get_available_slots(
    adapter: DjangoAvailabilityAdapter,
    visit: VisitQuery | list[int],
    target_date: date,
    *,
    max_solutions: int = 50,
    max_unique_starts: int | None = None,
    cache_ttl: int = 300,
    **legacy: Any,
) -> EngineResult:
    """Every start time for the visit on a date (salon local time), with solutions.

    ``visit`` is a ``VisitQuery``, or the seed's list of service ids with its keywords
    (``visit_query``).
    """
    query = visit_query(visit, legacy)
    request = _request(adapter, query, target_date)
    if request is None:
        return EngineResult(mode=query.mode, booking_date=target_date)
    availability = adapter.build_masters_availability(
        master_ids=adapter.master_ids_of(request),
        target_date=target_date,
        cache_ttl=cache_ttl,
        exclude_appointment_ids=list(query.exclude_appointment_ids),
    )
    return find_visits(
        adapter, request, availability, max_solutions=max_solutions, max_unique_starts=max_unique_starts
    )


def get_nearest_slots(
    adapter: DjangoAvailabilityAdapter,
    visit: VisitQuery | list[int],
    search_from: date,
    *,
    search_days: int = 60,
    max_solutions_per_day: int = 1,
    cache_ttl: int = 300,
    **legacy: Any,
) -> EngineResult:
    """The first date from ``search_from`` with a free start (``result.booking_date``)."""
    query = visit_query(visit, legacy)
    request = _request(adapter, query, search_from)
    if request is None:
        return EngineResult(mode=query.mode)
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
                    exclude_appointment_ids=list(query.exclude_appointment_ids),
                )
            )
        return prepared[day]

    first = max(search_from, adapter.today())
    for offset in range(search_days):
        day = first + timedelta(days=offset)
        availability = availability_for(day)
        if not availability:
            continue
        day_request = request.model_copy(update={"booking_date": day})
        result = find_visits(adapter, day_request, availability, max_solutions=max_solutions_per_day)
        if result.has_solutions:
            return result
    return EngineResult(mode=query.mode)


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
    visit: VisitQuery | list[int],
    year: int,
    month: int,
    *,
    today: date | None = None,
    cache_ttl: int = 300,
    **legacy: Any,
) -> dict[date, DayAvailability]:
    """Status and number of free starts of every day of a month: the bot's calendar.

    A constant number of queries for any number of masters (one batch for the month).
    """
    first = date(year, month, 1)
    days = [first + timedelta(days=n) for n in range(calendar.monthrange(year, month)[1])]
    today = today or adapter.today()
    query = visit_query(visit, legacy)
    request = _request(adapter, query, first)
    master_ids = adapter.master_ids_of(request) if request else []
    _, last_bookable = booking_window(adapter, master_ids)
    batch: dict[date, dict[str, MasterAvailability]] = {}
    start, end = max(first, today), min(days[-1], last_bookable)
    if request is not None and start <= end:
        batch = adapter.build_availability_batch(
            master_ids,
            start,
            end,
            cache_ttl=cache_ttl,
            exclude_appointment_ids=list(query.exclude_appointment_ids),
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
        elif not _everyone_needed_works(request, batch.get(day)):
            off = request is not None and adapter.salon_open(day)
            result[day] = DayAvailability(day, DayStatus.OFF if off else DayStatus.CLOSED)
        else:
            starts = find(day, batch[day])
            result[day] = DayAvailability(day, DayStatus.AVAILABLE if starts else DayStatus.FULL, starts)
    return result


def _everyone_needed_works(
    request: BookingEngineRequest | None, availability: dict[str, MasterAvailability] | None
) -> bool:
    """Whether every service of the visit has a master at work that day (free or not): only
    then can the day be free or full; otherwise it is a day off for this visit."""
    if request is None or not availability:
        return False
    return all(
        any(rid in availability for rid in service.possible_resource_ids)
        for service in request.service_requests
    )


def _day_finder(
    adapter: DjangoAvailabilityAdapter, request: BookingEngineRequest | None
) -> Callable[[date, dict[str, MasterAvailability]], int]:
    def count_starts(day: date, availability: dict[str, MasterAvailability]) -> int:
        assert request is not None
        return count_free_starts(adapter, request.model_copy(update={"booking_date": day}), availability)

    return count_starts


def count_free_starts(
    adapter: DjangoAvailabilityAdapter,
    request: BookingEngineRequest,
    availability: dict[str, MasterAvailability],
) -> int:
    """How many starts ``find_visits`` offers, without building a visit at any of them.

    With a parallel group, a start is offered where the group fits side by side or one after
    another: the count is the size of the union of the two start sets.
    """
    finder = ChainFinder(step_minutes=adapter.step_minutes)
    together = finder.find(request, availability, max_solutions=1)
    if not any(service.parallel_group for service in request.service_requests):
        return len(together.start_datetimes())
    apart = finder.find(_one_after_another(request), availability, max_solutions=1)
    return len(
        {t.timestamp() for t in together.start_datetimes()} | {t.timestamp() for t in apart.start_datetimes()}
    )
