"""The start search the engine used before its start sets became whole-day algebra (test only).

For each grid point that could open a visit (the first step's masters' grid points, or any
step's with overlap), it asks the exact per-start search of ``booking.engine.search`` for the
best visit there and keeps the start when there is one. It is slow (a search per start) and
simple, which makes it the reference the set-at-a-time start sets are compared with.
"""

from __future__ import annotations

from booking.engine.search import ChainSearch


def starts_by_search(search: ChainSearch) -> list[int]:
    """Every first start of the day, found by one exact search per candidate start."""
    problem = search.problem
    if not search.feasible:
        return []
    steps = problem.steps if problem.overlap else problem.steps[:1]
    points: set[int] = set()
    for step in steps:
        for candidate in problem.services[step[0]].candidates:
            for block in candidate.grid_points():
                points.update(block)
    return [start for start in sorted(points) if search.at(start, 1)]
