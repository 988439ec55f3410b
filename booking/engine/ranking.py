"""Which visit is better for the client, and when a partial visit can no longer win.

A visit is ranked by its key

    (span, idle minutes, positions of the chosen masters in the order the services are placed)

smaller first: the shortest visit, then the one with the least waiting, then the masters the
salon listed first. ``BestVisits`` keeps the ``k`` best found so far at one start and answers
the branch-and-bound question for a partial visit whose span is at least some bound.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable

from .problem import Candidate

__all__ = [
    "ADMIT",
    "NO_LIMIT",
    "SKIP",
    "STOP",
    "AnyVisit",
    "BestVisits",
    "Choice",
    "Found",
    "Key",
    "Option",
    "Placement",
    "idle_minutes",
]

# (span, idle, positions): smaller is better for the client.
Key = tuple[int, int, tuple[int, ...]]
# (master index, start minute) for each service, in request order.
Placement = tuple[tuple[int, int], ...]
Found = tuple[Key, Placement]
# One way to place a step: (service index, candidate, start) per service of the step.
Choice = tuple[tuple[int, Candidate, int], ...]
# (end, positions, choice, start) of one step.
Option = tuple[int, tuple[int, ...], Choice, int]

# Verdicts on a partial visit: go on; skip it; skip it and everything ranked after it.
ADMIT, SKIP, STOP = 0, 1, 2
NO_LIMIT = 1 << 62  # "no max_chain_duration": an end no visit reaches


class BestVisits:
    """The ``k`` best visits found so far at one start, best first, and the pruning test."""

    __slots__ = ("items", "k", "work")

    def __init__(self, k: int, work: int) -> None:
        self.k = k
        self.work = work  # the most minutes in which a service can run: sum of the steps' lengths
        self.items: list[Found] = []

    def offer(self, key: Key, placement: Placement) -> None:
        items = self.items
        if len(items) == self.k and key >= items[-1][0]:
            return
        insort(items, (key, placement))
        if len(items) > self.k:
            items.pop()

    def verdict(self, lower_span: int, prefix: list[int]) -> int:
        """Whether a partial visit whose span is at least ``lower_span`` can still make the list.

        ``STOP`` also tells the caller that options ordered by end cannot do better either.
        """
        items = self.items
        if len(items) < self.k:
            return ADMIT
        span, idle, positions = items[-1][0]
        if lower_span != span:
            return ADMIT if lower_span < span else STOP
        lower_idle = max(0, lower_span - self.work)
        if lower_idle != idle:
            return ADMIT if lower_idle < idle else SKIP
        return ADMIT if tuple(prefix) <= positions[: len(prefix)] else SKIP


class AnyVisit(BestVisits):
    """The first visit found, and a verdict that stops the search once there is one.

    Deciding whether a start exists needs a visit, not the best one.
    """

    __slots__ = ()

    def __init__(self, work: int) -> None:
        super().__init__(1, work)

    def verdict(self, lower_span: int, prefix: list[int]) -> int:
        return STOP if self.items else ADMIT


def idle_minutes(span: int, intervals: Iterable[tuple[int, int]]) -> int:
    """Minutes of the span in which no service runs (the client waits)."""
    busy = 0
    reach: int | None = None
    for start, end in sorted(intervals):
        if reach is None or start > reach:
            busy += end - start
            reach = end
        elif end > reach:
            busy += end - reach
            reach = end
    return span - busy
