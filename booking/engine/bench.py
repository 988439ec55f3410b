"""Benchmark: ``python -m booking.engine.bench [--days N] [--seed S] [--brute-days K]``.

Generates realistic salon days (1-20 masters, shifts of 8-10 hours with a lunch break, 60-80 %
booked, buffers, 1-3 services of 30-120 minutes, a 15 or 30 minute grid) from a seeded random
generator and times, on the same days and in the same run:

(a) this engine's complete answer: ``find`` and ``get_unique_start_times()``;
(b) the reference engine's default call (codex-services 0.1.4, ``max_solutions=50``) on the
    same inputs converted to its DTOs, and the share of the true start times it returns;
(c) a brute-force search that tries every minute as the first start and every master, each
    later service minute by minute (all days, or the first ``--brute-days``); it also checks
    that it finds the same start times as this engine.

Both engines get the same windows and no ``work_end`` (the reference has none), so they decide
by the same rules; the reference's default call differs by its truncation at 50 chains and by
re-aligning later services to the grid. Building the input objects is not timed for either
engine; each day's time is the best of three runs with the garbage collector off.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .calculator import SlotCalculator
from .dto import BookingEngineRequest, MasterAvailability, ServiceRequest
from .finder import ChainFinder

ZONE = ZoneInfo("Europe/Berlin")
FIRST_DAY = date(2026, 1, 5)
MONTH = 30


@dataclass(frozen=True)
class SalonDay:
    """One benchmark case: a request and the masters' availability on its date."""

    request: BookingEngineRequest
    availability: dict[str, MasterAvailability]
    step: int


# ---------------------------------------------------------------------------------------------
# Realistic days
# ---------------------------------------------------------------------------------------------


def _at(day: date, minute: int) -> datetime:
    """Local wall-clock time ``minute`` minutes after midnight (shifts are daytime only)."""
    return datetime(day.year, day.month, day.day, tzinfo=ZONE) + timedelta(minutes=minute)


def _master(
    rng: random.Random, day: date, resource_id: str, calculator: SlotCalculator
) -> MasterAvailability:
    shift_start = rng.choice([8, 9, 9, 10]) * 60
    shift_end = shift_start + rng.choice([8, 9, 9, 10]) * 60
    buffer = rng.choice([0, 0, 5, 10, 15])
    lunch = None
    if rng.random() < 0.6:
        lunch_start = rng.choice([12 * 60, 12 * 60 + 30, 13 * 60, 13 * 60 + 30])
        lunch = (lunch_start, lunch_start + rng.choice([30, 45, 60]))
    # A booked day looks like runs of back-to-back appointments with a few free gaps between
    # them: 60-80 % of the working time booked (buffers included), the rest in 2-5 free gaps.
    working = shift_end - shift_start - (lunch[1] - lunch[0] if lunch else 0)
    target = rng.uniform(0.6, 0.8) * working
    lengths: list[int] = []
    for _ in range(40):
        length = rng.choice(range(30, 121, 15))
        if sum(lengths) + len(lengths) * buffer + length + buffer <= target:
            lengths.append(length)
    free_quarters = max(0, int(working - sum(lengths) - buffer * len(lengths)) // 15)
    gaps = [0] * (len(lengths) + 1)
    places = rng.sample(range(len(gaps)), min(len(gaps), rng.randint(2, 5)))
    for _ in range(free_quarters):
        gaps[rng.choice(places)] += 15
    busy: list[tuple[int, int]] = []
    cursor = shift_start
    for gap, length in zip(gaps, lengths, strict=False):
        cursor += gap
        if lunch and cursor < lunch[1] and cursor + length > lunch[0]:
            cursor = lunch[1]
        if cursor + length > shift_end:
            break
        busy.append((cursor, cursor + length))
        cursor += length + buffer
        cursor += -cursor % 15  # clients book on the quarter hour
    windows = calculator.merge_free_windows(
        work_start=_at(day, shift_start),
        work_end=_at(day, shift_end),
        busy_intervals=[(_at(day, begin), _at(day, end)) for begin, end in busy],
        break_interval=None if lunch is None else (_at(day, lunch[0]), _at(day, lunch[1])),
        buffer_minutes=buffer,
    )
    return MasterAvailability(
        resource_id=resource_id,
        free_windows=windows,
        buffer_between_minutes=buffer,
        work_start=_at(day, shift_start),
    )


@dataclass(frozen=True)
class Profile:
    """What kind of salon days to generate."""

    masters: tuple[int, int]  # how many masters work that day (inclusive range)
    services_weights: tuple[int, int, int]  # how often a visit has 1, 2 or 3 services
    qualified_share: float  # at least this share of the masters can do each service


PROFILES = {
    # A cross-section of salons: half the visits one service, from 1 to 20 masters.
    "mixed": Profile(masters=(1, 20), services_weights=(5, 3, 2), qualified_share=0.4),
    # Large salons and multi-service visits only, most masters able to do most services: where
    # a backtracking search truncated at 50 chains misses the most starts.
    "chains": Profile(masters=(8, 20), services_weights=(0, 1, 1), qualified_share=0.7),
}


def generate_days(count: int, seed: int, profile: Profile = PROFILES["mixed"]) -> list[SalonDay]:
    """``count`` consecutive salon days, the same for the same seed and profile."""
    rng = random.Random(seed)
    calculator = SlotCalculator()
    days: list[SalonDay] = []
    for offset in range(count):
        day = FIRST_DAY + timedelta(days=offset)
        ids = [str(number) for number in range(1, rng.randint(*profile.masters) + 1)]
        availability = {resource_id: _master(rng, day, resource_id, calculator) for resource_id in ids}
        services = [
            ServiceRequest(
                service_id=f"service-{number}",
                duration_minutes=rng.choice(range(30, 121, 15)),
                min_gap_after_minutes=rng.choice([0, 0, 5, 10, 15]),
                possible_resource_ids=rng.sample(
                    ids, rng.randint(max(1, int(len(ids) * profile.qualified_share)), len(ids))
                ),
            )
            for number in range(rng.choices([1, 2, 3], weights=profile.services_weights)[0])
        ]
        request = BookingEngineRequest(service_requests=services, booking_date=day)
        days.append(SalonDay(request=request, availability=availability, step=rng.choice([15, 30])))
    return days


# ---------------------------------------------------------------------------------------------
# The three contestants
# ---------------------------------------------------------------------------------------------


def ours(case: SalonDay) -> list[str]:
    """This engine, complete answer."""
    return ChainFinder(step_minutes=case.step).find(case.request, case.availability).get_unique_start_times()


def _reference_module() -> Any:
    try:
        from codex_services.booking import slot_master
    except ImportError:
        return None
    return slot_master


def reference_inputs(case: SalonDay, slot_master: Any) -> tuple[Any, dict[str, Any]]:
    """The same request and availability as the reference's pydantic DTOs (built untimed)."""
    request = slot_master.BookingEngineRequest(
        service_requests=[
            slot_master.ServiceRequest(
                service_id=service.service_id,
                duration_minutes=service.duration_minutes,
                min_gap_after_minutes=service.min_gap_after_minutes,
                possible_resource_ids=list(service.possible_resource_ids),
            )
            for service in case.request.service_requests
        ],
        booking_date=case.request.booking_date,
    )
    availability = {
        key: slot_master.MasterAvailability(
            resource_id=item.resource_id,
            free_windows=list(item.free_windows),
            buffer_between_minutes=item.buffer_between_minutes,
            work_start=item.work_start,
        )
        for key, item in case.availability.items()
    }
    return request, availability


def brute_force(case: SalonDay) -> list[str]:
    """Every minute of the day as a first start, every master, each later service tried minute by
    minute; a start counts when some chain fits (same rules, no ``work_end``)."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)

    def minute(moment: datetime) -> int:
        return int((moment - epoch).total_seconds() // 60)

    masters = {
        key: (
            [(minute(start), minute(end)) for start, end in item.free_windows],
            item.buffer_between_minutes,
            minute(item.work_start) if item.work_start else None,
        )
        for key, item in case.availability.items()
    }
    services = [
        (s.duration_minutes, s.min_gap_after_minutes, [r for r in s.possible_resource_ids if r in masters])
        for s in case.request.service_requests
    ]
    edges = [edge for windows, _, _ in masters.values() for window in windows for edge in window]
    if not edges:
        return []
    first, last = min(edges), max(edges)

    def fits(master: str, start: int, duration: int) -> bool:
        return any(lo <= start and start + duration <= hi for lo, hi in masters[master][0])

    def chain(index: int, earliest: int, blocked: dict[str, int]) -> bool:
        """Whether services ``index..`` fit after ``earliest``, trying every master."""
        if index == len(services):
            return True
        duration, gap, choices = services[index]
        for master in choices:
            begin = max(earliest, blocked.get(master, earliest))
            while begin + duration <= last:
                if fits(master, begin, duration):
                    later = {**blocked, master: begin + duration + gap + masters[master][1]}
                    if chain(index + 1, begin + duration, later):
                        return True
                    break  # a later start with this master never helps (earliest is optimal)
                begin += 1
        return False

    starts = []
    for start in range(first, last + 1):
        on_grid = [
            master
            for master in services[0][2]
            if masters[master][2] is not None
            and start >= masters[master][2]
            and (start - masters[master][2]) % case.step == 0
        ]
        if not on_grid:
            continue
        duration, gap, _ = services[0]
        for master in on_grid:
            if fits(master, start, duration):
                blocked = {master: start + duration + gap + masters[master][1]}
                if chain(1, start + duration, blocked):
                    starts.append(start)
                    break
    return [(epoch + timedelta(minutes=start)).astimezone(ZONE).strftime("%H:%M") for start in starts]


# ---------------------------------------------------------------------------------------------
# Measuring and printing
# ---------------------------------------------------------------------------------------------


def _timed(function: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """The fastest of ``repeat`` runs with the garbage collector off, as ``timeit`` does: the
    machine's other work only ever adds time."""
    best = float("inf")
    value = None
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            began = time.perf_counter()
            value = function()
            best = min(best, time.perf_counter() - began)
    finally:
        if enabled:
            gc.enable()
    return best, value


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _row(name: str, seconds: list[float], months: bool = True) -> str:
    """Per-day mean and p95; per month (consecutive 30 days, as a month calendar asks) mean and max."""
    mean, p95 = statistics.fmean(seconds) * 1e3, _p95(seconds) * 1e3
    line = f"  {name:<32} day mean {mean:7.3f} ms  p95 {p95:7.3f} ms"
    totals = [sum(seconds[i : i + MONTH]) for i in range(0, len(seconds) - MONTH + 1, MONTH)]
    if months and totals:
        line += f"   month mean {statistics.fmean(totals) * 1e3:7.1f} ms  max {max(totals) * 1e3:7.1f} ms"
    return line


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m booking.engine.bench",
        description="Times the slot engine against the reference engine and a brute force on salon days.",
    )
    parser.add_argument("--days", type=int, default=300, help="salon days to generate (default 300)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument(
        "--profile", choices=sorted(PROFILES), default="mixed", help="kind of salon days (default mixed)"
    )
    parser.add_argument(
        "--brute-days", type=int, default=None, help="days to time the brute force on (default: all)"
    )
    args = parser.parse_args(argv)

    days = generate_days(args.days, args.seed, PROFILES[args.profile])
    by_services = {n: sum(len(d.request.service_requests) == n for d in days) for n in (1, 2, 3)}
    print(
        f"{len(days)} salon days (profile {args.profile}, seed {args.seed}): "
        + ", ".join(f"{count} with {n} service{'s' if n > 1 else ''}" for n, count in by_services.items())
        + f"; {statistics.fmean(len(d.availability) for d in days):.1f} masters on average"
    )

    ours_seconds: list[float] = []
    truth: list[list[str]] = []
    for case in days:
        seconds, starts = _timed(lambda case=case: ours(case))
        ours_seconds.append(seconds)
        truth.append(starts)
    print("\nTimes (find + get_unique_start_times):")
    print(_row("this engine, complete", ours_seconds))
    for n in (1, 2, 3):
        subset = [s for s, d in zip(ours_seconds, days, strict=True) if len(d.request.service_requests) == n]
        if subset:
            print(_row(f"  of which {n} service(s)", subset, months=False))

    slot_master = _reference_module()
    if slot_master is None:
        print(
            "\nThe reference engine is not installed; to compare, run:\n"
            "  pip install --ignore-requires-python codex-services==0.1.4"
        )
    else:
        ref_seconds: list[float] = []
        found = wrong = total = 0
        for case, starts in zip(days, truth, strict=True):
            request, availability = reference_inputs(case, slot_master)
            finder = slot_master.ChainFinder(step_minutes=case.step)
            seconds, result = _timed(lambda f=finder, r=request, a=availability: f.find(r, a))
            labels = set(result.get_unique_start_times())
            ref_seconds.append(seconds)
            found += len(labels & set(starts))
            wrong += len(labels - set(starts))
            total += len(starts)
        print(_row("reference, default (50 chains)", ref_seconds))
        print(
            f"\nReference default call: {found} of {total} start times ({found / max(total, 1):.1%}); "
            f"{wrong} start times that this engine does not have."
        )
        speed_up = sum(ref_seconds) / sum(ours_seconds)
        print(f"Speed-up, complete answer vs reference default call: {speed_up:.1f}x")

    subset = days if args.brute_days is None else days[: args.brute_days]
    brute_seconds: list[float] = []
    agree = 0
    for case, starts in zip(subset, truth, strict=False):
        seconds, brute = _timed(lambda case=case: brute_force(case), repeat=1)
        brute_seconds.append(seconds)
        agree += brute == starts
    if subset:
        print(f"\nBrute force on {len(subset)} days (it agrees with this engine on {agree} of them):")
        print(_row("brute force", brute_seconds))
        print(_row("this engine, same days", ours_seconds[: len(subset)]))
        print(f"Speed-up vs brute force: {sum(brute_seconds) / sum(ours_seconds[: len(subset)]):.0f}x")


if __name__ == "__main__":
    main()
