"""Per-problem tables shared by every mode of the search.

The sequence search (:mod:`.sequence`), the overlap search (:mod:`.overlap`), the lean paths
of :mod:`.search` and the set-at-a-time start sets all ask the same questions of one compiled
:class:`~.problem.Problem`: durations, gaps, buffers, the length of each step, which masters a
later step could still use, and the earliest placements from a given minute. They are computed
once here, so that the modes depend on this module and not on each other (or on ``search``).
"""

from __future__ import annotations

from functools import cached_property
from operator import attrgetter

from .problem import Problem
from .ranking import NO_LIMIT

__all__ = ["Tables"]

_MASTERS = attrgetter("masters")


class Tables:
    """What every mode reads about one problem; built on first use where that is costly."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        services = problem.services
        self.durations = [service.duration for service in services]
        self.gaps = [service.gap for service in services]
        self.buffers = [master.buffer_between_minutes for master in problem.masters]
        steps = problem.steps
        durations = self.durations
        singles = len(steps) == len(services)  # no parallel group: step i is service i
        self.step_length = durations if singles else [max([durations[i] for i in step]) for step in steps]
        self.work = sum(self.step_length)
        self.feasible = all(map(_MASTERS, services)) and (
            problem.max_span is None or max(self.step_length) <= problem.max_span
        )
        # The common case: no overlap, no parallel group, so step i is service i.
        self.simple = singles and not problem.overlap
        # ``(service, reach)`` -> earliest placements; ``(service or -1 - step, reach)`` -> bound.
        self.option_cache: dict[tuple[int, int], list[tuple[int, int, int, int]]] = {}
        self.end_cache: dict[tuple[int, int], object] = {}
        self._free_bits: list[list[tuple[int, int, int]] | None] = [None] * len(services)
        self._any_bits: list[int | None] = [None] * len(services)
        self._by_master: dict[int, dict[int, tuple[int, int]]] = {}

    @cached_property
    def later(self) -> list[set[int]]:
        """``later[s]``: masters some step after ``s`` could use; the others are interchangeable."""
        steps, services = self.problem.steps, self.problem.services
        return [
            {master for step in steps[s + 1 :] for i in step for master in services[i].masters}
            for s in range(len(steps))
        ]

    def by_master(self, i: int) -> dict[int, tuple[int, int]]:
        """Service ``i``: master index -> (position, allowed starts as a bitset)."""
        found = self._by_master.get(i)
        if found is None:
            found = self._by_master[i] = {
                master: (position, bits) for position, master, bits in self.free_bits(i)
            }
        return found

    def free_bits(self, i: int) -> list[tuple[int, int, int]]:
        """Service ``i``: (position, master, allowed starts as a bitset) of each candidate.

        Made per service when first asked: the service that opens the visit keeps only its grid
        starts (:class:`~.problem.Candidate`), and the exact search rarely needs its free ones.
        """
        found = self._free_bits[i]
        if found is None:
            service = self.problem.services[i]
            found = self._free_bits[i] = list(
                zip(service.positions, service.masters, service.free_sets(), strict=True)
            )
        return found

    def any_bits(self, i: int) -> int:
        """Service ``i``: the minutes at which some master may start it (R2 ignored)."""
        found = self._any_bits[i]
        if found is None:
            found = 0
            for _, _, bits in self.free_bits(i):
                found |= bits
            self._any_bits[i] = found
        return found

    def limit(self, start: int) -> int:
        """R7: the latest end of a visit that starts at ``start``."""
        max_span = self.problem.max_span
        return NO_LIMIT if max_span is None else start + max_span
