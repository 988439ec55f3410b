"""The chain search: every start minute of the day, and the best visits at each start.

The rules a visit obeys (docs/engine.md, "The rules"), stated once:

R1 window   a service lies inside one free window of its master; before an appointment or a
            break (not at the shift end) its gap must fit too.          -> problem.StartSet
R2 master   two services of one master do not overlap: the later starts at or after
            ``earlier end + gap + buffer``.                              -> ``blocked`` below
R3 steps    services of a parallel group form one step and start at the same minute.
R4 order    without overlap, step k+1 starts at or after the latest end of steps 1..k;
            with overlap, steps may run in any order or at once.
R5 grid     the visit's first start is a grid point of its master; with overlap every step is.
R6 floor    no service starts before ``min_start``.                      -> problem.StartSet
R7 length   last end minus first start is at most ``max_chain_duration_minutes``.

Why it is exact: for a fixed order of steps and fixed masters, every rule is a lower bound that
grows with the earlier steps' ends (R2, R4), a fixed set of allowed minutes (R1, R5, R6) or an
upper bound on the ends (R7). Placing each step at its earliest allowed minute therefore gives
every step its earliest possible start; no other placement with these masters and this order is
shorter. The search enumerates masters (and, with overlap, orders) for each candidate start and
places greedily; branch-and-bound prunes on a lower bound of the key

    (span, idle minutes, positions of the chosen masters in the order the services are placed)

and, for the best visit only, a master that no later step can use is interchangeable with any
other such master that finishes no later and comes no later in the list (Pareto pruning).

Everything is integer minutes; nothing here builds a datetime. The key and the bound live in
:mod:`.ranking`, the per-problem tables every mode reads in :mod:`.tables`, parallel groups and
alternatives in :mod:`.sequence`, overlap in :mod:`.overlap`.
"""

from __future__ import annotations

from collections.abc import Sequence

from .overlap import overlapping
from .problem import Problem
from .ranking import Found, Key, Placement
from .sequence import sequential
from .startsets import DayBits, bits_of, minutes_of
from .tables import Tables

__all__ = ["ChainSearch", "Found", "Key", "Placement"]

_UNSEEN = object()


class _SingleServiceBest(Sequence[Found]):
    """The best visit at each start of a one-service request, made when asked for.

    Every master free at a start gives the same span, so the best is the first master in the
    list whose grid has the start.
    """

    __slots__ = ("_duration", "_problem", "_times")

    def __init__(self, problem: Problem, times: list[int]) -> None:
        self._problem, self._times = problem, times
        self._duration = problem.services[0].duration

    def __len__(self) -> int:
        return len(self._times)

    def __getitem__(self, index: int) -> Found:  # type: ignore[override]
        start = self._times[index]
        position = start - self._problem.origin
        service = self._problem.services[0]
        index = next(j for j, bits in enumerate(service.sets) if bits >> position & 1)
        return (self._duration, 0, (service.positions[index],)), ((service.masters[index], start),)


class _BestOnDemand(Sequence[Found]):
    """The best visit at each start, searched for when asked (a booking needs one, a calendar none)."""

    __slots__ = ("_known", "_search", "_times")

    def __init__(self, search: ChainSearch, times: list[int]) -> None:
        self._search, self._times = search, times
        self._known: dict[int, Found] = {}

    def __len__(self) -> int:
        return len(self._times)

    def __getitem__(self, index: int) -> Found:  # type: ignore[override]
        start = self._times[index]
        found = self._known.get(start)
        if found is None:
            found = self._known[start] = self._search.at(start, 1)[0]
        return found


class ChainSearch(Tables):
    """Finds the start minutes of a compiled problem, and the best visits at any start.

    The one-service and the plain sequential request (no overlap, no group) have their own
    lean paths here: they run for every grid point of every day of a month. Parallel groups and
    the k best alternatives are in :mod:`.sequence`, overlap in :mod:`.overlap`.
    """

    # -----------------------------------------------------------------------------------------
    # All starts
    # -----------------------------------------------------------------------------------------

    def starts(self, max_starts: int | None = None) -> tuple[list[int], Sequence[Found]]:
        """Every feasible first start (sorted, at most ``max_starts``) and, lazily, the best visit at each.

        The start set is computed for the whole day at once (:mod:`.startsets`); the exact
        search runs only for the starts the day's algebra cannot decide.
        """
        if not self.feasible or (max_starts is not None and max_starts <= 0):
            return [], []
        if len(self.problem.services) == 1:
            return self._single_service_starts(max_starts)
        day = DayBits(self)
        lower, upper = day.bounds()
        origin = day.origin
        for position in bits_of(lower & ~upper):
            if self.exists(origin + position):
                upper |= 1 << position
        times = minutes_of(upper, origin)
        if max_starts is not None:
            del times[max_starts:]
        return times, _BestOnDemand(self, times)

    def _single_service_starts(self, max_starts: int | None) -> tuple[list[int], Sequence[Found]]:
        """One service: the starts are the union of the masters' grid points."""
        union = 0
        for bits in self.problem.services[0].sets:
            union |= bits
        times = minutes_of(union, self.problem.origin)
        if max_starts is not None:
            del times[max_starts:]
        return times, _SingleServiceBest(self.problem, times)

    def _openers_at(self, start: int) -> list[tuple[int, int]]:
        """R5 for the first service: ``(master, position)`` of each master whose grid has ``start``."""
        shift = start - self.problem.origin
        if shift < 0:
            return []
        service = self.problem.services[0]
        return [
            (master, position)
            for master, position, bits in zip(service.masters, service.positions, service.sets, strict=True)
            if bits >> shift & 1
        ]

    # -----------------------------------------------------------------------------------------
    # The best visits at one start
    # -----------------------------------------------------------------------------------------

    def exists(self, start: int) -> bool:
        """Whether some visit starts at minute ``start`` (the search stops at the first one)."""
        if not self.feasible:
            return False
        if self.problem.overlap:
            return bool(overlapping(self, start, 1, first_only=True))
        if self.simple:
            return self._best_simple(start, first_only=True) is not None
        return bool(sequential(self, start, 1, first_only=True))

    def at(self, start: int, k: int) -> list[Found]:
        """The ``k`` best visits whose first service starts at minute ``start``, best first."""
        if not self.feasible:
            return []
        if self.problem.overlap:
            return overlapping(self, start, max(1, k))
        if self.simple and k <= 1:
            best = self._best_simple(start)
            return [] if best is None else [best]
        return sequential(self, start, max(1, k))

    # -- one service per step, in request order: the common case ------------------------------

    def _options(self, i: int, reach: int) -> list[tuple[int, int, int, int]]:
        """Service ``i`` at its earliest minute from ``reach`` with each master, ignoring R2.

        ``(end, position, master, start)`` sorted by end, then position; remembered per
        ``(i, reach)`` because many first starts lead to the same minute.
        """
        key = (i, reach)
        options = self.option_cache.get(key)
        if options is None:
            duration = self.durations[i]
            shift = reach - self.problem.origin
            options = []
            for position, master, bits in self.free_bits(i):
                rest = bits >> shift  # the allowed starts at or after ``reach``: the lowest one
                if rest:
                    begin = reach + (rest & -rest).bit_length() - 1
                    options.append((begin + duration, position, master, begin))
            options.sort()
            self.option_cache[key] = options
        return options

    def _relaxed_end(self, i: int, reach: int) -> int | None:
        """A lower bound on the end of services ``i..`` from ``reach``: R2 ignored.

        Without R2 the earliest end of each service is best for the next one, so the bound is one
        walk down the services; None means no visit can be completed from ``reach``.
        """
        last = len(self.durations)
        cache, origin, anyone = self.end_cache, self.problem.origin, self.any_bits
        while i < last:
            key = (i, reach)
            end = cache.get(key, _UNSEEN)
            if end is _UNSEEN:
                rest = anyone(i) >> (reach - origin)  # some master's earliest start from ``reach``
                end = reach + (rest & -rest).bit_length() - 1 + self.durations[i] if rest else None
                cache[key] = end
            if end is None:
                return None
            reach = end  # type: ignore[assignment]
            i += 1
        return reach

    def _best_simple(self, start: int, first_only: bool = False) -> Found | None:
        """The best visit at ``start`` when each step is one service and nothing overlaps.

        The same depth-first search as :func:`.sequence.sequential` for k = 1, kept lean
        because it runs for every grid point of every day: bounds from ``_relaxed_end``, Pareto
        pruning, and the last service picked by one pass over its masters. ``first_only``: stop
        at the first visit found (it says that one exists, it need not be the best).
        """
        openers = self._openers_at(start)
        if not openers:
            return None
        durations = self.durations
        first_end = start + durations[0]
        if len(durations) == 1:
            return (durations[0], 0, (openers[0][1],)), ((openers[0][0], start),)
        limit = self.limit(start)
        bound = self._relaxed_end(1, first_end)
        if bound is None or bound > limit:
            return None
        gaps, buffers, later, by_master, work = (
            self.gaps,
            self.buffers,
            self.later,
            self.by_master,
            self.work,
        )
        options_at, relaxed_end, free_bits = self._options, self._relaxed_end, self.free_bits
        origin = self.problem.origin
        last = len(durations) - 1
        best_key: Key | None = None
        best_placement: Placement = ()

        def place(
            i: int,
            reach: int,
            blocked: tuple[tuple[int, int], ...],
            prefix: tuple[int, ...],
            placed: Placement,
        ) -> None:
            nonlocal best_key, best_placement
            # R2: a master already in the visit may be busy past ``reach``.
            late = {master: until for master, until in blocked if until > reach}
            if i == last:
                # The last service: the earliest end wins, then the first master in the list.
                duration = durations[i]
                leaf = None
                for position, master, bits in free_bits(i):
                    lower = late.get(master, reach)
                    rest = bits >> (lower - origin)
                    if rest:
                        begin = lower + (rest & -rest).bit_length() - 1
                        if leaf is None or begin + duration < leaf[0]:
                            leaf = (begin + duration, position, master, begin)
                if leaf is not None and leaf[0] <= limit:
                    end, position, master, begin = leaf
                    key = (end - start, end - start - work, (*prefix, position))
                    if best_key is None or key < best_key:
                        best_key, best_placement = key, (*placed, (master, begin))
                return
            options = options_at(i, reach)
            candidates = by_master(i)
            if late and not late.keys().isdisjoint(candidates):
                options = [option for option in options if option[2] not in late]
                for master, until in late.items():
                    if master in candidates:
                        position, bits = candidates[master]
                        rest = bits >> (until - origin)  # ``until`` is past ``reach``, after the origin
                        if rest:
                            begin = until + (rest & -rest).bit_length() - 1
                            options.append((begin + durations[i], position, master, begin))
                options.sort()
            lowest = None
            for end, position, master, begin in options:
                if master not in later[i]:  # Pareto: only the first such master can be best
                    if lowest is not None and position >= lowest:
                        continue
                    lowest = position
                lower_end = relaxed_end(i + 1, end)
                if lower_end is None or lower_end > limit:
                    return
                branch = (*prefix, position)
                if best_key is not None:
                    lower_span = lower_end - start
                    if lower_span > best_key[0]:
                        return
                    if lower_span == best_key[0] and branch > best_key[2][: i + 1]:
                        continue
                until = end + gaps[i] + buffers[master]
                place(i + 1, end, (*blocked, (master, until)), branch, (*placed, (master, begin)))
                if first_only and best_key is not None:
                    return

        floor_span = bound - start
        seen_free_master = False
        for master, position in openers:  # in list order
            if master not in later[0]:
                if seen_free_master:
                    continue  # same end, later in the list: never better
                seen_free_master = True
            if best_key is not None and (first_only or best_key[0] == floor_span):
                break  # the bound is reached (a later opener only ranks lower), or one is enough
            until = first_end + gaps[0] + buffers[master]
            place(1, first_end, ((master, until),), (position,), ((master, start),))
        return None if best_key is None else (best_key, best_placement)
