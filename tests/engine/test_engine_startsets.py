"""The set-at-a-time start sets equal the old search per start on 10,000 seeded days.

``booking.engine.startsets`` decides most starts of a day with bitset algebra and leaves a thin
band to the exact search; ``tests/engine/reference_search.py`` keeps the engine's former way,
an exact search at every candidate start. On every day both must give the same start minutes.
Half the days allow overlap and about four in ten have a parallel group; salons run from one to
fourteen masters, so both the algebra's bounds and its band are exercised.
"""

from __future__ import annotations

import random

import pytest

from booking.engine.dto import availability_by_id
from booking.engine.problem import compile_problem
from booking.engine.search import ChainSearch
from tests.engine.reference_search import starts_by_search
from tests.engine.test_engine_properties import Day, _day, _Seeded

DAYS = 10_000
CHUNKS = 10


def _varied(seed: int) -> Day:
    """A seeded salon day, its visit reshaped towards overlap and parallel groups."""
    size = seed % 3  # small, medium and large salons in turn
    day = _day(
        _Seeded(seed),
        max_services=3,
        max_masters=(4, 8, 14)[size],
        max_choices=(3, 6, 12)[size],
        min_services=2,
    )
    rng = random.Random(-seed)
    services = list(day.request.service_requests)
    if not any(service.parallel_group for service in services) and rng.random() < 0.3:
        first, second = sorted(rng.sample(range(len(services)), 2))
        for index in (first, second):
            services[index] = services[index].model_copy(update={"parallel_group": "pair"})
    request = day.request.model_copy(
        update={"service_requests": services, "overlap_allowed": rng.random() < 0.5}
    )
    return Day(request=request, availability=day.availability, step=day.step, min_start=day.min_start)


def _search(day: Day) -> ChainSearch:
    """The day compiled afresh, so that neither way of finding starts shares the other's caches."""
    problem = compile_problem(day.request, availability_by_id(day.availability), day.step, day.min_start)
    return ChainSearch(problem)


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_start_sets_equal_a_search_at_every_start(chunk: int) -> None:
    for seed in range(chunk, DAYS, CHUNKS):
        # given a seeded day, compiled once for each way of finding its starts
        day = _varied(seed)
        # when the engine computes the day's start set, and the old search tries every start
        times, best = _search(day).starts()
        expected = starts_by_search(_search(day))
        # then they are the same minutes, and the best visit at a start begins there
        assert times == expected, f"seed {seed}"
        if times:
            assert min(begin for _, begin in best[len(times) // 2][1]) == times[len(times) // 2]


def _plain(seed: int) -> Day:
    """A seeded plain sequence (2-3 services, no group, overlap or maximum length), 1-4 masters.

    Few masters doing most services is where one master does two or three services of a visit,
    the case the exact start set of a plain sequence has to get right (gap and buffer between).
    """
    day = _day(_Seeded(seed), max_services=3, max_masters=(1, 2, 4)[seed % 3], max_choices=4, min_services=2)
    services = [
        service.model_copy(update={"parallel_group": None}) for service in day.request.service_requests
    ]
    request = day.request.model_copy(
        update={"service_requests": services, "overlap_allowed": False, "max_chain_duration_minutes": None}
    )
    return Day(request=request, availability=day.availability, step=day.step, min_start=day.min_start)


@pytest.mark.parametrize("chunk", range(4))
def test_plain_sequences_equal_a_search_at_every_start(chunk: int) -> None:
    for seed in range(chunk, 4_000, 4):
        # given a plain sequence in a small salon
        day = _plain(seed)
        # when the engine computes its start set, and the old search tries every start
        times, _ = _search(day).starts()
        # then they are the same minutes
        assert times == starts_by_search(_search(day)), f"seed {seed}"


def _single_and_pair(seed: int) -> Day:
    """A seeded visit of one single service and a pair (a parallel group), in either order.

    Sequences and overlap, with and without a maximum length, in salons of 2-5 masters: where
    one master may do the single service and one of the pair, with gap and buffer between.
    """
    day = _day(_Seeded(seed), max_services=3, max_masters=(2, 3, 5)[seed % 3], max_choices=5, min_services=3)
    rng = random.Random(-seed)
    pair = (1, 2) if rng.random() < 0.5 else (0, 1)
    services = [
        service.model_copy(update={"parallel_group": "pair" if index in pair else None})
        for index, service in enumerate(day.request.service_requests)
    ]
    longest = max(service.duration_minutes for service in services)
    total = sum(service.duration_minutes for service in services)
    max_length = None if rng.random() < 0.5 else rng.randint(longest, total + 90)
    request = day.request.model_copy(
        update={
            "service_requests": services,
            "overlap_allowed": rng.random() < 0.5,
            "max_chain_duration_minutes": max_length,
        }
    )
    return Day(request=request, availability=day.availability, step=day.step, min_start=day.min_start)


@pytest.mark.parametrize("chunk", range(4))
def test_a_single_service_and_a_pair_equal_a_search_at_every_start(chunk: int) -> None:
    for seed in range(chunk, 4_000, 4):
        # given one single service and a pair, in sequence or with overlap, in a small salon
        day = _single_and_pair(seed)
        # when the engine computes its start set, and the old search tries every start
        times, _ = _search(day).starts()
        # then they are the same minutes
        assert times == starts_by_search(_search(day)), f"seed {seed}"
