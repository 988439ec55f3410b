"""Sequence mode with parallel groups, and the k best visits at a start (any mode but overlap).

Steps are placed in request order, each at its earliest minute (rules R1-R7 of
:mod:`.search`); depth first over the masters, with branch-and-bound on ``relaxed_steps_end``,
a lower bound that ignores R2. A parallel group's masters are combined lazily, in the order of
their positions, so that a combination that can no longer win is cut before it is built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .problem import Candidate, StartSet, common_start
from .ranking import ADMIT, STOP, AnyVisit, BestVisits, Choice, Found, Option
from .tables import Tables

__all__ = ["group_options", "pareto", "relaxed_steps_end", "sequential", "single_options"]

_UNSEEN = object()


def single_options(
    tables: Tables,
    s: int,
    at_least: int,
    pinned: bool,
    on_grid: bool,
    blocked: dict[int, int],
    limit: int,
) -> list[Option]:
    """Every master's earliest placement of a one-service step (R1, R2, R5-R7), best first.

    ``pinned``: the step must start exactly at ``at_least``. ``on_grid``: it must start on
    its master's grid.
    """
    index = tables.problem.steps[s][0]
    length = tables.durations[index]
    options: list[Option] = []
    for candidate in tables.problem.services[index].candidates:
        allowed = candidate.grid if on_grid else candidate.free
        lower = at_least if pinned else max(at_least, blocked.get(candidate.master, at_least))
        begin = allowed.earliest(lower)
        if begin is None or (pinned and begin != at_least) or begin + length > limit:
            continue
        options.append((begin + length, (candidate.position,), ((index, candidate, begin),), begin))
    options.sort(key=lambda option: (option[0], option[1]))
    return options


def group_options(
    tables: Tables,
    s: int,
    at_least: int,
    pinned: bool,
    on_grid: bool,
    blocked: dict[int, int],
    admit: Callable[[], int],
    prefix: list[int],
) -> Iterator[Option]:
    """R3: the ways to staff a parallel group (distinct masters, one common start), lazily.

    Combinations come in the order of the masters' positions; while one is being built its
    positions stand on ``prefix``, and ``admit()`` (the caller's bound) cuts a partial
    combination that can no longer make the list. The yielded option's positions are
    already on ``prefix`` when the caller sees it.
    """
    services = tables.problem.services
    step = tables.problem.steps[s]
    length = tables.step_length[s]
    pools: list[list[tuple[Candidate, StartSet]]] = []
    for order, index in enumerate(step):
        pool = []
        for candidate in services[index].candidates:
            allowed = candidate.grid if on_grid and order == 0 else candidate.free
            if pinned and allowed.earliest(at_least) != at_least:
                continue
            pool.append((candidate, allowed))
        if not pool:
            return
        pools.append(pool)
    chosen: list[tuple[Candidate, StartSet]] = []

    def combine(depth: int) -> Iterator[Option]:
        if depth == len(step):
            lower = at_least
            if not pinned:
                for candidate, _ in chosen:
                    lower = max(lower, blocked.get(candidate.master, lower))
            begin = at_least if pinned else common_start([allowed for _, allowed in chosen], lower)
            if begin is not None:
                positions = tuple(candidate.position for candidate, _ in chosen)
                choice = tuple(
                    (index, candidate, begin) for index, (candidate, _) in zip(step, chosen, strict=True)
                )
                yield (begin + length, positions, choice, begin)
            return
        for candidate, allowed in pools[depth]:
            if any(candidate.master == other.master for other, _ in chosen):
                continue
            prefix.append(candidate.position)
            verdict = admit()
            if verdict == ADMIT:
                chosen.append((candidate, allowed))
                yield from combine(depth + 1)
                chosen.pop()
            prefix.pop()
            if verdict != ADMIT:
                break  # the pool is in position order: the next masters rank lower still

    yield from combine(0)


def relaxed_steps_end(tables: Tables, s: int, reach: int) -> int | None:
    """A lower bound on the end of steps ``s..`` placed one after another from ``reach``.

    R2 is ignored, and a group's common start is bounded by the latest of its services'
    earliest starts; None means the steps cannot be completed at all.
    """
    steps, services, cache = tables.problem.steps, tables.problem.services, tables.end_cache
    while s < len(steps):
        key = (-1 - s, reach)  # negative: apart from ``_relaxed_end``'s keys
        end = cache.get(key, _UNSEEN)
        if end is _UNSEEN:
            begin = reach
            for index in steps[s]:
                found = [c.free.earliest(reach) for c in services[index].candidates]
                earliest = min((b for b in found if b is not None), default=None)
                if earliest is None:
                    begin = None
                    break
                begin = max(begin, earliest)
            end = None if begin is None else begin + tables.step_length[s]
            cache[key] = end
        if end is None:
            return None
        reach = end  # type: ignore[assignment]
        s += 1
    return reach


def sequential(tables: Tables, start: int, k: int, first_only: bool = False) -> list[Found]:
    """R4 without overlap (with parallel groups): steps in order, each at its earliest minute."""
    problem = tables.problem
    n_steps = len(problem.steps)
    durations, gaps, buffers = tables.durations, tables.gaps, tables.buffers
    limit = tables.limit(start)
    best = AnyVisit(tables.work) if first_only else BestVisits(k, tables.work)
    begins = [0] * len(problem.services)
    masters = [0] * len(problem.services)
    blocked: dict[int, int] = {}
    prefix: list[int] = []

    def descend(s: int, reach: int, end: int, choice: Choice) -> int:
        """Place ``choice`` for step ``s`` and go on; returns the verdict for it."""
        new_reach = max(reach, end)
        lower_end = relaxed_steps_end(tables, s + 1, new_reach)
        if lower_end is None or lower_end > limit:
            return STOP
        verdict = best.verdict(lower_end - start, prefix)
        if verdict == ADMIT:
            saved = []
            for index, candidate, begin in choice:
                master = candidate.master
                begins[index], masters[index] = begin, master
                saved.append((master, blocked.get(master)))
                blocked[master] = begin + durations[index] + gaps[index] + buffers[master]
            place(s + 1, new_reach)
            for master, before in reversed(saved):
                if before is None:
                    del blocked[master]
                else:
                    blocked[master] = before
        return verdict

    def place(s: int, reach: int) -> None:
        if s == n_steps:
            span = reach - start
            best.offer((span, span - tables.work, tuple(prefix)), tuple(zip(masters, begins, strict=True)))
            return
        at_least = reach if s else start
        if len(problem.steps[s]) > 1:
            floor_end = relaxed_steps_end(tables, s, at_least)
            if floor_end is None or floor_end > limit:
                return
            floor_span = floor_end - start
            combinations = group_options(
                tables, s, at_least, s == 0, s == 0, blocked, lambda: best.verdict(floor_span, prefix), prefix
            )
            for end, _, choice, _ in combinations:
                descend(s, reach, end, choice)  # not ordered by end: no early stop here
            return
        options = single_options(tables, s, at_least, s == 0, s == 0, blocked, limit)
        if k == 1:
            options = pareto(tables, s, options)
        for end, positions, choice, _ in options:
            prefix.extend(positions)
            verdict = descend(s, reach, end, choice)
            del prefix[len(prefix) - len(positions) :]
            if verdict == STOP:
                break  # options come by end: the rest end later still

    place(0, start)
    return best.items


def pareto(tables: Tables, s: int, options: list[Option]) -> list[Option]:
    """Drop options whose masters no later step uses and that finish later and rank lower."""
    later = tables.later[s]
    kept: list[Option] = []
    lowest: tuple[int, ...] | None = None
    for option in options:
        if any(candidate.master in later for _, candidate, _ in option[2]):
            kept.append(option)
        elif lowest is None or option[1] < lowest:
            kept.append(option)
            lowest = option[1]
    return kept
