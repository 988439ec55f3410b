"""Seats: a master who serves several clients at once is several engine resources.

Each seat is its own engine resource with its own free windows, so the engine's answer is
exact per seat and matches the database constraint (master, seat, time range).
"""

from __future__ import annotations

from typing import Any

from booking.adapters.cache import BusyEntry
from booking.adapters.minutes import subtract
from booking.adapters.schedule import WorkingHours
from booking.engine import MasterAvailability


def resource_id(master_id: int, seat: int, capacity: int) -> str:
    """Engine resource id of one seat of a master: "12" for a one-client master, "12/1" else."""
    return str(master_id) if capacity <= 1 else f"{master_id}/{seat}"


def parse_resource_id(value: str) -> tuple[int, int]:
    """(master id, seat) of an engine resource id."""
    master, _, seat = str(value).partition("/")
    return int(master), int(seat or 0)


def capacity_of(master: Any) -> int:
    """How many clients the master serves at once (``max_clients_parallel``, at least one)."""
    return max(1, int(getattr(master, "max_clients_parallel", 1) or 1))


def resource_ids_of(master: Any) -> list[str]:
    capacity = capacity_of(master)
    return [resource_id(master.pk, seat, capacity) for seat in range(capacity)]


def seat_availability(
    master: Any, hours: WorkingHours, entries: list[BusyEntry], earliest: int, buffer: int
) -> dict[str, MasterAvailability]:
    """The free windows of every seat of a master on one shift, as engine availability."""
    capacity = capacity_of(master)
    tz = hours.tz
    out: dict[str, MasterAvailability] = {}
    for seat in range(capacity):
        # Buffer on both sides of an appointment: it separates consecutive appointments
        # whichever comes first. The gap after an existing appointment's service blocks too.
        # A time block (negative id) blocks exactly its own time.
        blocked = [
            (s, e) if pk < 0 else (s - buffer, e + gap + buffer)
            for pk, s, e, gap, st in entries
            if st == seat
        ]
        if hours.break_:
            blocked.append(hours.break_)
        if earliest > hours.start:
            blocked.append((hours.start, earliest))
        # A seat without a free window is still listed: "works but full" is not "closed".
        windows = subtract(hours.start, hours.end, blocked)
        rid = resource_id(master.pk, seat, capacity)
        # Minutes go to the engine as they are (no datetime per window edge and back).
        out[rid] = MasterAvailability.from_minutes(
            rid, windows, tz=tz, buffer_between_minutes=buffer, work_start=hours.start, work_end=hours.end
        )
    return out
