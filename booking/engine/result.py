"""The engine's answer: every start time of the day, and the visits behind them, built on demand.

The search keeps integer minutes and compact tuples. A calendar or a slot list only needs the
start times, so ``get_unique_start_times()`` and ``start_datetimes()`` never build a solution
object; ``best``, ``best_at(t)`` build one, and ``solutions`` builds the whole list the first
time it is read (with more than one alternative per start, the alternatives are searched then).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from .dto import BookingChainSolution, SingleServiceSolution
from .minutes import LABELS, MinuteClock, floor_minute, is_aware, minute_to_datetime
from .modes import BookingMode
from .problem import Problem
from .search import ChainSearch, Found

__all__ = ["EngineResult"]

_MIXED = object()


class _Lazy:
    """What the search found, in minutes, and how to turn it into solution objects."""

    __slots__ = ("best", "clock", "k", "problem", "search", "shared_tz", "times")

    def __init__(self, search: ChainSearch, times: list[int], best: Sequence[Found], k: int) -> None:
        self.search = search
        self.problem: Problem = search.problem
        self.times = times
        self.best = best
        self.k = max(1, k)
        self.clock = MinuteClock()
        zones = {master.in_minutes.tz for master in self.problem.masters}
        # Usually every master shares the salon's zone: then no start needs its best visit.
        self.shared_tz: Any = zones.pop() if len(zones) == 1 else _MIXED

    def start_tz(self, index: int) -> Any:
        """Starts are shown in the time zone of the first service's master."""
        if self.shared_tz is not _MIXED:
            return self.shared_tz
        first_master = self.best[index][1][0][0]
        return self.problem.masters[first_master].tz

    def start_datetime(self, index: int) -> datetime:
        return self.clock.datetime(self.times[index], self.start_tz(index))

    def labels(self) -> tuple[list[str], bool]:
        """``"HH:MM"`` of every start, without building solutions (the calendar's hot path).

        The flag says whether the labels are known to be distinct: different minutes less than a
        day apart under one UTC offset always are, so no de-duplication is needed then.
        """
        times, zone = self.times, self.shared_tz
        if zone is _MIXED:
            return [
                self.clock.hhmm(minute, self.start_tz(index)) for index, minute in enumerate(times)
            ], False
        if not times:
            return [], True
        within_a_day = times[-1] - times[0] < 1440
        if zone is None:  # naive minutes count from a local midnight
            return [LABELS[minute % 1440] for minute in times], within_a_day
        # ``minute_to_datetime`` written out: this runs once per day of every calendar.
        offset = datetime.fromtimestamp(times[0] * 60, zone).utcoffset()
        if (
            within_a_day
            and offset == datetime.fromtimestamp(times[-1] * 60, zone).utcoffset()
            and offset is not None
        ):
            # One UTC offset from the first start to the last (no clock change between them, as
            # there is at most one a day): the label is arithmetic.
            shift = int(offset.total_seconds()) // 60
            if shift * 60 == offset.total_seconds():
                return [LABELS[(minute + shift) % 1440] for minute in times], True
        moments = (minute_to_datetime(minute, zone) for minute in times)
        return [LABELS[moment.hour * 60 + moment.minute] for moment in moments], False

    def build(self, found: Found) -> BookingChainSolution:
        clock, services, masters = self.clock, self.problem.services, self.problem.masters
        items = []
        ids = self.problem.master_ids
        for service, (master_index, start) in zip(services, found[1], strict=True):
            master = masters[master_index]
            end = start + service.duration
            items.append(
                SingleServiceSolution(
                    service_id=service.service_id,
                    resource_id=ids[master_index],
                    start_time=clock.datetime(start, master.tz),
                    end_time=clock.datetime(end, master.tz),
                    gap_end_time=clock.datetime(end + service.gap, master.tz),
                )
            )
        return BookingChainSolution(items=items)

    def alternatives(self, index: int) -> list[Found]:
        if self.k == 1:
            return [self.best[index]]
        return self.search.at(self.times[index], self.k)


class EngineResult:
    """Every start time the engine found and, per start, the best visits (best first).

    Built by :class:`~booking.engine.ChainFinder`; ``EngineResult(mode=..., solutions=[...])``
    also works, as with the reference, for code that assembles results itself.
    """

    __slots__ = ("_best_built", "_booking_date", "_lazy", "_mode", "_solutions")

    def __init__(
        self,
        *,
        mode: BookingMode | str,
        solutions: Iterable[BookingChainSolution] | None = None,
        booking_date: date | None = None,
    ) -> None:
        self._mode = BookingMode(mode)
        self._booking_date = booking_date
        self._solutions: list[BookingChainSolution] | None = list(solutions or [])
        self._lazy: _Lazy | None = None
        self._best_built: dict[int, BookingChainSolution] = {}

    @classmethod
    def _from_search(
        cls,
        *,
        mode: BookingMode,
        booking_date: date | None,
        search: ChainSearch,
        times: list[int],
        best: Sequence[Found],
        max_solutions: int,
    ) -> EngineResult:
        # ``mode`` comes from a validated request: no ``BookingMode(mode)`` (an enum lookup)
        # on the calendar's hot path.
        result = cls.__new__(cls)
        result._mode = mode
        result._booking_date = booking_date
        result._solutions = None
        result._lazy = _Lazy(search, times, best, max_solutions)
        result._best_built = {}
        return result

    # -- plain fields ------------------------------------------------------------------------

    @property
    def mode(self) -> BookingMode:
        """The mode of the request."""
        return self._mode

    @property
    def booking_date(self) -> date | None:
        """The date that was searched (``find_nearest`` tells the caller which day it found)."""
        return self._booking_date

    @property
    def solutions(self) -> list[BookingChainSolution]:
        """Visits ordered by start, best first at each start (built the first time it is read)."""
        if self._solutions is None:
            lazy = self._lazy
            assert lazy is not None
            built: list[BookingChainSolution] = []
            for index in range(len(lazy.times)):
                if lazy.k == 1:
                    built.append(self._best_solution(index))
                else:
                    built.extend(lazy.build(found) for found in lazy.alternatives(index))
            self._solutions = built
        return self._solutions

    # -- reference API -----------------------------------------------------------------------

    @property
    def has_solutions(self) -> bool:
        """Whether any visit was found."""
        if self._lazy is not None:
            return bool(self._lazy.times)
        return bool(self._solutions)

    @property
    def best(self) -> BookingChainSolution | None:
        """The first solution: the best visit at the earliest start."""
        if self._lazy is not None and self._solutions is None:
            return self._best_solution(0) if self._lazy.times else None
        return self.solutions[0] if self.solutions else None

    @property
    def best_scored(self) -> BookingChainSolution | None:
        """The solution with the highest ``score`` (the first one among equals)."""
        if self._lazy is not None and self._solutions is None:
            # The engine scores every solution 0.0, so the first one wins, as max() would say.
            return self.best
        return max(self.solutions, key=lambda solution: solution.score) if self.solutions else None

    def get_unique_start_times(self) -> list[str]:
        """Every start of the day as local ``"HH:MM"``, in time order, each label once.

        On the night the clocks go back a wall-clock time can name two starts; it is listed
        once here and ``start_datetimes()`` has both.
        """
        if self._lazy is not None:
            labels, distinct = self._lazy.labels()
            if distinct:
                return labels
        else:
            starts = sorted({_instant(s.starts_at): s.starts_at for s in self.solutions}.items())
            labels = [moment.strftime("%H:%M") for _, moment in starts]
        return list(dict.fromkeys(labels))

    # -- additions ---------------------------------------------------------------------------

    def start_datetimes(self) -> list[datetime]:
        """Every start of the day as a datetime in the input's time zone, in time order."""
        if self._lazy is not None:
            return [self._lazy.start_datetime(index) for index in range(len(self._lazy.times))]
        starts = {_instant(s.starts_at): s.starts_at for s in self.solutions}
        return [starts[key] for key in sorted(starts)]

    def solutions_at(self, moment: str | datetime) -> list[BookingChainSolution]:
        """The visits starting at ``moment`` (``"HH:MM"`` or a datetime), best first."""
        if self._lazy is None:
            return [s for s in self.solutions if _matches(s.starts_at, moment)]
        index = self._index_of(moment)
        if index is None:
            return []
        if self._lazy.k == 1:
            return [self._best_solution(index)]
        return [self._lazy.build(found) for found in self._lazy.alternatives(index)]

    def best_at(self, moment: str | datetime) -> BookingChainSolution | None:
        """The best visit starting at ``moment``: the one a booking should persist."""
        if self._lazy is None:
            found = self.solutions_at(moment)
            return found[0] if found else None
        index = self._index_of(moment)
        return None if index is None else self._best_solution(index)

    # -- helpers -----------------------------------------------------------------------------

    def _best_solution(self, index: int) -> BookingChainSolution:
        solution = self._best_built.get(index)
        if solution is None:
            lazy = self._lazy
            assert lazy is not None
            solution = self._best_built[index] = lazy.build(lazy.best[index])
        return solution

    def _index_of(self, moment: str | datetime) -> int | None:
        lazy = self._lazy
        assert lazy is not None
        for index in range(len(lazy.times)):
            if _matches(lazy.start_datetime(index), moment):
                return index
        return None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EngineResult):
            return NotImplemented
        return self.mode == other.mode and self.solutions == other.solutions

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        starts = len(self._lazy.times) if self._lazy is not None else len(self.start_datetimes())
        return f"<EngineResult mode={self.mode} starts={starts}>"


def _instant(moment: datetime) -> int:
    return floor_minute(moment)


def _matches(start: datetime, moment: str | datetime) -> bool:
    """Whether a start is the one the caller names: by local ``HH:MM``, instant or wall clock."""
    if isinstance(moment, str):
        return start.strftime("%H:%M") == moment.strip()
    if is_aware(moment) and is_aware(start):
        return floor_minute(moment) == floor_minute(start)
    # A naive moment names a wall-clock time (the first one, on the night the clocks go back).
    return start.replace(tzinfo=None, second=0, microsecond=0) == moment.replace(
        tzinfo=None, second=0, microsecond=0
    )
