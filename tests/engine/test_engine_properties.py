"""Property tests: the engine agrees with the brute-force oracle on random salon days.

Days are generated in whole minutes after a local midnight and turned into datetimes the way an
adapter would: aware in Europe/Berlin (on an ordinary day and on both DST days of 2026, with
shifts that may cross the change at night) or naive; some window edges carry seconds.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.engine import BookingEngineRequest, ChainFinder, MasterAvailability, ServiceRequest
from tests.engine.oracle import Oracle, minute_of

T = TypeVar("T")
BERLIN = ZoneInfo("Europe/Berlin")
DAYS = (date(2026, 5, 11), date(2026, 3, 29), date(2026, 10, 25))
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class Day:
    """One generated case: what the adapter would hand to the engine."""

    request: BookingEngineRequest
    availability: dict[str, MasterAvailability]
    step: int
    min_start: datetime | None

    def finder(self) -> ChainFinder:
        return ChainFinder(step_minutes=self.step, min_start=self.min_start)

    def oracle(self) -> Oracle:
        return Oracle(self.request, self.availability, self.step, self.min_start)


def _free_runs(start: int, end: int, blocked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Free minutes of the shift ``[start, end)`` outside the blocked intervals, as windows.

    The maximal runs of free minutes: the blocks clipped to the shift, in order of their starts,
    leave the gaps between the minutes they cover so far.
    """
    windows: list[tuple[int, int]] = []
    cursor = start
    for block_start, block_end in sorted(blocked):
        block_start, block_end = max(block_start, start), min(block_end, end)
        if block_start >= block_end:
            continue
        if block_start > cursor:
            windows.append((cursor, block_start))
        cursor = max(cursor, block_end)
    if cursor < end:
        windows.append((cursor, end))
    return windows


class _Draws:
    """Choices made by hypothesis: small and boundary values first, and failures shrink."""

    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw

    def integer(self, low: int, high: int) -> int:
        return self._draw(st.integers(low, high))

    def pick(self, options: Sequence[T]) -> T:
        return self._draw(st.sampled_from(options))

    def chance(self, probability: float) -> bool:
        return self._draw(st.integers(0, 99)) < probability * 100

    def subset(self, options: Sequence[T], low: int, high: int) -> list[T]:
        return self._draw(st.lists(st.sampled_from(options), min_size=low, max_size=high, unique=True))


class _Seeded(_Draws):
    """Choices made by a seeded ``random.Random``: evenly spread, typical salon days."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def integer(self, low: int, high: int) -> int:
        return self._random.randint(low, high)

    def pick(self, options: Sequence[T]) -> T:
        return self._random.choice(options)

    def chance(self, probability: float) -> bool:
        return self._random.random() < probability

    def subset(self, options: Sequence[T], low: int, high: int) -> list[T]:
        return self._random.sample(list(options), self._random.randint(low, high))


def _day(choose: _Draws, max_services: int, max_masters: int, max_choices: int, min_services: int) -> Day:
    day = choose.pick(DAYS)
    aware = choose.chance(0.8)
    midnight = datetime.combine(day, time(), tzinfo=BERLIN)

    def moment(minute: int, seconds: int = 0) -> datetime:
        if aware:  # minutes of real time after the local midnight: crosses DST correctly
            return (midnight.astimezone(UTC) + timedelta(minutes=minute, seconds=seconds)).astimezone(BERLIN)
        return datetime.combine(day, time()) + timedelta(minutes=minute, seconds=seconds)

    step = choose.pick([5, 10, 15, 20, 30, 60])
    ids = [f"m{number}" for number in range(choose.integer(1, max_masters))]
    availability: dict[str, MasterAvailability] = {}
    for resource_id in ids:
        night = choose.chance(0.2)  # a shift across the small hours, where the clocks change
        shift_start = choose.integer(0, 3 * 60) if night else choose.integer(7 * 60, 11 * 60)
        shift_end = shift_start + (
            choose.integer(5 * 60, 11 * 60) if choose.chance(0.8) else choose.integer(60, 5 * 60)
        )
        buffer = choose.pick([0, 0, 5, 10, 15]) if choose.chance(0.8) else choose.integer(0, 15)
        blocked = []
        for _ in range(choose.integer(0, 5)):
            begin = choose.integer(shift_start - 30, shift_end)
            blocked.append((begin, begin + choose.pick([15, 30, 45, 60, 90, 120, 17, 50]) + buffer))
        if choose.chance(0.5):
            lunch = choose.integer(shift_start, shift_end)
            blocked.append((lunch, lunch + choose.pick([15, 30, 45, 60])))
        windows = []
        for window_start, window_end in _free_runs(shift_start, shift_end, blocked):
            jitter = choose.pick([0, 20, 59]) if choose.chance(0.1) else 0
            if window_end - window_start >= 2 or not jitter:
                windows.append((moment(window_start, jitter), moment(window_end, -jitter)))
        availability[resource_id] = MasterAvailability(
            resource_id=resource_id,
            free_windows=windows,
            buffer_between_minutes=buffer,
            work_start=moment(shift_start) if choose.chance(0.75) else None,
            work_end=moment(shift_end) if choose.chance(0.75) else None,
        )

    services = []
    for number in range(choose.integer(min_services, max_services)):
        choices = choose.subset(ids, 1, min(max_choices, len(ids)))
        if choose.chance(0.1):
            choices.append("ghost")  # unknown ids are skipped
        services.append(
            ServiceRequest(
                service_id=f"s{number}",
                duration_minutes=choose.pick(range(15, 121, 15))
                if choose.chance(0.7)
                else choose.integer(5, 180),
                min_gap_after_minutes=choose.pick([0, 0, 5, 10, 15, 30])
                if choose.chance(0.7)
                else choose.integer(0, 30),
                possible_resource_ids=choices,
            )
        )
    if len(services) >= 2 and choose.chance(0.25):
        first = choose.integer(0, len(services) - 2)
        second = choose.integer(first + 1, len(services) - 1)
        for index in (first, second):
            services[index] = services[index].model_copy(update={"parallel_group": "together"})
    total = sum(service.duration_minutes for service in services)
    longest = max(service.duration_minutes for service in services)
    request = BookingEngineRequest(
        service_requests=services,
        booking_date=day,
        overlap_allowed=choose.chance(0.3),
        max_chain_duration_minutes=choose.integer(longest, total + 90) if choose.chance(0.3) else None,
    )
    min_start = moment(choose.integer(0, 13 * 60), choose.pick([0, 30])) if choose.chance(0.25) else None
    return Day(request=request, availability=availability, step=step, min_start=min_start)


def salon_days(
    max_services: int, max_masters: int, max_choices: int, min_services: int = 1
) -> st.SearchStrategy[Day]:
    """Random salon days: half shaped by hypothesis (edge values), half by a seeded ``Random``."""
    shape = {
        "max_services": max_services,
        "max_masters": max_masters,
        "max_choices": max_choices,
        "min_services": min_services,
    }
    drawn = st.composite(lambda draw: _day(_Draws(draw), **shape))()
    seeded = st.integers(0, 2**32 - 1).map(lambda seed: _day(_Seeded(seed), **shape))
    return st.one_of(drawn, seeded)


def _start_minutes(result) -> list[int]:
    return [minute_of(moment, round_up=False) for moment in result.start_datetimes()]


def _visit(oracle: Oracle, solution) -> list[tuple[str, int]]:
    return [(item.resource_id, minute_of(item.start_time, round_up=False)) for item in solution.items]


@PROPERTY
@given(salon_days(max_services=1, max_masters=20, max_choices=20))
def test_single_service_start_times_are_exactly_the_oracles(day: Day) -> None:
    # given a random day and one service; when the engine answers it
    result = day.finder().find(day.request, day.availability)
    oracle = day.oracle()
    # then its start minutes are exactly the minutes the oracle accepts, sorted
    minutes = _start_minutes(result)
    assert minutes == sorted(oracle.single_service_starts())
    # and the labels are those minutes on the local wall clock, each label once
    labels = [moment.strftime("%H:%M") for moment in result.start_datetimes()]
    assert result.get_unique_start_times() == list(dict.fromkeys(labels))
    # and the visit kept for each start is valid and starts there
    for minute, moment in zip(minutes, result.start_datetimes(), strict=True):
        solution = result.best_at(moment)
        assert oracle.valid(_visit(oracle, solution))
        assert minute_of(solution.starts_at, round_up=False) == minute


@settings(PROPERTY, max_examples=300)
@given(salon_days(max_services=3, max_masters=8, max_choices=4, min_services=2))
def test_chains_find_every_oracle_start_with_its_shortest_span(day: Day) -> None:
    # given a random day and a visit of 1-3 services (with or without overlap)
    result = day.finder().find(day.request, day.availability, max_solutions=3)
    oracle = day.oracle()
    spans = oracle.best_spans()
    # then the engine's starts are exactly the oracle's
    minutes = _start_minutes(result)
    assert minutes == sorted(spans)
    # and every returned visit is valid; the best one at each start is as short as possible
    for minute in minutes:
        alternatives = result.solutions_at(result.start_datetimes()[minutes.index(minute)])
        assert 1 <= len(alternatives) <= 3
        for solution in alternatives:
            assert oracle.valid(_visit(oracle, solution))
            assert minute_of(solution.starts_at, round_up=False) == minute
        assert alternatives[0].span_minutes == spans[minute]


@settings(PROPERTY, max_examples=100)
@given(salon_days(max_services=3, max_masters=8, max_choices=4), st.integers(0, 6), st.integers(1, 4))
def test_limits_trim_starts_from_the_end_and_alternatives_per_start(
    day: Day, keep: int, per_start: int
) -> None:
    # given the complete answer
    complete = day.finder().find(day.request, day.availability)
    # when the earliest starts are asked for, and fewer alternatives per start
    earliest = day.finder().find(day.request, day.availability, max_unique_starts=keep)
    trimmed = day.finder().find(day.request, day.availability, max_solutions=per_start)
    # then max_unique_starts keeps a prefix, and max_solutions keeps every start
    assert earliest.start_datetimes() == complete.start_datetimes()[:keep]
    assert trimmed.start_datetimes() == complete.start_datetimes()
    assert trimmed.get_unique_start_times() == complete.get_unique_start_times()
    # and the solutions are ordered by start, best first, at most per_start of them per start
    starts = [minute_of(solution.starts_at, round_up=False) for solution in trimmed.solutions]
    assert starts == sorted(starts)
    for moment in trimmed.start_datetimes():
        alternatives = trimmed.solutions_at(moment)
        assert 1 <= len(alternatives) <= per_start
        assert alternatives[0] == trimmed.best_at(moment) == complete.best_at(moment)
        spans = [solution.span_minutes for solution in alternatives]
        assert spans == sorted(spans)
    if complete.has_solutions:
        assert complete.best == complete.solutions[0]
