"""What goes into the engine and what comes out: frozen dataclasses with keyword arguments.

The names, fields and defaults are those of the reference engine's pydantic models
(codex-services 0.1.4), so code written against it runs unchanged; ``model_copy(update=...)``
is kept for the same reason. Validation happens once, in ``__post_init__``, and raises
``ValueError`` (the reference raised pydantic's ``ValidationError``, a ``ValueError`` too).
Lists given by the caller are stored as tuples: a frozen object should not hold a list that
someone else can still change.

Identifiers are strings. An integer id (a database primary key) is turned into its string, so
``possible_resource_ids=[3]`` and an availability keyed by ``"3"`` meet.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Self

from .minutes import MasterMinutes, ceil_of, floor_of, is_aware, minute_to_datetime, since_epoch
from .modes import BookingMode

__all__ = [
    "BookingChainSolution",
    "BookingEngineRequest",
    "MasterAvailability",
    "ServiceRequest",
    "SingleServiceSolution",
]


class _Copyable:
    """``model_copy`` of the pydantic reference, on a frozen dataclass."""

    __slots__ = ()

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with the fields in ``update`` replaced (validated again); ``deep`` is ignored."""
        del deep  # the fields are immutable, a shallow copy is already independent
        return dataclasses.replace(self, **dict(update or {}))  # type: ignore[type-var]


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _check_int(owner: str, name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{owner}: {name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{owner}: {name} must be >= {minimum}, got {value}")


def _instant(moment: datetime) -> datetime:
    """A value that orders datetimes by real time (same-zone aware datetimes compare by wall clock)."""
    return moment.astimezone(UTC) if is_aware(moment) else moment


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ServiceRequest(_Copyable):
    """One service of the visit: how long it takes and who may do it.

    ``min_gap_after_minutes`` is cleanup after the service: the master is blocked for it, the
    client is not. Services sharing a ``parallel_group`` start at the same minute, each with its
    own master.
    """

    service_id: str
    duration_minutes: int
    min_gap_after_minutes: int = 0
    possible_resource_ids: Sequence[str]
    parallel_group: str | None = None

    def __post_init__(self) -> None:
        _set(self, "service_id", str(self.service_id))
        owner = f"Service {self.service_id}"
        _check_int(owner, "duration_minutes", self.duration_minutes, 1)
        _check_int(owner, "min_gap_after_minutes", self.min_gap_after_minutes, 0)
        if isinstance(self.possible_resource_ids, str | bytes):
            raise ValueError(f"{owner}: possible_resource_ids must be a list of ids, not one string")
        ids = tuple(str(resource_id) for resource_id in self.possible_resource_ids)
        if not ids:
            raise ValueError(f"{owner}: at least one possible resource is required")
        _set(self, "possible_resource_ids", ids)
        # The reference tests the group with ``if parallel_group:``, so "" means no group.
        _set(self, "parallel_group", str(self.parallel_group) if self.parallel_group else None)

    @property
    def total_block_minutes(self) -> int:
        """Minutes the service blocks its master: duration plus the gap after it."""
        return self.duration_minutes + self.min_gap_after_minutes


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BookingEngineRequest(_Copyable):
    """The visit a client asks for: services in order, on one date.

    ``overlap_allowed`` lets services of different masters run at the same time in any order;
    without it each step starts after the previous ones end. ``max_chain_duration_minutes``
    bounds the visit from its first start to its last end. ``group_size`` and ``days_gap`` are
    kept for the reference's callers; ``find`` rejects ``group_size > 1``.
    """

    service_requests: Sequence[ServiceRequest]
    booking_date: date
    mode: BookingMode = BookingMode.SINGLE_DAY
    overlap_allowed: bool = False
    group_size: int = 1
    max_chain_duration_minutes: int | None = None
    days_gap: Sequence[int] | None = None

    def __post_init__(self) -> None:
        services = tuple(
            item if isinstance(item, ServiceRequest) else ServiceRequest(**item)
            for item in self.service_requests
        )
        if not services:
            raise ValueError("BookingEngineRequest: at least one service is required")
        _set(self, "service_requests", services)
        if isinstance(self.booking_date, datetime):
            _set(self, "booking_date", self.booking_date.date())
        elif not isinstance(self.booking_date, date):
            raise ValueError(f"BookingEngineRequest: booking_date must be a date, got {self.booking_date!r}")
        try:
            _set(self, "mode", BookingMode(self.mode))
        except ValueError as error:
            raise ValueError(f"BookingEngineRequest: unknown mode {self.mode!r}") from error
        _set(self, "overlap_allowed", bool(self.overlap_allowed))
        _check_int("BookingEngineRequest", "group_size", self.group_size, 1)
        if self.max_chain_duration_minutes is not None:
            _check_int(
                "BookingEngineRequest", "max_chain_duration_minutes", self.max_chain_duration_minutes, 1
            )
        if self.days_gap is not None:
            _set(self, "days_gap", tuple(self.days_gap))

    @property
    def total_duration_minutes(self) -> int:
        """Sum of the durations, without gaps."""
        return sum(service.duration_minutes for service in self.service_requests)

    @property
    def total_block_minutes(self) -> int:
        """Sum of the durations and gaps: a quick check whether a visit can fit a window."""
        return sum(service.total_block_minutes for service in self.service_requests)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class MasterAvailability(_Copyable):
    """When one master can take clients on the booking date.

    ``free_windows`` are the free (start, end) intervals left after appointments, breaks and
    the buffers after appointments. ``work_start`` anchors the grid of start times; without it
    the grid starts at each window. ``work_end`` (our addition) tells a window closed by the end
    of the shift from one closed by an appointment: only before an appointment must the gap
    after a service fit into the window.
    """

    resource_id: str
    free_windows: Sequence[tuple[datetime, datetime]] = ()
    buffer_between_minutes: int = 0
    work_start: datetime | None = None
    work_end: datetime | None = None

    # The availability on the engine's minute axis, computed once here: an adapter builds it
    # once, and the engine may be asked many times (several services, ``find_nearest``).
    in_minutes: MasterMinutes = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _set(self, "resource_id", str(self.resource_id))
        owner = f"Resource {self.resource_id}"
        _check_int(owner, "buffer_between_minutes", self.buffer_between_minutes, 0)
        kinds: set[bool] = set()

        def offset(moment: object, what: str) -> timedelta:
            if not isinstance(moment, datetime):
                raise ValueError(f"{owner}: {what} must be a datetime, got {moment!r}")
            kinds.add(is_aware(moment))
            return since_epoch(moment)

        windows: list[tuple[datetime, datetime]] = []
        minutes: list[tuple[int, int]] = []
        for window in self.free_windows:
            start, end = window
            # Exact offsets compare in real time: on the night the clocks go back, 02:45 summer
            # time is before 02:30 winter time although its wall clock is later.
            start_offset, end_offset = offset(start, "a window start"), offset(end, "a window end")
            if start_offset >= end_offset:
                raise ValueError(f"{owner}: start={start} >= end={end}")
            windows.append((start, end))
            minutes.append((ceil_of(start_offset), floor_of(end_offset)))
        _set(self, "free_windows", tuple(windows))
        anchor = None if self.work_start is None else ceil_of(offset(self.work_start, "work_start"))
        work_end = None if self.work_end is None else floor_of(offset(self.work_end, "work_end"))
        if len(kinds) > 1:
            raise ValueError(f"{owner}: all datetimes must be aware, or all naive")
        first = self.work_start or (windows[0][0] if windows else self.work_end)
        zone = first.tzinfo if first is not None and is_aware(first) else None
        aware = next(iter(kinds)) if kinds else None
        _set(self, "in_minutes", MasterMinutes(aware, zone, tuple(sorted(minutes)), anchor, work_end))

    @property
    def tz(self) -> Any:
        """The time zone this master's times are shown in (None for naive datetimes)."""
        return self.in_minutes.tz

    @classmethod
    def from_minutes(
        cls,
        resource_id: str,
        free_windows: Sequence[tuple[int, int]],
        *,
        tz: tzinfo,
        buffer_between_minutes: int = 0,
        work_start: int | None = None,
        work_end: int | None = None,
    ) -> MasterAvailability:
        """The same availability from whole minutes since the UTC epoch, shown in ``tz``.

        An adapter that computes in minutes hands them over as they are: the engine reads only
        ``in_minutes``, so turning every window edge into a datetime and back (the cost of a
        month view) is skipped. ``free_windows`` still reads as aware datetimes, converted on
        first use; the object equals one built from those datetimes.
        """
        owner = f"Resource {resource_id}"
        _check_int(owner, "buffer_between_minutes", buffer_between_minutes, 0)
        windows = tuple((int(start), int(end)) for start, end in free_windows)
        for start, end in windows:
            if start >= end:
                raise ValueError(f"{owner}: start={start} >= end={end} (minutes)")
        item = object.__new__(cls)
        _set(item, "resource_id", str(resource_id))
        _set(item, "free_windows", _MinuteWindows(windows, tz))
        _set(item, "buffer_between_minutes", buffer_between_minutes)
        _set(item, "work_start", None if work_start is None else minute_to_datetime(work_start, tz))
        _set(item, "work_end", None if work_end is None else minute_to_datetime(work_end, tz))
        _set(item, "in_minutes", MasterMinutes(True, tz, tuple(sorted(windows)), work_start, work_end))
        return item


class _MinuteWindows(Sequence[tuple[datetime, datetime]]):
    """Free windows kept in epoch minutes, read as (start, end) aware datetimes on demand."""

    __slots__ = ("_datetimes", "_minutes", "_tz")

    def __init__(self, minutes: tuple[tuple[int, int], ...], tz: tzinfo) -> None:
        self._minutes = minutes
        self._tz = tz
        self._datetimes: tuple[tuple[datetime, datetime], ...] | None = None

    def _materialized(self) -> tuple[tuple[datetime, datetime], ...]:
        if self._datetimes is None:
            tz = self._tz
            self._datetimes = tuple(
                (minute_to_datetime(start, tz), minute_to_datetime(end, tz)) for start, end in self._minutes
            )
        return self._datetimes

    def __getitem__(self, index: Any) -> Any:
        return self._materialized()[index]

    def __len__(self) -> int:
        return len(self._minutes)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return self._materialized() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._materialized())

    def __repr__(self) -> str:
        return repr(self._materialized())


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class SingleServiceSolution(_Copyable):
    """One service of a found visit: who does it and when (``gap_end_time`` = end + gap)."""

    service_id: str
    resource_id: str
    start_time: datetime
    end_time: datetime
    gap_end_time: datetime

    @property
    def duration_minutes(self) -> int:
        """Real minutes between start and end (right across a DST change)."""
        return int((_instant(self.end_time) - _instant(self.start_time)).total_seconds() // 60)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class BookingChainSolution(_Copyable):
    """One complete visit: a slot for every service of the request, in request order.

    ``score`` is 0.0 from the engine; a scorer may rank solutions by it (``best_scored``).
    """

    items: Sequence[SingleServiceSolution]
    score: float = 0.0

    def __post_init__(self) -> None:
        items = tuple(self.items)
        if not items:
            raise ValueError("BookingChainSolution: at least one item is required")
        _set(self, "items", items)

    @property
    def starts_at(self) -> datetime:
        """When the client's visit begins: the earliest start of any service."""
        return min((item.start_time for item in self.items), key=_instant)

    @property
    def ends_at(self) -> datetime:
        """When the client's visit ends: the latest end of any service (gaps excluded)."""
        return max((item.end_time for item in self.items), key=_instant)

    @property
    def span_minutes(self) -> int:
        """Real minutes from the first start to the last end."""
        return int((_instant(self.ends_at) - _instant(self.starts_at)).total_seconds() // 60)

    def to_display(self) -> dict[str, dict[str, str]]:
        """``{service_id: {"resource_id", "start", "end"}}`` with local ``HH:MM`` times, for a UI."""
        return {
            item.service_id: {
                "resource_id": item.resource_id,
                "start": item.start_time.strftime("%H:%M"),
                "end": item.end_time.strftime("%H:%M"),
            }
            for item in self.items
        }


def availability_by_id(
    resources_availability: Mapping[Any, MasterAvailability] | Iterable[MasterAvailability],
) -> dict[str, MasterAvailability]:
    """The availability keyed by string id; a list of ``MasterAvailability`` is accepted too."""
    if isinstance(resources_availability, Mapping):
        return {str(key): value for key, value in resources_availability.items()}
    return {item.resource_id: item for item in resources_availability}
