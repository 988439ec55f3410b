"""The request and the availability, compiled to integer minutes once per search.

Everything the search asks again and again is answered here from bitsets over the day (a
Python ``int``, bit ``i`` is minute ``Problem.origin + i``), built straight from the windows:

- rule 1 (window and gap) and rule 6 (``min_start``) are static per service and master, so they
  become a :class:`StartSet`, the minutes at which that master may start that service;
- rule 5 (grid) becomes a second start set of the same pair with the grid points only;
- ``StartSet.earliest(x)`` is the earliest feasible minute at or after ``x``: a shift and the
  lowest set bit, never a scan over minutes.

The rules themselves (numbered as in docs/engine.md) are stated once in :mod:`.search`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .dto import BookingEngineRequest, MasterAvailability, availability_by_id
from .minutes import MasterMinutes, ceil_minute, is_aware

__all__ = ["Candidate", "Problem", "Service", "StartSet", "common_start", "compile_problem"]


class StartSet:
    """The minutes at which one master may start one service: a bitset over the day.

    Bit ``i`` of ``bits`` is minute ``origin + i``. ``earliest(x)`` is the first set bit at or
    after ``x``: a shift and the lowest set bit, with no per-minute scanning and nothing to set
    up (the set is the candidate's own bitset).
    """

    __slots__ = ("bits", "origin")

    def __init__(self, bits: int, origin: int) -> None:
        self.bits = bits
        self.origin = origin

    def __bool__(self) -> bool:
        return bool(self.bits)

    def earliest(self, x: int) -> int | None:
        """The first start at or after minute ``x``, or None."""
        shift = x - self.origin
        if shift <= 0:
            rest, x = self.bits, self.origin
        else:
            rest = self.bits >> shift
        if not rest:
            return None
        return x + (rest & -rest).bit_length() - 1


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


class Candidate:
    """A master who may do a service: ``position`` in ``possible_resource_ids`` ranks ties.

    ``bits`` and ``grid_bits`` are the allowed starts (rules 1, 6) and the grid starts among them
    (rule 5) as bitsets over the day; ``free`` and ``grid`` are the same as :class:`StartSet`.
    Only one of them is built with the problem: the grid starts of a service that opens a step
    (R5), every allowed start of the others; the other one is made if the search asks for it.
    """

    __slots__ = ("_bits", "_set", "_source", "master", "position", "step")

    def __init__(
        self,
        master: int,
        position: int,
        bits: int,
        step: int,
        source: tuple[MasterMinutes, int, int, int | None, bool, int],
    ) -> None:
        self.master = master
        self.position = position
        self._set = bits  # ``grid_bits`` if the service opens a step (``source[4]``), else ``bits``
        self._bits: int | None = None if source[4] else bits
        self.step = step
        # (minutes, duration, gap, floor, on_grid, origin): what ``_bits`` and ``_intervals`` need.
        self._source = source

    @property
    def grid_bits(self) -> int:
        """R1, R5, R6: the grid starts (none for a service that opens no step)."""
        return self._set if self._source[4] else 0

    @property
    def bits(self) -> int:
        """R1, R6: every allowed start."""
        if self._bits is None:
            minutes, duration, gap, floor, _, origin = self._source
            lowest = _NO_FLOOR if floor is None else floor
            self._bits = max(0, _bits_of(minutes, duration, gap, lowest, self.step, False, origin, {}))
        return self._bits

    @property
    def free(self) -> StartSet:
        return StartSet(self.bits, self._source[5])

    @property
    def grid(self) -> StartSet:
        return StartSet(self.grid_bits, self._source[5])

    def grid_points(self) -> Iterator[range]:
        """Every grid start, one ``range`` per window (listed from the windows, not the bitset)."""
        minutes, duration, gap, floor, on_grid, _ = self._source
        step = self.step
        for first, last, _ in _intervals(minutes, duration, gap, floor, step, on_grid)[2]:
            yield range(first, last + 1, step)


class Service:
    """One service of the request, with the masters who can actually do it that day.

    The compiled form is three parallel lists, one entry per master in list order: ``masters``
    (index into ``Problem.masters``), ``positions`` (in ``possible_resource_ids``) and ``sets``
    (the grid starts as a bitset if the service opens a step, else every allowed start). The
    start sets read only these; the :class:`Candidate` objects the exact search walks over are
    made from them the first time it asks (most days never need them).

    The last service of a plain sequence is compiled to ``latest`` only (each master's latest
    allowed start: all its exact start set reads); its ``sets`` are then made when first read.
    """

    __slots__ = (
        "_candidates",
        "_sets",
        "duration",
        "gap",
        "latest",
        "masters",
        "opens",
        "positions",
        "service_id",
        "spec",
    )

    def __init__(
        self,
        service_id: str,
        duration: int,
        gap: int,
        opens: bool,
        spec: tuple[int | None, int, int, list[MasterAvailability]],
    ) -> None:
        self.service_id = service_id
        self.duration = duration
        self.gap = gap
        self.opens = opens  # R5: its sets hold grid starts only
        self.spec = spec  # (floor, step, origin, masters): what a candidate needs for its other set
        self.masters: list[int] = []
        self.positions: list[int] = []
        self._sets: list[int] | None = []
        self.latest: list[int] | None = None  # set instead of ``sets`` for a plain last service
        self._candidates: list[Candidate] | None = None

    @property
    def sets(self) -> list[int]:
        """Per master, the grid starts if the service opens a step, else every allowed start."""
        found = self._sets
        if found is None:
            floor, step, origin, masters = self.spec
            lowest = _NO_FLOOR if floor is None else floor
            duration, gap, opens, combs = self.duration, self.gap, self.opens, {}
            found = self._sets = [
                _bits_of(masters[master].in_minutes, duration, gap, lowest, step, opens, origin, combs)
                for master in self.masters
            ]
        return found

    @property
    def candidates(self) -> list[Candidate]:
        """The masters as :class:`Candidate` objects (made on first use, for the exact search)."""
        found = self._candidates
        if found is None:
            floor, step, origin, masters = self.spec
            duration, gap, opens = self.duration, self.gap, self.opens
            found = self._candidates = [
                Candidate(
                    master,
                    position,
                    bits,
                    step,
                    (masters[master].in_minutes, duration, gap, floor, opens, origin),
                )
                for master, position, bits in zip(self.masters, self.positions, self.sets, strict=True)
            ]
        return found

    def latest_starts(self) -> list[int]:
        """Per master, the latest start in ``sets`` (relative to the origin; -1 for none)."""
        if self.latest is not None:
            return self.latest
        return [bits.bit_length() - 1 for bits in self.sets]

    def grid_sets(self) -> list[int]:
        """R1, R5, R6: per master, the grid starts (none for a service that opens no step)."""
        return self.sets if self.opens else [0] * len(self.sets)

    def free_sets(self) -> list[int]:
        """R1, R6: per master, every allowed start."""
        if not self.opens:
            return self.sets
        return [candidate.bits for candidate in self.candidates]


@dataclass(slots=True)
class Problem:
    """The compiled request: services, masters, steps and the global bounds, all in minutes."""

    services: list[Service]
    # The masters who fit some service, indexed as ``Service.masters``: their availability
    # (zone, buffer, minutes) as given, and the id the request named each by.
    masters: list[MasterAvailability]
    master_ids: list[str]
    steps: list[tuple[int, ...]]
    overlap: bool
    max_span: int | None
    step_minutes: int
    origin: int = 0  # the minute of bit 0 of every candidate's bitsets


_ONE_PER_STEP = tuple(tuple((index,) for index in range(count)) for count in range(8))


def _steps_of(request: BookingEngineRequest) -> list[tuple[int, ...]]:
    """Rule 3: a parallel group is one step, standing where its first service stands."""
    services = request.service_requests
    for service in services:
        if service.parallel_group:
            break
    else:  # the common case, no group: one step per service
        return (
            list(_ONE_PER_STEP[len(services)]) if len(services) < 8 else [(i,) for i in range(len(services))]
        )
    steps: list[list[int]] = []
    step_of_group: dict[str, int] = {}
    for index, service in enumerate(services):
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


_NO_FLOOR = -(1 << 62)  # "no min_start": a floor below every minute


def _bits_of(
    minutes: MasterMinutes,
    duration: int,
    gap: int,
    floor: int,
    step: int,
    on_grid: bool,
    base: int,
    combs: dict[int, int],
) -> int:
    """The starts of :func:`_intervals` straight as a bitset (bit ``i``: minute ``base + i``).

    The grid starts when ``on_grid`` (the start set of a service that opens a step is never
    read without the grid), else every allowed start; ``-1`` when the master has no allowed
    start at all. A run of minutes is one subtraction of powers of two; the grid points of a
    window one geometric series ``1 + 2**step + 2**(2 * step) + ...`` (kept in ``combs`` by
    length), shifted. Overlapping windows need no merging: ``|`` is the union.
    """
    anchor, work_end = minutes.anchor, minutes.work_end
    bits = 0
    fits = False
    for start, end in minutes.windows:
        if end - start < duration:  # too short: no start in it
            continue
        # Rule 1: before an appointment or a break the gap must fit too; at the shift end not.
        hi = (end - gap if work_end is not None and end < work_end else end) - duration
        lo = start if start >= floor else floor
        if lo > hi:
            continue
        fits = True
        if not on_grid:
            bits |= (1 << (hi + 1 - base)) - (1 << (lo - base))
            continue
        origin = start if anchor is None else anchor
        first = lo if lo > origin else origin
        first += (origin - first) % step
        if first <= hi:
            count = (hi - first) // step + 1
            comb = combs.get(count)
            if comb is None:
                comb = combs[count] = ((1 << (step * count)) - 1) // ((1 << step) - 1)
            bits |= comb << (first - base)
    return bits if fits else -1


def compile_problem(
    request: BookingEngineRequest,
    availability: Mapping[Any, MasterAvailability] | Iterable[MasterAvailability],
    step_minutes: int,
    min_start: datetime | None,
) -> Problem:
    """Translate a request into minutes; unknown and repeated master ids are skipped.

    ``availability`` is keyed by master id (an integer id is read as its string), or a list of
    :class:`MasterAvailability`, as :meth:`ChainFinder.find` takes it.
    """
    kinds: set[bool | None] = set()
    base: int | None = None  # bit 0 of every bitset: the earliest window start of any master
    # Per master id: [its index in ``masters`` (-1 until it fits some service), the item, its
    # windows, work end and anchor]; ids the availability lacks are not in it.
    known: dict[str, list[Any]] = {}
    # A dict (what the adapter and most callers pass) is read as it is, not copied first.
    pairs = availability.items() if type(availability) is dict else availability_by_id(availability).items()
    for resource_id, item in pairs:
        if type(resource_id) is not str:  # an integer primary key names master "3" too
            resource_id = str(resource_id)
        minutes = item.in_minutes
        windows = minutes.windows
        kinds.add(minutes.aware)
        if windows and (base is None or windows[0][0] < base):
            base = windows[0][0]
        known[resource_id] = [-1, item, windows, minutes.work_end, minutes.anchor]
    kinds.discard(None)
    if min_start is not None:
        kinds.add(is_aware(min_start))
    if len(kinds) > 1:
        raise ValueError("All datetimes given to the engine must be aware, or all naive; they are mixed.")
    floor = None if min_start is None else ceil_minute(min_start)
    origin = 0 if base is None else base
    masters: list[MasterAvailability] = []
    master_ids: list[str] = []
    services: list[Service] = []
    combs: dict[int, int] = {}
    steps = _steps_of(request)
    # R5: the first service of the visit, or with overlap the first service of every step.
    openers = {step[0] for step in steps} if request.overlap_allowed else {0}
    spec = (floor, step_minutes, origin, masters)
    lowest = _NO_FLOOR if floor is None else floor
    # A plain sequence of two or three services (see ``startsets``) reads only the latest start
    # of each master for its last service.
    plain = not request.overlap_allowed and request.max_chain_duration_minutes is None
    count = len(request.service_requests)
    latest_only = count - 1 if plain and len(steps) == count and count in (2, 3) else -1
    for number, service_request in enumerate(request.service_requests):
        on_grid = number in openers
        duration, gap = service_request.duration_minutes, service_request.min_gap_after_minutes
        service = Service(service_request.service_id, duration, gap, on_grid, spec)
        service_masters, positions = service.masters, service.positions
        latest_mode = number == latest_only
        if latest_mode:
            service._sets, service.latest = None, []
        values = service.latest if latest_mode else service._sets
        assert values is not None
        ids = service_request.possible_resource_ids
        listed: Iterable[tuple[int, str]] = enumerate(ids)
        if len(set(ids)) != len(ids):  # a repeated id counts once, at its first position
            first = {resource_id: position for position, resource_id in reversed(list(enumerate(ids)))}
            listed = sorted((position, resource_id) for resource_id, position in first.items())
        # The body below is ``_bits_of`` written out: it runs once per (service, master), the
        # largest share of a whole search, and a call per pair costs as much as its loop.
        for position, resource_id in listed:
            entry = known.get(resource_id)
            if entry is None:
                continue
            _, _, windows, work_end, anchor = entry
            # Rule 1: before an appointment or a break the gap must fit too; at the shift end not.
            # (``cut``: the gap counts before it; below every minute when there is none to fit.)
            cut = _NO_FLOOR if work_end is None or not gap else work_end
            if latest_mode:  # only the latest allowed start (R1, R6), relative to the origin
                top = _NO_FLOOR
                for start, end in windows:
                    if end - start < duration:  # too short (most windows of a booked day)
                        continue
                    hi = (end - gap if end < cut else end) - duration
                    if hi > top and hi >= start and hi >= lowest:
                        top = hi
                if top == _NO_FLOOR:
                    continue
                bits = top - origin
            elif on_grid:  # R5: the grid points of each window, one geometric series each
                bits, fits = 0, False
                for start, end in windows:
                    if end - start < duration:  # too short (most windows of a booked day)
                        continue
                    hi = (end - gap if end < cut else end) - duration
                    lo = start if start >= lowest else lowest
                    if lo > hi:
                        continue
                    fits = True
                    anchored = start if anchor is None else anchor
                    if lo > anchored:
                        lo += (anchored - lo) % step_minutes
                    else:
                        lo = anchored
                    if lo <= hi:
                        length = (hi - lo) // step_minutes + 1
                        comb = combs.get(length)
                        if comb is None:
                            comb = combs[length] = ((1 << (step_minutes * length)) - 1) // (
                                (1 << step_minutes) - 1
                            )
                        bits |= comb << (lo - origin)
                if not fits:
                    continue
            else:  # every allowed start: a run of minutes per window
                bits = 0
                for start, end in windows:
                    if end - start < duration:  # too short (most windows of a booked day)
                        continue
                    hi = (end - gap if end < cut else end) - duration
                    lo = start if start >= lowest else lowest
                    if lo <= hi:
                        bits |= (2 << (hi - origin)) - (1 << (lo - origin))
                if not bits:
                    continue
            index = entry[0]
            if index < 0:  # the first service this master fits: it joins the problem's masters
                index = entry[0] = len(masters)
                masters.append(entry[1])
                master_ids.append(resource_id)
            service_masters.append(index)
            positions.append(position)
            values.append(bits)
        services.append(service)
    return Problem(
        services=services,
        masters=masters,
        master_ids=master_ids,
        steps=steps,
        overlap=request.overlap_allowed,
        max_span=request.max_chain_duration_minutes,
        step_minutes=step_minutes,
        origin=origin,
    )
