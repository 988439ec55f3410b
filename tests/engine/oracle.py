"""A brute-force oracle for the slot engine, written from docs/engine.md and nothing else.

It shares no code with ``booking.engine``: it reads the request and availability objects, turns
datetimes into minutes its own way, and judges a visit with :meth:`Oracle.valid`, a literal
transcription of rules 1-7. First starts are found by trying every minute of the day. For the
later steps of a chain it relies on the argument of docs/engine.md ("for a fixed order of steps
and fixed masters, placing each step at its earliest feasible minute is optimal"): it tries
every choice of masters and every order of steps, and scans minute by minute for each later
step's earliest start.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import permutations, product

_AWARE_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)


def minute_of(moment: datetime, round_up: bool) -> int:
    """Minutes since the epoch (UTC for aware datetimes), rounded up or down."""
    aware = moment.tzinfo is not None and moment.utcoffset() is not None
    seconds = (moment - (_AWARE_EPOCH if aware else _NAIVE_EPOCH)).total_seconds()
    return math.ceil(seconds / 60) if round_up else math.floor(seconds / 60)


@dataclass
class _Master:
    windows: list[tuple[int, int]]
    work_start: int | None
    work_end: int | None
    buffer: int


@dataclass
class _Service:
    duration: int
    gap: int
    group: str | None
    masters: list[str] = field(default_factory=list)  # in the order given, with availability


Visit = Sequence[tuple[str, int]]  # (master id, start minute) per service, request order


class Oracle:
    """Rules 1-7 of docs/engine.md as a predicate, and an exhaustive search built on it."""

    def __init__(
        self,
        request: object,
        availability: Mapping[str, object],
        step_minutes: int,
        min_start: datetime | None,
    ) -> None:
        self.step = step_minutes
        self.min_start = None if min_start is None else minute_of(min_start, round_up=True)
        self.overlap = bool(request.overlap_allowed)  # type: ignore[attr-defined]
        self.max_length = request.max_chain_duration_minutes  # type: ignore[attr-defined]
        self.masters: dict[str, _Master] = {}
        for key, item in availability.items():
            self.masters[str(key)] = _Master(
                windows=[
                    (minute_of(start, round_up=True), minute_of(end, round_up=False))
                    for start, end in item.free_windows  # type: ignore[attr-defined]
                ],
                work_start=None
                if item.work_start is None  # type: ignore[attr-defined]
                else minute_of(item.work_start, round_up=True),  # type: ignore[attr-defined]
                work_end=None
                if item.work_end is None  # type: ignore[attr-defined]
                else minute_of(item.work_end, round_up=False),  # type: ignore[attr-defined]
                buffer=item.buffer_between_minutes,  # type: ignore[attr-defined]
            )
        self.services: list[_Service] = []
        for service in request.service_requests:  # type: ignore[attr-defined]
            entry = _Service(
                service.duration_minutes, service.min_gap_after_minutes, service.parallel_group or None
            )
            for resource_id in service.possible_resource_ids:
                if str(resource_id) in self.masters and str(resource_id) not in entry.masters:
                    entry.masters.append(str(resource_id))
            self.services.append(entry)
        # Rule 3: a group is one step, where its first service stands.
        self.steps: list[list[int]] = []
        where: dict[str, int] = {}
        for index, service in enumerate(self.services):
            if service.group is not None and service.group in where:
                self.steps[where[service.group]].append(index)
            else:
                if service.group is not None:
                    where[service.group] = len(self.steps)
                self.steps.append([index])
        edges = [edge for master in self.masters.values() for window in master.windows for edge in window]
        self.first_minute = min(edges, default=0)
        self.last_minute = max(edges, default=-1)
        self._allowed: dict[tuple[int, str], bytearray] = {}

    # -- the predicate ---------------------------------------------------------------------------

    def _fitting_windows(self, index: int, master_id: str, start: int) -> list[tuple[int, int]]:
        """Rule 1: the free windows of the master that hold the service (and its gap if needed)."""
        service, master = self.services[index], self.masters[master_id]
        end = start + service.duration
        fitting = []
        for window_start, window_end in master.windows:
            if window_start <= start and end <= window_end:
                closed_early = master.work_end is not None and window_end < master.work_end
                if not closed_early or end + service.gap <= window_end:
                    fitting.append((window_start, window_end))
        return fitting

    def in_window(self, index: int, master_id: str, start: int) -> bool:
        """Rule 1 for one service."""
        return bool(self._fitting_windows(index, master_id, start))

    def on_grid(self, index: int, master_id: str, start: int) -> bool:
        """Rule 5 for the service that opens a step: shift grid, or the grid of its window."""
        master = self.masters[master_id]
        if master.work_start is not None:
            return start >= master.work_start and (start - master.work_start) % self.step == 0
        return any(
            (start - window_start) % self.step == 0
            for window_start, _ in self._fitting_windows(index, master_id, start)
        )

    def valid(self, visit: Visit) -> bool:
        """Whether a complete visit obeys rules 1-7."""
        if len(visit) != len(self.services):
            return False
        starts = [start for _, start in visit]
        ends = [start + service.duration for (_, start), service in zip(visit, self.services, strict=True)]
        first = min(starts)
        for index, (master_id, start) in enumerate(visit):
            if master_id not in self.services[index].masters or not self.in_window(index, master_id, start):
                return False
            if self.min_start is not None and start < self.min_start:
                return False
        for a, b in product(range(len(visit)), repeat=2):  # rule 2
            if a < b and visit[a][0] == visit[b][0]:
                early, late = (a, b) if starts[a] <= starts[b] else (b, a)
                block = ends[early] + self.services[early].gap + self.masters[visit[early][0]].buffer
                if starts[late] == starts[early] or starts[late] < block:
                    return False
        for step in self.steps:  # rule 3
            if len({starts[index] for index in step}) != 1:
                return False
        if self.overlap:  # rule 5, every step
            for step in self.steps:
                if not self.on_grid(step[0], visit[step[0]][0], starts[step[0]]):
                    return False
        else:  # rules 4 and 5
            for k in range(1, len(self.steps)):
                latest_end = max(ends[index] for step in self.steps[:k] for index in step)
                if starts[self.steps[k][0]] < latest_end:
                    return False
            if starts[0] != first or not self.on_grid(0, visit[0][0], first):
                return False
        return self.max_length is None or max(ends) - first <= self.max_length  # rule 7

    # -- exhaustive search -----------------------------------------------------------------------

    def single_service_starts(self) -> set[int]:
        """Every minute at which a one-service visit can start (tried one by one)."""
        assert len(self.services) == 1
        return {
            minute
            for minute in range(self.first_minute, self.last_minute + 1)
            if any(self.valid([(master_id, minute)]) for master_id in self.services[0].masters)
        }

    def best_spans(self) -> dict[int, int]:
        """``{first start: shortest span}`` over every start minute of the day."""
        spans: dict[int, int] = {}
        for minute in range(self.first_minute, self.last_minute + 1):
            openers = self.steps if self.overlap else self.steps[:1]
            if not any(
                self._allows(step[0], master_id, minute) and self.on_grid(step[0], master_id, minute)
                for step in openers
                for master_id in self.services[step[0]].masters
            ):
                continue
            for masters in product(*(service.masters for service in self.services)):
                orders = permutations(range(len(self.steps))) if self.overlap else [range(len(self.steps))]
                for order in orders:
                    visit = self._earliest(minute, list(masters), list(order))
                    if visit is not None and self.valid(visit):
                        span = (
                            max(start + self.services[i].duration for i, (_, start) in enumerate(visit))
                            - minute
                        )
                        spans[minute] = min(span, spans.get(minute, span))
        return spans

    def _allows(self, index: int, master_id: str, start: int) -> bool:
        """Rules 1 and 6 for one service, from a minute-by-minute table."""
        key = (index, master_id)
        table = self._allowed.get(key)
        if table is None:
            table = bytearray(
                self.in_window(index, master_id, minute)
                and (self.min_start is None or minute >= self.min_start)
                for minute in range(self.first_minute, self.last_minute + 1)
            )
            self._allowed[key] = table
        offset = start - self.first_minute
        return 0 <= offset < len(table) and bool(table[offset])

    def _earliest(self, first: int, masters: list[str], order: list[int]) -> list[tuple[str, int]] | None:
        """Steps in ``order``: the first at ``first``, each next at its earliest valid minute."""
        placed: dict[int, tuple[str, int]] = {}
        previous_start, latest_end = first, first
        for rank, s in enumerate(order):
            step = self.steps[s]
            if len({masters[index] for index in step}) != len(step):
                return None
            minute = first if rank == 0 else (previous_start if self.overlap else latest_end)
            while True:
                if minute > self.last_minute:
                    return None
                if self._step_fits(step, masters, minute, placed, on_grid=self.overlap or rank == 0):
                    break
                if rank == 0:
                    return None
                minute += 1
            for index in step:
                placed[index] = (masters[index], minute)
                latest_end = max(latest_end, minute + self.services[index].duration)
            previous_start = minute
        return [placed[index] for index in range(len(self.services))]

    def _step_fits(
        self,
        step: list[int],
        masters: list[str],
        minute: int,
        placed: dict[int, tuple[str, int]],
        on_grid: bool,
    ) -> bool:
        for index in step:
            if not self._allows(index, masters[index], minute):
                return False
            for other, (master_id, start) in placed.items():
                if master_id == masters[index]:
                    block = (
                        start
                        + self.services[other].duration
                        + self.services[other].gap
                        + self.masters[master_id].buffer
                    )
                    if minute < block:
                        return False
        return not on_grid or self.on_grid(step[0], masters[step[0]], minute)
