"""Overlap mode: steps may run in any order or at once, each on its master's grid.

Masters are chosen step by step against relaxed placements (each step alone at its earliest
grid minute, R2 ignored), with a bound that knows two steps of one master cannot overlap; for
each full choice ``best_order`` places the steps exactly: independently when no master repeats,
else greedily in every order of the steps (at most 3! for three services).
"""

from __future__ import annotations

from itertools import permutations

from .problem import Candidate, common_start
from .ranking import ADMIT, SKIP, STOP, AnyVisit, BestVisits, Found, Option, idle_minutes
from .sequence import group_options, single_options
from .tables import Tables

__all__ = ["best_order", "greedy_order", "overlapping"]


def overlapping(tables: Tables, start: int, k: int, first_only: bool = False) -> list[Found]:
    """R4 with overlap: masters per step first (relaxed bounds), then the best order for them.

    The relaxed placement of a step is its earliest grid minute from ``start`` ignoring R2;
    it is exact for steps whose masters appear once. Two steps sharing a master cannot
    overlap, which the bound accounts for; ``best_order`` then places them exactly.
    """
    problem = tables.problem
    n_steps = len(problem.steps)
    limit = tables.limit(start)
    durations, gaps, buffers = tables.durations, tables.gaps, tables.buffers
    singles: list[list[Option] | None] = []
    first_end: list[int] = []  # lower bound on each step's end
    opens: list[bool] = []  # whether the step might start at ``start``
    for s, step in enumerate(problem.steps):
        if len(step) == 1:
            options = single_options(tables, s, start, False, True, {}, limit)
            if not options:
                return []
            singles.append(options)
            first_end.append(options[0][0])
            opens.append(any(option[3] == start for option in options))
            continue
        singles.append(None)
        earliest_begin = start
        opens_here = True
        for order, index in enumerate(step):
            begins_here = [
                (candidate.grid if order == 0 else candidate.free).earliest(start)
                for candidate in problem.services[index].candidates
            ]
            found = [begin for begin in begins_here if begin is not None]
            if not found:
                return []
            earliest_begin = max(earliest_begin, min(found))
            opens_here = opens_here and start in found
        first_end.append(earliest_begin + tables.step_length[s])
        opens.append(opens_here)
        if first_end[-1] > limit:
            return []
    rest_end = [start] * (n_steps + 1)
    rest_opens = [False] * (n_steps + 1)
    for s in range(n_steps - 1, -1, -1):
        rest_end[s] = max(rest_end[s + 1], first_end[s])
        rest_opens[s] = rest_opens[s + 1] or opens[s]
    if not rest_opens[0]:
        return []
    best = AnyVisit(tables.work) if first_only else BestVisits(k, tables.work)
    chosen: list[Option] = []
    prefix: list[int] = []
    # master -> (relaxed end, gap, duration) of the chosen services it already does
    taken: dict[int, list[tuple[int, int, int]]] = {}

    def conflict_end(option: Option) -> int:
        """The option's end, raised where it shares a master with a chosen step (R2)."""
        bound = option[0]
        for index, candidate, _ in option[2]:
            for other_end, other_gap, other_duration in taken.get(candidate.master, ()):
                pause = buffers[candidate.master]
                bound = max(
                    bound,
                    min(
                        other_end + other_gap + pause + durations[index],
                        option[0] + gaps[index] + pause + other_duration,
                    ),
                )
        return bound

    def take(option: Option) -> None:
        for index, candidate, begin in option[2]:
            entry = (begin + durations[index], gaps[index], durations[index])
            taken.setdefault(candidate.master, []).append(entry)

    def release(option: Option) -> None:
        for _, candidate, _ in option[2]:
            taken[candidate.master].pop()
            if not taken[candidate.master]:
                del taken[candidate.master]

    def consider(s: int, option: Option, reach: int, pinned: bool) -> int:
        starts_here = option[3] == start
        if not (pinned or starts_here or rest_opens[s + 1]):
            return SKIP
        lower = max(reach, conflict_end(option))
        verdict = best.verdict(max(lower, rest_end[s + 1]) - start, prefix)
        if verdict == ADMIT:
            chosen.append(option)
            take(option)
            assign(s + 1, lower, pinned or starts_here)
            release(option)
            chosen.pop()
        return verdict

    def assign(s: int, reach: int, pinned: bool) -> None:
        if s == n_steps:
            best_order(tables, chosen, start, limit, best, tuple(prefix))
            return
        options = singles[s]
        if options is None:
            floor_span = max(reach, first_end[s], rest_end[s + 1]) - start
            combinations = group_options(
                tables, s, start, False, True, {}, lambda: best.verdict(floor_span, prefix), prefix
            )
            for option in combinations:
                if option[0] <= limit:
                    consider(s, option, reach, pinned)
            return
        ranked = sorted(options, key=lambda option: (conflict_end(option), option[1]))
        for option in ranked:
            prefix.extend(option[1])
            verdict = consider(s, option, reach, pinned)
            del prefix[len(prefix) - len(option[1]) :]
            if verdict == STOP:
                break  # ranked by their bound: the rest cannot do better

    assign(0, start, False)
    return best.items


def best_order(
    tables: Tables,
    chosen: list[Option],
    start: int,
    limit: int,
    best: BestVisits,
    positions: tuple[int, ...],
) -> None:
    """The best placement of fixed masters with overlap: one order if no master repeats."""
    n_services = len(tables.problem.services)
    step_masters = [{candidate.master for _, candidate, _ in option[2]} for option in chosen]
    seen: set[int] = set()
    shared = False
    for masters in step_masters:
        if masters & seen:
            shared = True
            break
        seen |= masters
    placements: list[list[tuple[int, Candidate, int]]] = []
    if not shared:
        # Independent steps: each at its own earliest minute, one of them at ``start``.
        if min(option[3] for option in chosen) != start:
            return
        placements.append([item for option in chosen for item in option[2]])
    else:
        for order in permutations(range(len(chosen))):
            placed = greedy_order(tables, chosen, order, start, limit)
            if placed is not None:
                placements.append(placed)
    outcome: Found | None = None
    for placed in placements:
        begins = [0] * n_services
        masters = [0] * n_services
        end = start
        for index, candidate, begin in placed:
            begins[index], masters[index] = begin, candidate.master
            end = max(end, begin + tables.durations[index])
        span = end - start
        idle = idle_minutes(span, ((begins[i], begins[i] + tables.durations[i]) for i in range(n_services)))
        found = ((span, idle, positions), tuple(zip(masters, begins, strict=True)))
        if outcome is None or found < outcome:
            outcome = found
    if outcome is not None:
        best.offer(*outcome)


def greedy_order(
    tables: Tables, chosen: list[Option], order: tuple[int, ...], start: int, limit: int
) -> list[tuple[int, Candidate, int]] | None:
    """Steps in ``order``, the first at ``start``, each next at its earliest minute (R2, R5)."""
    if chosen[order[0]][3] != start:
        return None
    durations, gaps, buffers = tables.durations, tables.gaps, tables.buffers
    blocked: dict[int, int] = {}
    previous = start
    placed: list[tuple[int, Candidate, int]] = []
    for rank, s in enumerate(order):
        choice = chosen[s][2]
        if rank == 0:
            begin: int | None = start
        else:
            lower = previous
            for _, candidate, _ in choice:
                lower = max(lower, blocked.get(candidate.master, lower))
            sets = [
                candidate.grid if j == 0 else candidate.free for j, (_, candidate, _) in enumerate(choice)
            ]
            begin = common_start(sets, lower)
        if begin is None or begin + tables.step_length[s] > limit:
            return None
        for index, candidate, _ in choice:
            blocked[candidate.master] = begin + durations[index] + gaps[index] + buffers[candidate.master]
            placed.append((index, candidate, begin))
        previous = begin
    return placed
