"""``ChainFinder``: the entry point of the engine, with the reference engine's call shapes.

``find`` answers one day completely: every start time at which the requested visit fits, and
the best visits at each. ``find_nearest`` walks forward day by day to the first day that has one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from .dto import BookingEngineRequest, MasterAvailability
from .modes import BookingMode
from .problem import compile_problem
from .result import EngineResult
from .search import ChainSearch

__all__ = ["ChainFinder"]

_MULTI_DAY = BookingMode.MULTI_DAY

Availability = Mapping[Any, MasterAvailability] | Iterable[MasterAvailability]


class ChainFinder:
    """Finds every start time for a visit of one or more services on one day.

    ``step_minutes`` is the grid of start times offered to clients, anchored at each master's
    ``work_start``. ``min_start`` is the earliest moment any service may start (typically
    "now plus the minimum notice"); the engine has no clock of its own.
    """

    def __init__(self, step_minutes: int = 30, min_start: datetime | None = None) -> None:
        if isinstance(step_minutes, bool) or not isinstance(step_minutes, int) or step_minutes <= 0:
            raise ValueError(f"step_minutes must be a positive integer, got: {step_minutes!r}")
        if min_start is not None and not isinstance(min_start, datetime):
            raise ValueError(f"min_start must be a datetime or None, got: {min_start!r}")
        self.step_minutes = step_minutes
        self.min_start = min_start

    def find(
        self,
        request: BookingEngineRequest,
        resources_availability: Availability,
        max_solutions: int = 50,
        max_unique_starts: int | None = None,
    ) -> EngineResult:
        """Every start of the day for ``request``, with up to ``max_solutions`` visits per start.

        ``resources_availability`` maps master id to :class:`MasterAvailability` (a list of them
        works too); ids the request names but the mapping lacks are skipped. ``max_solutions``
        never removes a start, it bounds the alternatives kept per start (at least one);
        ``max_unique_starts`` keeps only the earliest N starts.
        """
        if request.group_size > 1:
            raise NotImplementedError(
                "Group bookings (group_size > 1) are not supported: repeat the ServiceRequest "
                "once per person with a shared parallel_group instead."
            )
        if request.mode is _MULTI_DAY:  # validated: a member, so ``is`` (an enum ``==`` costs more)
            raise NotImplementedError(
                "MULTI_DAY booking is not supported: search each day with a SINGLE_DAY request "
                "(ChainFinder.find, or find_nearest for the first day that fits)."
            )
        problem = compile_problem(request, resources_availability, self.step_minutes, self.min_start)
        search = ChainSearch(problem)
        times, best = search.starts(max_unique_starts)
        return EngineResult._from_search(
            mode=request.mode,
            booking_date=request.booking_date,
            search=search,
            times=times,
            best=best,
            max_solutions=max_solutions,
        )

    def find_nearest(
        self,
        request: BookingEngineRequest,
        get_availability_for_date: Callable[[date], Availability],
        search_from: date,
        search_days: int = 60,
        max_solutions_per_day: int = 1,
    ) -> EngineResult:
        """The result of the first day from ``search_from`` (inclusive) that has a visit.

        ``get_availability_for_date(day)`` is called once per day checked; days without any
        availability are skipped. Returns an empty result if none of ``search_days`` days fits.
        """
        for offset in range(search_days):
            day = search_from + timedelta(days=offset)
            availability = get_availability_for_date(day)
            if not availability:
                continue
            day_request = request.model_copy(update={"booking_date": day})
            result = self.find(day_request, availability, max_solutions=max_solutions_per_day)
            if result.has_solutions:
                return result
        return EngineResult(mode=request.mode, solutions=[])
