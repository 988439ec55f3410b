"""The request and the availability, compiled to integer minutes once per search.

Everything the search asks again and again is answered here from sorted lists:

- rule 1 (window and gap) and rule 6 (``min_start``) are static per service and master, so they
  become a :class:`StartSet`, the minutes at which that master may start that service;
- rule 5 (grid) becomes a second start set of the same pair with the grid points only;
- ``StartSet.earliest(x)`` is the earliest feasible minute at or after ``x``, found with
  ``bisect`` and remembered, never by scanning minutes.

The rules themselves (numbered as in docs/engine.md) are stated once in :mod:`.search`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from itertools import accumulate

from .dto import BookingEngineRequest, MasterAvailability
from .minutes import MasterMinutes, ceil_minute, is_aware

__all__ = ["Candidate", "Master", "Problem", "Service", "StartSet", "common_start", "compile_problem"]

_UNKNOWN = object()


class StartSet:
    """The minutes at which one master may start one service, as sorted intervals.

    Each interval ``[lo, hi]`` holds either every minute (``anchor`` None, ``step`` 1; such
    intervals are merged, so they are disjoint) or the points ``anchor + k * step`` (a grid;
    ``lo`` is then already a grid point). Grid intervals may overlap when the caller's windows
    overlap; ``reach`` (running maximum of ``hi``) keeps ``bisect`` valid in that case too.
    """

    __slots__ = ("_memo", "anchors", "his", "los", "reach", "step")

    def __init__(self, intervals: list[tuple[int, int, int | None]], step: int) -> None:
        intervals.sort()
        if step == 1:
            # Any-minute sets from several windows are one union: merge them, so that the
            # intervals are disjoint and ``his`` alone can be bisected.
            merged: list[tuple[int, int, int | None]] = []
            for lo, hi, _ in intervals:
                if merged and lo <= merged[-1][1] + 1:
                    if hi > merged[-1][1]:
                        merged[-1] = (merged[-1][0], hi, None)
                else:
                    merged.append((lo, hi, None))
            intervals = merged
        self.los = [lo for lo, _, _ in intervals]
        self.his = [hi for _, hi, _ in intervals]
        self.anchors = [anchor for _, _, anchor in intervals]
        self.reach = list(accumulate(self.his, max))
        self.step = step
        self._memo: dict[int, int | None] = {}

    def __bool__(self) -> bool:
        return bool(self.los)

    def earliest(self, x: int) -> int | None:
        """The first start at or after minute ``x``, or None."""
        found = self._memo.get(x, _UNKNOWN)
        if found is not _UNKNOWN:
            return found  # type: ignore[return-value]
        los, his, anchors, step = self.los, self.his, self.anchors, self.step
        best: int | None = None
        index = bisect_left(self.reach, x)
        while index < len(los):
            lo = los[index]
            if best is not None and lo >= best:
                break
            hi = his[index]
            if hi >= x:
                if lo >= x:
                    start = lo
                else:
                    anchor = anchors[index]
                    start = x if anchor is None else x + (anchor - x) % step
                if start <= hi and (best is None or start < best):
                    best = start
            index += 1
        self._memo[x] = best
        return best


def common_start(sets: Sequence[StartSet], x: int) -> int | None:
    """R3: the earliest minute at or after ``x`` allowed by every set (services of one step)."""
    start = x
    moved = True
    while moved:
        moved = False
        for allowed in sets:
            found = allowed.earliest(start)
            if found is None:
                return None
            if found != start:
                start, moved = found, True
    return start


@dataclass(slots=True)
class Master:
    """One master as the search sees it."""

    resource_id: str
    tz: tzinfo | None
    buffer: int


class Candidate:
    """A master who may do a service: ``position`` in ``possible_resource_ids`` ranks ties.

    ``free_los``/``free_his`` are the merged, disjoint intervals of allowed starts (rules 1, 6),
    ready to ``bisect``; ``grid_intervals`` keep the grid starts (rule 5) per window. The
    ``StartSet`` views are built on first use: a one-service request never needs them.
    """

    __slots__ = ("_free", "_grid", "free_his", "free_los", "grid_intervals", "master", "position", "step")

    def __init__(
        self,
        master: int,
        position: int,
        free_los: list[int],
        free_his: list[int],
        grid_intervals: list[tuple[int, int, int | None]],
        step: int,
    ) -> None:
        self.master = master
        self.position = position
        self.free_los = free_los
        self.free_his = free_his
        self.grid_intervals = grid_intervals
        self.step = step
        self._free: StartSet | None = None
        self._grid: StartSet | None = None

    @property
    def free(self) -> StartSet:
        if self._free is None:
            self._free = StartSet(
                [(lo, hi, None) for lo, hi in zip(self.free_los, self.free_his, strict=True)], 1
            )
        return self._free

    @property
    def grid(self) -> StartSet:
        if self._grid is None:
            self._grid = StartSet(self.grid_intervals, self.step)
        return self._grid

    def grid_points(self) -> Iterator[range]:
        """Every grid start, one ``range`` per window."""
        step = self.step
        for first, last, _ in self.grid_intervals:
            yield range(first, last + 1, step)


@dataclass(slots=True)
class Service:
    """One service of the request, with the masters who can actually do it that day."""

    service_id: str
    duration: int
    gap: int
    candidates: list[Candidate] = field(default_factory=list)


@dataclass(slots=True)
class Problem:
    """The compiled request: services, masters, steps and the global bounds, all in minutes."""

    services: list[Service]
    masters: list[Master]
    steps: list[tuple[int, ...]]
    overlap: bool
    max_span: int | None
    step_minutes: int


def _steps_of(request: BookingEngineRequest) -> list[tuple[int, ...]]:
    """Rule 3: a parallel group is one step, standing where its first service stands."""
    steps: list[list[int]] = []
    step_of_group: dict[str, int] = {}
    for index, service in enumerate(request.service_requests):
        group = service.parallel_group
        if group is not None and group in step_of_group:
            steps[step_of_group[group]].append(index)
            continue
        if group is not None:
            step_of_group[group] = len(steps)
        steps.append([index])
    return [tuple(step) for step in steps]


def _intervals(
    minutes: MasterMinutes,
    duration: int,
    gap: int,
    floor: int | None,
    step: int,
    on_grid: bool,
) -> tuple[list[int], list[int], list[tuple[int, int, int | None]]]:
    """Rules 1, 5 and 6 for one service and one master: all starts (merged), and the grid starts.

    The grid starts only when ``on_grid``: no rule asks for the grid of a service that opens no step.
    """
    anchor, work_end = minutes.anchor, minutes.work_end
    los: list[int] = []
    his: list[int] = []
    grid: list[tuple[int, int, int | None]] = []
    for start, end in minutes.windows:  # sorted by start
        # Rule 1: before an appointment or a break the gap must fit too; at the shift end not.
        lo, hi = start, (end - gap if work_end is not None and end < work_end else end) - duration
        if floor is not None and floor > lo:
            lo = floor
        if lo > hi:
            continue
        if his and lo <= his[-1] + 1:  # overlapping or touching windows: one run of minutes
            if hi > his[-1]:
                his[-1] = hi
        else:
            los.append(lo)
            his.append(hi)
        if not on_grid:
            continue
        origin = start if anchor is None else anchor
        first = lo if lo > origin else origin
        first += (origin - first) % step
        if first <= hi:
            grid.append((first, hi, origin))
    return los, his, grid


def compile_problem(
    request: BookingEngineRequest,
    availability: Mapping[str, MasterAvailability],
    step_minutes: int,
    min_start: datetime | None,
) -> Problem:
    """Translate a request into minutes; unknown and repeated master ids are skipped."""
    kinds = {item.in_minutes.aware for item in availability.values()} - {None}
    if min_start is not None:
        kinds.add(is_aware(min_start))
    if len(kinds) > 1:
        raise ValueError("All datetimes given to the engine must be aware, or all naive; they are mixed.")
    floor = None if min_start is None else ceil_minute(min_start)
    masters: list[Master] = []
    master_index: dict[str, int] = {}
    services: list[Service] = []
    steps = _steps_of(request)
    # R5: the first service of the visit, or with overlap the first service of every step.
    openers = {step[0] for step in (steps if request.overlap_allowed else steps[:1])}
    for number, service_request in enumerate(request.service_requests):
        on_grid = number in openers
        duration, gap = service_request.duration_minutes, service_request.min_gap_after_minutes
        service = Service(service_id=service_request.service_id, duration=duration, gap=gap)
        seen: set[str] = set()
        for position, resource_id in enumerate(service_request.possible_resource_ids):
            item = availability.get(resource_id)
            if item is None or resource_id in seen:
                continue
            seen.add(resource_id)
            los, his, grid = _intervals(item.in_minutes, duration, gap, floor, step_minutes, on_grid)
            if not los:
                continue
            index = master_index.get(resource_id)
            if index is None:
                index = master_index[resource_id] = len(masters)
                masters.append(Master(resource_id, item.in_minutes.tz, item.buffer_between_minutes))
            service.candidates.append(Candidate(index, position, los, his, grid, step_minutes))
        services.append(service)
    return Problem(
        services=services,
        masters=masters,
        steps=steps,
        overlap=request.overlap_allowed,
        max_span=request.max_chain_duration_minutes,
        step_minutes=step_minutes,
    )
