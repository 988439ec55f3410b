"""``SlotCalculator``: the reference engine's window helpers, right across DST.

The signatures and results are those of the reference (codex-services 0.1.4) for naive
datetimes and for aware ones on ordinary days. The difference is on the days the clocks change:
aware inputs are moved to UTC, the arithmetic is done there (real minutes), and the results are
converted back to the caller's time zone. Adding a ``timedelta`` to a wall-clock time in the
caller's zone, as the reference does, is an hour off across the change.

``ChainFinder`` does not use this class (it computes in integer minutes); adapters use it to
turn a shift, appointments and a break into free windows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from .minutes import is_aware

__all__ = ["SlotCalculator"]

Window = tuple[datetime, datetime]


def _absolute(moment: datetime) -> datetime:
    """The same instant in UTC (aware), or the value itself (naive): safe to add minutes to."""
    return moment.astimezone(UTC) if is_aware(moment) else moment


def _zone(moment: datetime) -> tzinfo | None:
    return moment.tzinfo if is_aware(moment) else None


def _back(moment: datetime, zone: tzinfo | None) -> datetime:
    return moment if zone is None else moment.astimezone(zone)


class SlotCalculator:
    """Start times inside a window, free windows of a working day, and the windows left over."""

    def __init__(self, step_minutes: int = 30) -> None:
        if step_minutes <= 0:
            raise ValueError(f"step_minutes must be > 0, got: {step_minutes}")
        self.step_minutes = step_minutes
        self._step = timedelta(minutes=step_minutes)

    def find_slots_in_window(
        self,
        window_start: datetime,
        window_end: datetime,
        duration_minutes: int,
        min_start: datetime | None = None,
        grid_anchor: datetime | None = None,
    ) -> list[datetime]:
        """Every start ``grid_anchor + k * step`` (k >= 0) at which the service fits the window.

        Without ``grid_anchor`` the grid starts at ``window_start``; starts before ``min_start``
        are skipped. Results are in the time zone of ``window_start``.
        """
        zone = _zone(window_start)
        start, end = _absolute(window_start), _absolute(window_end)
        duration = timedelta(minutes=duration_minutes)
        if end - start < duration:
            return []
        current = start
        if min_start is not None and current < _absolute(min_start):
            current = _absolute(min_start)
        current = self._align_to_grid(current, _absolute(grid_anchor or window_start))
        slots: list[datetime] = []
        while current + duration <= end:
            slots.append(_back(current, zone))
            current += self._step
        return slots

    def merge_free_windows(
        self,
        work_start: datetime,
        work_end: datetime,
        busy_intervals: list[tuple[datetime, datetime]],
        break_interval: tuple[datetime, datetime] | None = None,
        buffer_minutes: int = 0,
        min_duration_minutes: int = 0,
    ) -> list[Window]:
        """The free windows of a working day, sorted.

        Subtracts the busy intervals, each extended by ``buffer_minutes`` after its end (the
        master's rest between clients), and the break. Windows shorter than
        ``min_duration_minutes`` are dropped. Results are in the time zone of ``work_start``.
        """
        zone = _zone(work_start)
        day_start, day_end = _absolute(work_start), _absolute(work_end)
        buffer = timedelta(minutes=buffer_minutes)
        shortest = timedelta(minutes=min_duration_minutes)
        blocked = [(_absolute(start), _absolute(end) + buffer) for start, end in busy_intervals]
        if break_interval:
            blocked.append((_absolute(break_interval[0]), _absolute(break_interval[1])))

        free: list[Window] = []
        pointer = day_start
        for block_start, block_end in self._merge_intervals(blocked):
            # Clipped to the shift on both sides: a block after the shift must not stretch the
            # last window past ``work_end`` (the reference clipped one side only).
            block_start = min(max(block_start, day_start), day_end)
            block_end = min(max(block_end, day_start), day_end)
            if block_start > pointer and block_start - pointer >= shortest:
                free.append((pointer, block_start))
            pointer = max(pointer, block_end)
        if pointer < day_end and day_end - pointer >= shortest:
            free.append((pointer, day_end))
        return [(_back(start, zone), _back(end, zone)) for start, end in free]

    def find_gaps(
        self, free_windows: list[Window], min_gap_minutes: int
    ) -> list[tuple[datetime, datetime, int]]:
        """Windows at least ``min_gap_minutes`` long, as (start, end, minutes), sorted by start."""
        result: list[tuple[datetime, datetime, int]] = []
        for start, end in free_windows:
            minutes = int((_absolute(end) - _absolute(start)).total_seconds() // 60)
            if minutes >= min_gap_minutes:
                result.append((start, end, minutes))
        result.sort(key=lambda gap: _absolute(gap[0]))
        return result

    def split_window_by_service(
        self,
        window_start: datetime,
        window_end: datetime,
        service_start: datetime,
        service_end: datetime,
    ) -> list[Window]:
        """The parts of a free window left before and after a service placed inside it (0-2)."""
        remaining: list[Window] = []
        if _absolute(service_start) > _absolute(window_start):
            remaining.append((window_start, service_start))
        if _absolute(service_end) < _absolute(window_end):
            remaining.append((service_end, window_end))
        return remaining

    # -----------------------------------------------------------------------------------------

    @staticmethod
    def _merge_intervals(intervals: list[Window]) -> list[Window]:
        """Overlapping or touching intervals merged, sorted by start."""
        merged: list[Window] = []
        for start, end in sorted(intervals, key=lambda interval: interval[0]):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def _align_to_grid(self, target: datetime, origin: datetime) -> datetime:
        """The first grid point ``origin + k * step`` (k >= 0) at or after ``target``."""
        if target <= origin:
            return origin
        steps = -((origin - target) // self._step)  # ceil((target - origin) / step)
        return origin + steps * self._step
