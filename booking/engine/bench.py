"""Benchmark: ``python -m booking.engine.bench [--days N] [--seed S] [--rounds R] [--profile P]``.

``--scaling`` times this engine alone by salon size (5-40 masters) and kind of visit.

Generates salon days from a seeded random generator (1-20 masters, shifts of 8-10 hours with a
lunch break, 60-80 % booked, buffers, 1-3 services of 30-120 minutes, a 15 or 30 minute grid)
and times, on the same days and in the same run:

(a) this engine's complete answer: ``find`` and ``get_unique_start_times()``;
(b) the reference engine's default call (codex-services 0.1.4, ``max_solutions=50``) on the
    same inputs converted to its DTOs, and the share of the true start times it returns;
(c) optionally (``--brute-days K``) a brute-force search that tries every minute as the first
    start and every master, each later service minute by minute, on plain sequential days; it
    also checks that it finds the same start times as this engine.

The profiles: ``mixed`` (a cross-section of salons), ``chains`` (large salons, 2-3 services)
and ``hard`` (15-20 masters, weighted towards overlap visits, parallel groups, 3-service
sequences and a maximum length): the days on which a search per start costs the most.

Each contestant runs in its own fresh process; the processes alternate (ours, reference, ours,
reference, ... ``--rounds`` times) and each day's figure is the minimum over all its runs (three
per process, garbage collector off): the machine's other work only ever adds time. Building the
input objects and the finders is not timed for either engine; ours is timed on ``find`` and
``get_unique_start_times()``, the reference on ``find`` alone (its labels would add to it).
Both engines get the same windows and no ``work_end`` (the reference has none).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import subprocess
import sys
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
CLASSES = (
    "1 service",
    "sequential",
    "sequential, max length",
    "sequential, group",
    "overlap",
    "overlap, group",
)


@dataclass(frozen=True)
class SalonDay:
    """One benchmark case: a request and the masters' availability on its date."""

    request: BookingEngineRequest
    availability: dict[str, MasterAvailability]
    step: int

    @property
    def kind(self) -> str:
        """The class of the visit, one of ``CLASSES``."""
        request = self.request
        if len(request.service_requests) == 1:
            return CLASSES[0]
        group = any(service.parallel_group for service in request.service_requests)
        if request.overlap_allowed:
            return CLASSES[5] if group else CLASSES[4]
        if group:
            return CLASSES[3]
        return CLASSES[2] if request.max_chain_duration_minutes is not None else CLASSES[1]


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
    overlap_share: float = 0.0  # share of multi-service visits with overlap_allowed
    group_share: float = 0.0  # share of multi-service visits with two services in a parallel group
    max_length_share: float = 0.0  # share of sequential visits with max_chain_duration_minutes


PROFILES = {
    # A cross-section of salons: half the visits one service, from 1 to 20 masters.
    "mixed": Profile(masters=(1, 20), services_weights=(5, 3, 2), qualified_share=0.4),
    # Large salons and multi-service visits only, most masters able to do most services: where
    # a backtracking search truncated at 50 chains misses the most starts.
    "chains": Profile(masters=(8, 20), services_weights=(0, 1, 1), qualified_share=0.7),
    # 15-20 masters, mostly 2-3 services: overlap visits, parallel groups and maximum lengths,
    # where a search per start (or per pair of masters) costs the most.
    "hard": Profile(
        masters=(15, 20),
        services_weights=(1, 3, 4),
        qualified_share=0.5,
        overlap_share=0.45,
        group_share=0.4,
        max_length_share=0.4,
    ),
}
DEFAULT_PROFILES = ("mixed", "chains", "hard")


def _visit_shape(rng: random.Random, profile: Profile, services: list[ServiceRequest]) -> dict[str, Any]:
    """Overlap, a parallel group and a maximum length, as the profile weights them.

    Draws nothing for a profile without them, so the older profiles give the same days as before.
    """
    shape: dict[str, Any] = {}
    if len(services) < 2:
        return shape
    if profile.group_share and rng.random() < profile.group_share:
        first = rng.randrange(len(services) - 1)
        second = rng.randrange(first + 1, len(services))
        for index in (first, second):
            services[index] = services[index].model_copy(update={"parallel_group": "together"})
    if profile.overlap_share and rng.random() < profile.overlap_share:
        shape["overlap_allowed"] = True
    elif profile.max_length_share and rng.random() < profile.max_length_share:
        total = sum(service.duration_minutes for service in services)
        shape["max_chain_duration_minutes"] = total + rng.choice([0, 15, 30, 60])
    return shape


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
        shape = _visit_shape(rng, profile, services)
        request = BookingEngineRequest(service_requests=services, booking_date=day, **shape)
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
                parallel_group=service.parallel_group,
            )
            for service in case.request.service_requests
        ],
        booking_date=case.request.booking_date,
        overlap_allowed=case.request.overlap_allowed,
        max_chain_duration_minutes=case.request.max_chain_duration_minutes,
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
# Measuring (in a worker process) and printing (in the parent)
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


def _work(contestant: str, profile: str, count: int, seed: int) -> dict[str, Any]:
    """Time one contestant on every day of a profile: seconds and start labels per day."""
    days = generate_days(count, seed, PROFILES[profile])
    seconds: list[float] = []
    starts: list[list[str]] = []
    if contestant == "ours":
        for case in days:
            # The finder is built untimed, as the reference's below; ``find`` and the labels
            # are timed (the reference is timed on ``find`` alone: its labels are extra work).
            finder = ChainFinder(step_minutes=case.step)
            spent, labels = _timed(
                lambda f=finder, c=case: f.find(c.request, c.availability).get_unique_start_times()
            )
            seconds.append(spent)
            starts.append(labels)
    else:
        slot_master = _reference_module()
        if slot_master is None:
            return {"missing": True}
        for case in days:
            request, availability = reference_inputs(case, slot_master)
            finder = slot_master.ChainFinder(step_minutes=case.step)
            spent, result = _timed(lambda f=finder, r=request, a=availability: f.find(r, a))
            seconds.append(spent)
            starts.append(result.get_unique_start_times())
    return {"seconds": seconds, "starts": starts}


def _run_worker(contestant: str, profile: str, count: int, seed: int) -> dict[str, Any]:
    """One fresh interpreter per contestant and round, so neither warms the other's caches."""
    command = [sys.executable, "-m", "booking.engine.bench", "--worker", contestant]
    command += ["--profile", profile, "--days", str(count), "--seed", str(seed)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output)


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


@dataclass
class _Tally:
    """Sums over the days of one class (or of a whole profile)."""

    days: int = 0
    ours: float = 0.0
    reference: float = 0.0
    found: int = 0
    total: int = 0

    def add(self, ours: float, reference: float, truth: list[str], theirs: list[str]) -> None:
        self.days += 1
        self.ours += ours
        self.reference += reference
        self.found += len(set(theirs) & set(truth))
        self.total += len(truth)

    def line(self, name: str) -> str:
        if not self.days:
            return f"  {name:<24} {0:>5}"
        ours_ms, ref_ms = self.ours / self.days * 1e3, self.reference / self.days * 1e3
        share = self.found / self.total if self.total else 1.0
        speed_up = self.reference / self.ours if self.ours else float("inf")
        return (
            f"  {name:<24} {self.days:>5} {ours_ms:>10.3f} {ref_ms:>10.3f} {speed_up:>8.1f}x {share:>10.1%}"
        )


def _table(title: str, tallies: dict[str, _Tally], overall: _Tally) -> None:
    print(f"\n{title}")
    print(f"  {'class':<24} {'days':>5} {'ours ms':>10} {'ref ms':>10} {'speed-up':>9} {'ref share':>10}")
    for name in CLASSES:
        if tallies[name].days:
            print(tallies[name].line(name))
    print(overall.line("all"))


def _brute(days: list[SalonDay], truth: list[list[str]], ours_seconds: list[float], count: int) -> None:
    """The brute force on the first ``count`` plain days (no overlap, group or maximum length)."""
    plain = [
        (case, starts, spent)
        for case, starts, spent in zip(days, truth, ours_seconds, strict=True)
        if case.kind in (CLASSES[0], CLASSES[1])
    ][:count]
    brute_seconds: list[float] = []
    agree = 0
    for case, starts, _ in plain:
        spent, brute = _timed(lambda case=case: brute_force(case), repeat=1)
        brute_seconds.append(spent)
        agree += brute == starts
    if plain:
        print(f"  brute force on {len(plain)} plain days: agrees with this engine on {agree} of them")
        print(_row("brute force", brute_seconds, months=False))
        print(_row("this engine, same days", [spent for _, _, spent in plain], months=False))
        print(f"  speed-up vs brute force: {sum(brute_seconds) / sum(s for _, _, s in plain):.0f}x")


def _scaling(count: int, seed: int) -> None:
    """This engine alone: mean time per day by salon size and number of services (in-process)."""
    sizes = (5, 10, 20, 40)
    print(f"\nScaling ({count} days per cell, mean ms per day; a month view is 30 days):")
    print(f"  {'visit':<28}" + "".join(f"{f'{size} masters':>12}" for size in sizes))
    shapes = (
        ("1 service", (1, 0, 0), {}),
        ("2 services, sequential", (0, 1, 0), {}),
        ("3 services, sequential", (0, 0, 1), {}),
        ("2-3 services, overlap", (0, 1, 1), {"overlap_share": 1.0}),
        ("2-3 services, with a group", (0, 1, 1), {"group_share": 1.0}),
    )
    for name, weights, extra in shapes:
        cells = []
        for size in sizes:
            profile = Profile(masters=(size, size), services_weights=weights, qualified_share=0.5, **extra)
            days = generate_days(count, seed, profile)
            cells.append(statistics.fmean(_timed(lambda case=case: ours(case))[0] for case in days) * 1e3)
        print(f"  {name:<28}" + "".join(f"{cell:>12.3f}" for cell in cells))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m booking.engine.bench",
        description="Times the slot engine against the reference engine on salon days.",
    )
    parser.add_argument("--days", type=int, default=200, help="salon days per profile (default 200)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument(
        "--profile",
        choices=[*sorted(PROFILES), "all"],
        default="all",
        help="kind of salon days (default all: " + ", ".join(DEFAULT_PROFILES) + ")",
    )
    parser.add_argument("--rounds", type=int, default=2, help="alternating process pairs (default 2)")
    parser.add_argument(
        "--brute-days", type=int, default=0, help="plain days to time the brute force on (default 0)"
    )
    parser.add_argument(
        "--scaling", action="store_true", help="time this engine alone by salon size and services"
    )
    parser.add_argument("--worker", choices=["ours", "reference"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.scaling:
        _scaling(min(args.days, 100), args.seed)
        return

    if args.worker:
        print(json.dumps(_work(args.worker, args.profile, args.days, args.seed)))
        return

    profiles = DEFAULT_PROFILES if args.profile == "all" else (args.profile,)
    overall: dict[str, _Tally] = {name: _Tally() for name in CLASSES}
    grand = _Tally()
    missing = False
    for profile in profiles:
        days = generate_days(args.days, args.seed, PROFILES[profile])
        masters = statistics.fmean(len(d.availability) for d in days)
        print(f"\nProfile {profile}: {len(days)} days (seed {args.seed}), {masters:.1f} masters on average")
        ours_runs: list[list[float]] = []
        ref_runs: list[list[float]] = []
        truth: list[list[str]] = []
        theirs: list[list[str]] = [[] for _ in days]
        for _ in range(max(1, args.rounds)):
            mine = _run_worker("ours", profile, args.days, args.seed)
            ours_runs.append(mine["seconds"])
            truth = mine["starts"]
            reference = _run_worker("reference", profile, args.days, args.seed)
            if reference.get("missing"):
                missing = True
                continue
            ref_runs.append(reference["seconds"])
            theirs = reference["starts"]
        ours_seconds = [min(values) for values in zip(*ours_runs, strict=True)]
        print(_row("this engine, complete", ours_seconds))
        if ref_runs:
            ref_seconds = [min(values) for values in zip(*ref_runs, strict=True)]
            print(_row("reference, default (50 chains)", ref_seconds))
            tallies = {name: _Tally() for name in CLASSES}
            total = _Tally()
            for case, spent, ref_spent, right, got in zip(
                days, ours_seconds, ref_seconds, truth, theirs, strict=True
            ):
                for tally in (tallies[case.kind], total, overall[case.kind], grand):
                    tally.add(spent, ref_spent, right, got)
            _table(
                f"Per class, profile {profile} (mean per day; speed-up = reference / ours):", tallies, total
            )
        if args.brute_days:
            _brute(days, truth, ours_seconds, args.brute_days)
    if missing:
        print(
            "\nThe reference engine is not installed; to compare, run:\n"
            "  pip install --ignore-requires-python codex-services==0.1.4"
        )
    elif len(profiles) > 1:
        _table("Per class, all profiles:", overall, grand)


if __name__ == "__main__":
    main()
