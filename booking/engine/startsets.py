"""Every start of the day at once: whole-day algebra on bitsets, a search only in a thin band.

A Python ``int`` is a bitset over the day's minutes (bit ``i`` is minute ``origin + i``). Per
service and master the compiled problem gives the minutes at which that master may start it
(rules R1, R6 of :mod:`.search`) and the grid points among them (R5); everything else is
``|``, ``&`` and shifts over whole days:

- **covered by k masters**: running counters (``at_least[j] |= at_least[j - 1] & bits``) give
  the minutes at which at least ``k`` different masters may start a service, so "some master
  other than the ones already in the visit" needs no enumeration of pairs;
- **sequence** (R4): the latest start of each step from which the rest can still follow is a
  threshold computed backwards from the last step; with ``max_chain_duration_minutes`` (R7) a
  two-step visit is one shifted window test, a longer one a short walk per grid point;
- **overlap**: each step needs a start in ``[T, T + max - length]`` (or at or after ``T``), and one
  step starts at ``T`` itself; a window test per step.

This gives two sets of first starts for the whole day:

- ``lower``: R2 (a master does one service at a time) and the distinct masters of a parallel group
  are ignored. Every real visit survives the relaxation, so no start outside ``lower`` exists.
- ``upper``: every service is placed where enough masters are free that it can always take one
  the visit does not use yet (a greedy choice of distinct masters). Such a visit is valid, so every
  start in ``upper`` exists.

Only the starts in ``lower`` but not in ``upper`` (a thin band: times at which one master would
have to do two services) are decided by the exact search of :mod:`.search`, one start at a time.

The common shapes need no band: a plain sequence of two or three services, two single services
with overlap, and one single service with a pair are decided exactly (latest-start thresholds
per master with the best other masters; Hall's condition with one master left out).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import combinations

from .tables import Tables

__all__ = ["DayBits", "bits_of", "minutes_of"]


def bits_of(bits: int) -> Iterator[int]:
    """The positions of the set bits, lowest first."""
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


_ONE = re.compile("1")


def minutes_of(bits: int, origin: int) -> list[int]:
    """``origin`` plus the position of every set bit, lowest first: a day's start times.

    The binary digits read backwards are the positions in order; the regular expression walks
    them in C, faster than three operations on a long integer per start.
    """
    return [origin + found.start() for found in _ONE.finditer(bin(bits)[:1:-1])]


def _up_to(position: int) -> int:
    """The bits ``0..position`` (none when ``position`` is negative)."""
    return (1 << (position + 1)) - 1 if position >= 0 else 0


def _at_or_before_last(bits: int) -> int:
    """The positions ``p`` at or after which ``bits`` still has a bit: ``0..top``."""
    return (1 << bits.bit_length()) - 1


def _window(bits: int, width: int) -> int:
    """The positions ``p`` such that ``bits`` has a bit in ``[p, p + width]`` (``width >= 0``)."""
    covered, span = bits, 1
    while span * 2 <= width + 1:
        covered |= covered >> span
        span *= 2
    if span < width + 1:
        covered |= covered >> (width + 1 - span)
    return covered


def _next(bits: int, position: int) -> int | None:
    """The first bit at or after ``position``, or None."""
    rest = bits >> position
    if not rest:
        return None
    return position + (rest & -rest).bit_length() - 1


def _covered(sets: list[int], k: int) -> list[int]:
    """``[at least 1, at least 2, ..., at least k]`` of ``sets`` have the bit (running counters)."""
    if k == 2:  # the usual question ("some other master"), without a loop over the counters
        once = twice = 0
        for bits in sets:
            twice |= once & bits
            once |= bits
        return [once, twice]
    at_least = [0] * k
    for bits in sets:
        for j in range(k - 1, 0, -1):
            at_least[j] |= at_least[j - 1] & bits
        at_least[0] |= bits
    return at_least


def _top(latest: dict[int, int], count: int) -> list[tuple[int, int | None]]:
    """The ``count`` largest ``(value, master)`` of ``latest``, padded with ``(-1, None)`` (none)."""
    ranked = sorted(zip(latest.values(), latest.keys(), strict=True), reverse=True)[:count]
    if len(ranked) < count:
        ranked += [(-1, None)] * (count - len(ranked))  # type: ignore[list-item]
    return ranked  # type: ignore[return-value]


def _has_bit(bits: int, low: int, high: int) -> bool:
    """Whether ``bits`` has a bit at a position in ``[low, high]``."""
    return high >= low and bool(bits >> low & ((1 << (high - low + 1)) - 1))


def _any_pair(
    openers: list[int], partners: list[int], free: list[int], done_first: set[int], done_second: set[int]
) -> bool:
    """Whether two distinct masters ``a`` in ``openers`` and ``b`` in ``partners`` leave the
    single service a master: one of ``free`` other than both (``free`` holds the best three), or
    ``a`` in ``done_first`` or ``b`` in ``done_second`` (it does the single one afterwards)."""
    for a in openers:
        for b in partners:
            if a == b:
                continue
            if a in done_first or b in done_second or any(c != a and c != b for c in free):
                return True
    return False


def _hall(services: list[list[tuple[int, int]]], within: int, smallest: int = 1) -> int:
    """The bits of ``within`` at which every service can have a master of its own.

    ``services`` holds ``(master, bits)`` per service. By Hall's theorem distinct masters exist
    exactly when every subset of the services has at least as many masters between them as it
    has services (seven subsets for three services). ``smallest=2`` skips the single services
    when ``within`` is already covered by some master of each.
    """
    found = within
    for size in range(smallest, len(services) + 1):
        for subset in combinations(range(len(services)), size):
            by_master: dict[int, int] = {}
            for order in subset:
                for master, bits in services[order]:
                    bits &= found
                    if bits:
                        by_master[master] = by_master.get(master, 0) | bits
            if len(by_master) < size:
                return 0
            found &= _covered(list(by_master.values()), size)[-1]
            if not found:
                return 0
    return found


class DayBits:
    """The lower and upper start sets of one problem (see the module docstring), as bitsets.

    ``origin`` is the minute of bit 0: the earliest window start of any master of the request.
    """

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        problem = tables.problem
        self.origin = problem.origin
        self.n_services = len(problem.services)

    # -- the bitsets of one service ------------------------------------------------------------

    def _service_sets(self, index: int, on_grid: bool) -> list[int]:
        """R1, R5, R6: per master, the minutes at which it may start the service (grid points only)."""
        service = self.tables.problem.services[index]
        return service.grid_sets() if on_grid else service.free_sets()

    def _step(self, s: int, on_grid: bool, robust: tuple[int, ...]) -> tuple[list[int], list[list[int]]]:
        """Step ``s``'s common starts (R3): ``[distinct, robust for each k in robust]``, and the sets.

        ``distinct``: the minutes at which the step's services can start together with distinct
        masters. By Hall's theorem that is exact: every subset of the services has at least as
        many masters free between them as it has services (one subset for one service, three
        for a pair). Robust for ``k``: at least ``k`` masters per service, so each service can
        take a master that none of ``k - 1`` others uses. The first service of the step lies on
        its master's grid when ``on_grid``. The second value is each service's set per master.
        """
        step = self.tables.problem.steps[s]
        services = self.tables.problem.services
        need = max((len(step), *robust))
        found = [-1] * (1 + len(robust))
        per_service: list[list[int]] = []
        for order, index in enumerate(step):
            sets = self._service_sets(index, on_grid and order == 0)
            per_service.append(sets)
            at_least = _covered(sets, need)
            wanted = [at_least[0]] + [at_least[k - 1] for k in robust]
            found = [mine & theirs for mine, theirs in zip(found, wanted, strict=True)]
        if len(step) > 1 and found[0]:
            found[0] = _hall(
                [
                    list(zip(services[index].masters, sets, strict=True))
                    for index, sets in zip(step, per_service, strict=True)
                ],
                found[0],
                smallest=2,  # ``found[0]`` is within every service's union already
            )
        return found, per_service

    # -- the start sets ------------------------------------------------------------------------

    def bounds(self) -> tuple[int, int]:
        """``(lower, upper)``: no start outside ``lower`` exists, every start in ``upper`` does."""
        if self.tables.problem.overlap:
            return self._overlap_bounds()
        return self._sequence_bounds()

    def _sequence_bounds(self) -> tuple[int, int]:
        tables = self.tables
        if tables.simple and tables.problem.max_span is None and len(tables.problem.steps) in (2, 3):
            exact = self._plain_sequence()
            return exact, exact
        steps, lengths, max_span = tables.problem.steps, tables.step_length, tables.problem.max_span
        relaxed: list[int] = []  # distinct masters within the step (R3), any earlier ones allowed
        robust: list[int] = []  # ... and masters that no earlier service of the visit uses
        alone: list[int] = []  # the same as relaxed: R2 ignored
        before = 0  # services placed before this step
        per_step: list[list[list[int]]] = []
        for s, step in enumerate(steps):
            (distinct, avoiding), per_service = self._step(s, s == 0, (before + len(step),))
            per_step.append(per_service)
            relaxed.append(distinct)
            robust.append(distinct if s == 0 else avoiding)
            alone.append(distinct)
            before += len(step)
        # A step that starts ``clear`` minutes after the latest end so far may take any master:
        # every earlier service's gap and buffer are over by then (R2).
        clear = max(tables.gaps) + max(tables.buffers)
        lower = relaxed[0] & self._after_first(relaxed, relaxed, lengths, 0)
        upper = robust[0] & self._after_first(robust, alone, lengths, clear)
        if len(steps) == 1:
            return lower, upper
        if len(steps) == 2:
            if max_span is not None:
                width = max_span - lengths[0] - lengths[1]
                if width < 0:
                    return 0, 0
                lower &= _window(relaxed[1], width) >> lengths[0]
                fits = _window(robust[1], width) >> lengths[0]
                if width >= clear:
                    fits |= _window(alone[1], width - clear) >> (lengths[0] + clear)
                upper &= fits
            band = lower & ~upper
            if band and len(steps[1]) == 1:
                upper |= self._distinct_pair(per_step, band)
            elif band and len(steps[0]) == 1 and len(steps[1]) == 2:
                upper |= self._single_then_pair(band, lengths[0])
            return lower, upper
        if max_span is None:
            return lower, upper
        return (
            self._walk(lower, relaxed, relaxed, lengths, max_span, 0),
            self._walk(upper, robust, alone, lengths, max_span, clear),
        )

    def _plain_sequence(self) -> int:
        """Two or three services one after another, no maximum length: the exact start set.

        For fixed masters the latest start of each service from which the rest still fits is
        computed backwards (R2 and R4 are lower bounds on later starts): the last service's
        latest allowed start, then each earlier one's latest allowed start that ends in time for
        every later service, with gap and buffer before a later service of the same master. A
        first start ``T`` on the grid of master ``m0`` works exactly when ``T`` is at or before
        the best such threshold over the later masters. The best over masters other than
        ``m0`` comes from the top few per master (or, for "some other master", from the minutes
        covered by at least two masters), so no pair or triple of masters is enumerated.
        """
        problem, tables = self.tables.problem, self.tables
        first, second = problem.services[0], problem.services[1]
        d0, d1 = tables.durations[0], tables.durations[1]
        g0, g1 = tables.gaps[0], tables.gaps[1]
        buffers = tables.buffers
        found = 0
        if len(problem.services) == 2:
            last1 = dict(zip(second.masters, second.latest_starts(), strict=True))
            (top, top_master), (runner_up, _) = _top(last1, 2)
            for m0, grid in zip(first.masters, first.sets, strict=True):
                theta = (runner_up if top_master == m0 else top) - d0
                own = last1.get(m0)
                if own is not None:  # the same master for both: gap and buffer in between
                    theta = max(theta, own - d0 - g0 - buffers[m0])
                if theta >= 0:  # ``grid & _up_to(theta)``, without a call per master
                    found |= grid & ((2 << theta) - 1)
            return found
        third = problem.services[2]
        last2 = dict(zip(third.masters, third.latest_starts(), strict=True))
        (x1, a1), (x2, a2), (x3, _) = _top(last2, 3)
        free1 = dict(zip(second.masters, second.sets, strict=True))
        # Per second master m1: its latest start before the best third master other than m1
        # (``distinct1``), and before its own third service (``same12``); ``runner_up1`` is the
        # best third other than m1 and that master's, for when ``m0`` is that master.
        distinct1: dict[int, int] = {}
        runner_up1: dict[int, int] = {}
        excluded: dict[int, int | None] = {}
        same12: dict[int, int] = {}
        for m1, bits in free1.items():
            if m1 == a1:
                best, runner_up, excluded[m1] = x2 - d1, x3 - d1, a2
            else:
                best, runner_up, excluded[m1] = x1 - d1, (x3 if m1 == a2 else x2) - d1, a1
            distinct1[m1] = (bits & ((1 << (best + 1)) - 1)).bit_length() - 1 if best >= 0 else -1
            runner_up1[m1] = runner_up
            own = last2.get(m1)
            if own is not None:
                own -= d1 + g1 + buffers[m1]
                same12[m1] = (bits & ((1 << (own + 1)) - 1)).bit_length() - 1 if own >= 0 else -1
        order = sorted(distinct1, key=distinct1.__getitem__, reverse=True)
        lead = order[0] if order else None
        lead_value = distinct1[lead] if lead is not None else -1
        lead_excluded = excluded[lead] if lead is not None else None
        (w_top, w_master), (w_runner_up, _) = _top(same12, 2)
        union, twice = _covered(list(free1.values()), 2)
        common = 0  # the grids of masters who do only the first service: one threshold for all
        common_theta = max(lead_value, w_top) - d0
        for m0, grid in zip(first.masters, first.sets, strict=True):
            own = last2.get(m0)
            if m0 != lead and m0 != lead_excluded and m0 != w_master and own is None and m0 not in free1:
                common |= grid
                continue
            pause = g0 + buffers[m0]
            if m0 != lead and m0 != lead_excluded:
                best = lead_value  # three different masters
            else:
                best = -1
                for m1 in order:
                    if m1 == m0:
                        continue
                    if excluded[m1] == m0:
                        best = max(best, (free1[m1] & _up_to(runner_up1[m1])).bit_length() - 1)
                        continue
                    best = max(best, distinct1[m1])
                    break
            theta = max(best, w_runner_up if w_master == m0 else w_top) - d0  # or m1 does the third
            if m0 in free1:  # m0 does the first two, another master the third
                theta = max(theta, distinct1[m0] - d0 - pause)
            if theta >= grid.bit_length() - 1:
                found |= grid  # every grid start of m0 is in already
                continue
            if own is not None:  # m0 does the first and the third, another master the second
                others = twice | (union & ~free1.get(m0, 0))
                reach = (others & _up_to(own - d1)).bit_length() - 1
                theta = max(theta, min(reach - d0, own - d0 - pause))
                if m0 in free1:  # m0 does all three
                    theta = max(theta, same12[m0] - d0 - pause)
            found |= grid & _up_to(theta)
        return found | (common & _up_to(common_theta))

    def _distinct_pair(self, per_step: list[list[list[int]]], band: int) -> int:
        """Two steps in sequence, the second of one service: the starts of ``band`` with distinct masters.

        The second step then only needs some master, other than the first step's, with a start
        in ``[T + length, T + max - its length]``: Hall's condition over the opening services at
        ``T`` and those masters decides it exactly.
        """
        problem = self.tables.problem
        lengths, max_span = self.tables.step_length, problem.max_span
        first, second = problem.steps
        reach = []
        for master, bits in zip(problem.services[second[0]].masters, per_step[1][0], strict=True):
            if max_span is None:
                reach.append((master, _up_to(bits.bit_length() - 1 - lengths[0])))
            else:
                width = max_span - lengths[0] - lengths[1]
                reach.append((master, _window(bits, width) >> lengths[0]))
        opening = [
            list(zip(problem.services[index].masters, sets, strict=True))
            for index, sets in zip(first, per_step[0], strict=True)
        ]
        return _hall([*opening, reach], band)

    @staticmethod
    def _after_first(sets: list[int], late: list[int], lengths: list[int], clear: int) -> int:
        """First starts ``T`` from whose step-0 end the later steps can still follow (R4).

        A later step may start at a bit of ``sets`` at or after the reach, or at a bit of
        ``late`` at least ``clear`` minutes after it. Backwards: the latest reach from which the
        last step fits comes from its last bits; the latest reach for step ``k`` from its last
        bits that end by the latest reach of step ``k + 1``.
        """
        threshold: int | None = None
        for s in range(len(sets) - 1, 0, -1):
            room = -1 if threshold is None else _up_to(threshold - lengths[s])
            now, later = sets[s] & room, late[s] & room
            latest = max(now.bit_length() - 1, later.bit_length() - 1 - clear if later else -1)
            if latest < 0:
                return 0
            threshold = latest
        if threshold is None:
            return _at_or_before_last(sets[0])
        return _up_to(threshold - lengths[0])

    @staticmethod
    def _walk(
        candidates: int, sets: list[int], late: list[int], lengths: list[int], max_span: int, clear: int
    ) -> int:
        """R7 for three or more steps: each step at its earliest start, one walk per start."""
        kept = 0
        for first in bits_of(candidates):
            reach, limit = first + lengths[0], first + max_span
            for s in range(1, len(sets)):
                begin = _next(sets[s], reach)
                if clear:
                    other = _next(late[s], reach + clear)
                    if other is not None and (begin is None or other < begin):
                        begin = other
                if begin is None or begin + lengths[s] > limit:
                    break
                reach = begin + lengths[s]
            else:
                kept |= 1 << first
        return kept

    def _overlap_bounds(self) -> tuple[int, int]:
        tables = self.tables
        steps, lengths, max_span = tables.problem.steps, tables.step_length, tables.problem.max_span
        n = self.n_services
        if n == 2 and len(steps) == 2 and max_span is None:
            exact = self._overlap_pair(0, 1) | self._overlap_pair(1, 0)
            return exact, exact
        clear = max(tables.gaps) + max(tables.buffers)

        def in_range(bits: int, s: int, after: int = 0) -> int:
            """First starts ``T`` for which step ``s`` can start in ``[T + after, T + max - length]``."""
            if max_span is None:
                return _up_to(bits.bit_length() - 1 - after)
            width = max_span - lengths[s] - after
            return _window(bits, width) >> after if width >= 0 else 0

        def reached(bits: int, sets: list[list[int]], s: int, k: int) -> int:
            """``in_range(bits)``, or for one service: at least ``k`` masters with a start in range."""
            found = in_range(bits, s)
            if len(sets) == 1 and max_span is None:
                tops = sorted((mine.bit_length() - 1 for mine in sets[0]), reverse=True)
                if len(tops) >= k:
                    found |= _up_to(tops[k - 1])
            return found

        lower_open = 0
        lower_all = -1
        opens: list[int] = []  # the step can start at T with distinct masters of its own
        opens_all: list[int] = []  # ... with masters that avoid those of every other service
        anywhere: list[int] = []  # somewhere in range with masters no other service uses
        apart: list[list[int]] = []  # [j]: ... with masters no service outside step j uses
        late: list[list[int]] = []  # [j]: after opener j is over, avoiding the other steps' masters
        per_step: list[list[list[int]]] = []
        sizes = [n - len(other) for other in steps]
        for s in range(len(steps)):
            (distinct, robust, *avoiding), per_service = self._step(s, True, (n, *sizes))
            per_step.append(per_service)
            lower_open |= distinct
            lower_all &= in_range(distinct, s)
            opens.append(distinct)
            opens_all.append(robust)
            anywhere.append(reached(robust, per_service, s, n))
            apart.append([reached(avoiding[j], per_service, s, sizes[j]) for j in range(len(steps))])
            late.append(
                [in_range(avoiding[j], s, lengths[j] + clear) if j != s else 0 for j in range(len(steps))]
            )
        lower = lower_open & lower_all
        upper = 0
        for s in range(len(steps)):
            # The opener first, the others then avoid it; or the others first, the opener avoids them.
            first = opens[s]
            then = opens_all[s]
            for other in range(len(steps)):
                if other != s:
                    first &= anywhere[other] | late[other][s]
                    then &= apart[other][s]
            upper |= first | then
        band = lower & ~upper
        if band:
            upper |= self._distinct(per_step, band, in_range)
            band &= ~upper
        if band and max_span is None and sorted(map(len, steps)) == [1, 2]:
            # Both ways to open are decided exactly: the single service first, or the pair.
            upper |= self._single_then_pair(band, 0)
            band &= ~upper
            if band:
                upper |= self._pair_then_single(band)
            return upper & lower, upper & lower
        return lower, upper & lower

    def _pair_then_single(self, band: int) -> int:
        """Overlap, the pair (a parallel group) opens at ``T``, the single service follows.

        Exact for each start of ``band`` (a handful): the pair needs two distinct masters at
        ``T`` (the first on its grid), and the single service a grid start at or after ``T``,
        by a master outside the pair (the best three latest grid starts say which masters can)
        or by a master of the pair once its gap and buffer are over.
        """
        tables, problem = self.tables, self.tables.problem
        pair = next(step for step in problem.steps if len(step) == 2)
        single = next(step for step in problem.steps if len(step) == 1)[0]
        services, durations, gaps, buffers = problem.services, tables.durations, tables.gaps, tables.buffers
        first, second = services[pair[0]], services[pair[1]]
        later = dict(zip(services[single].masters, services[single].latest_starts(), strict=True))
        tops = [(value, master) for value, master in _top(later, 3) if master is not None]
        found = 0
        for position in bits_of(band):
            openers = [m for m, bits in zip(first.masters, first.sets, strict=True) if bits >> position & 1]
            partners = [
                m for m, bits in zip(second.masters, second.sets, strict=True) if bits >> position & 1
            ]
            free = [master for value, master in tops if value >= position]  # the single one, at or after T
            done_first = {
                m
                for m in openers
                if later.get(m, -1) >= position + durations[pair[0]] + gaps[pair[0]] + buffers[m]
            }
            done_second = {
                m
                for m in partners
                if later.get(m, -1) >= position + durations[pair[1]] + gaps[pair[1]] + buffers[m]
            }
            if _any_pair(openers, partners, free, done_first, done_second):
                found |= 1 << position
        return found

    def _overlap_pair(self, opener: int, other: int) -> int:
        """Two single services with overlap, no maximum length: the exact starts at which
        ``opener`` starts first (or both at once).

        With master ``m`` at ``T``, the other service needs a grid start at or after ``T`` by
        another master (the best other master's latest grid start), or by ``m`` itself once its
        gap and buffer are over: a threshold per master, as for a plain sequence.
        """
        tables, services = self.tables, self.tables.problem.services
        later = dict(zip(services[other].masters, services[other].latest_starts(), strict=True))
        (top, top_master), (runner_up, _) = _top(later, 2)
        pause = tables.durations[opener] + tables.gaps[opener]
        found = 0
        for m, grid in zip(services[opener].masters, services[opener].sets, strict=True):
            theta = runner_up if top_master == m else top
            own = later.get(m)
            if own is not None:
                theta = max(theta, own - pause - tables.buffers[m])
            found |= grid & _up_to(theta)
        return found

    def _single_then_pair(self, band: int, after: int) -> int:
        """One single step and one pair (a parallel group).

        The starts ``T`` of ``band`` at which the single service opens the visit with master
        ``m`` and the pair follows at some ``t >= T + after`` (``after`` is 0 with overlap, the
        single service's length in a sequence), exactly: either the pair can be staffed at
        ``t`` with two distinct masters other than ``m`` (Hall's condition with ``m`` left out:
        "at least two masters, or one that is not ``m``", from running counters), or ``t`` is
        late enough for ``m``'s gap and buffer to be over, and then any two distinct masters
        do. Without a maximum length both only ask for the latest such ``t``; with one, whether
        such a ``t`` lies in the window up to ``T + max - the pair's length``. The pair's sets
        are grid starts where the mode asks for them (overlap), every allowed start otherwise.
        """
        tables, problem = self.tables, self.tables.problem
        pair = next(step for step in problem.steps if len(step) == 2)
        single = next(step for step in problem.steps if len(step) == 1)[0]
        services = problem.services
        first, second = services[pair[0]], services[pair[1]]  # grid starts, every allowed start
        by_first = dict(zip(first.masters, first.sets, strict=True))
        by_second = dict(zip(second.masters, second.sets, strict=True))
        a1, a2 = _covered(first.sets, 2)
        b1, b2 = _covered(second.sets, 2)
        union = [by_first.get(m, 0) | by_second.get(m, 0) for m in {*by_first, *by_second}]
        _, u2, u3 = _covered(union, 3)
        anyone = a1 & b1 & u2  # the pair's starts with any two distinct masters
        staffed = anyone.bit_length() - 1
        opener = services[single]
        pause = tables.durations[single] + tables.gaps[single]
        buffers, max_span = tables.buffers, problem.max_span
        found = 0
        for m, grid in zip(opener.masters, opener.sets, strict=True):
            grid &= band
            if not grid:
                continue
            mine_a, mine_b = by_first.get(m, 0), by_second.get(m, 0)
            without = (a2 | (a1 & ~mine_a)) & (b2 | (b1 & ~mine_b)) & (u3 | (u2 & ~(mine_a | mine_b)))
            if max_span is None:
                theta = max(without.bit_length() - 1 - after, staffed - pause - buffers[m])
                found |= grid & _up_to(theta)
                continue
            # R7: the pair must start by ``T + max - its length``; one window test per start.
            last = max_span - tables.step_length[problem.steps.index(pair)]
            late = pause + buffers[m]
            for position in bits_of(grid):
                if _has_bit(without, position + after, position + last) or _has_bit(
                    anyone, position + max(after, late), position + last
                ):
                    found |= 1 << position
        return found

    def _distinct(
        self, per_step: list[list[list[int]]], band: int, in_range: Callable[[int, int], int]
    ) -> int:
        """The starts of ``band`` with a visit of distinct masters, each step on its own.

        One step opens at ``T``; every other step of one service takes any master who can start
        it somewhere in range. Distinct masters make the steps independent (R2 cannot bind), and
        Hall's condition says exactly when they exist. Other parallel groups are left to the
        search (their services must also share a start).
        """
        problem = self.tables.problem
        steps = problem.steps
        found = 0
        reach: list[list[tuple[int, int]] | None] = []
        for s, step in enumerate(steps):
            if len(step) > 1:
                reach.append(None)
                continue
            masters = problem.services[step[0]].masters
            reach.append(
                [(master, in_range(bits, s)) for master, bits in zip(masters, per_step[s][0], strict=True)]
            )
        for s, step in enumerate(steps):
            others = [reach[other] for other in range(len(steps)) if other != s]
            if any(entry is None for entry in others):
                continue
            opening = [
                list(zip(problem.services[index].masters, sets, strict=True))
                for index, sets in zip(step, per_step[s], strict=True)
            ]
            found |= _hall([*opening, *others], band & ~found)  # type: ignore[list-item]
        return found
