"""``VisitQuery``: which visit is asked for, as one frozen value built once at the edge.

The same handful of options (services, masters, appointments set aside, mode, overlap,
parallel groups) used to travel as keyword arguments through the salon services, the
selectors, the booking services and the adapter. One immutable object says it once; each
layer reads what it needs. It is hashable, so it can key a memo or a cache too.

Masters are given per service, positionally: ``master_ids[i]`` is the master chosen for
``service_ids[i]``, ``None`` for any master; an empty tuple means any master for every service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self

from booking.engine.modes import BookingMode

MasterSelections = dict[str, str] | dict[int, int | None] | dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class VisitQuery:
    """Services of the visit in order, the master for each (or any), and the search flags."""

    service_ids: tuple[int, ...]
    master_ids: tuple[int | None, ...] = ()
    exclude_appointment_ids: tuple[int, ...] = ()
    mode: BookingMode = BookingMode.SINGLE_DAY
    overlap_allowed: bool = False
    # (service id, group name) pairs that override the services' own ``parallel_group``.
    parallel_groups: tuple[tuple[int, str], ...] = ()
    max_chain_duration_minutes: int | None = None

    def __post_init__(self) -> None:
        services = tuple(int(s) for s in self.service_ids)
        masters = tuple(None if m in (None, "", "any") else int(m) for m in self.master_ids)
        if masters and len(masters) != len(services):
            raise ValueError("VisitQuery: one master (or None) per service, or none at all")
        groups = self.parallel_groups
        pairs = groups.items() if isinstance(groups, Mapping) else groups
        object.__setattr__(self, "service_ids", services)
        object.__setattr__(self, "master_ids", masters)
        object.__setattr__(
            self, "exclude_appointment_ids", tuple(sorted({int(a) for a in self.exclude_appointment_ids}))
        )
        object.__setattr__(self, "mode", BookingMode(self.mode))
        object.__setattr__(self, "overlap_allowed", bool(self.overlap_allowed))
        object.__setattr__(self, "parallel_groups", tuple(sorted((int(s), str(g)) for s, g in pairs)))

    @classmethod
    def any_master(cls, service_ids: Iterable[int], master_id: int | None = None) -> Self:
        """These services with one master for all of them, or any master (``None``)."""
        services = tuple(service_ids)
        return cls(service_ids=services, master_ids=(master_id,) * len(services) if master_id else ())

    @classmethod
    def from_options(
        cls,
        service_ids: Iterable[int],
        *,
        locked_master_id: int | None = None,
        master_selections: MasterSelections = None,
        exclude_appointment_ids: Iterable[int] | None = None,
        mode: BookingMode = BookingMode.SINGLE_DAY,
        overlap_allowed: bool = False,
        parallel_groups: Mapping[int, str] | None = None,
        max_chain_duration_minutes: int | None = None,
    ) -> Self:
        """The query the seed's keyword arguments describe (compatibility with its callers).

        ``locked_master_id`` applies to every service and wins over ``master_selections``,
        which may be positional (``{"0": "10"}``) or keyed by service id (``{5: 10}``).
        """
        services = tuple(int(s) for s in service_ids)
        if locked_master_id:
            masters: tuple[int | None, ...] = (int(locked_master_id),) * len(services)
        else:
            chosen = normalize_master_selections(list(services), master_selections)
            masters = tuple(chosen.get(s) for s in services) if chosen else ()
        return cls(
            service_ids=services,
            master_ids=masters,
            exclude_appointment_ids=tuple(exclude_appointment_ids or ()),
            mode=mode,
            overlap_allowed=overlap_allowed,
            parallel_groups=tuple((parallel_groups or {}).items()),
            max_chain_duration_minutes=max_chain_duration_minutes,
        )

    def master_for(self, index: int) -> int | None:
        """The master chosen for the ``index``-th service, or None for any master."""
        return self.master_ids[index] if self.master_ids else None

    def group_of(self, service_id: int) -> str | None:
        """The parallel group this query puts the service in, or None to keep the service's own."""
        return dict(self.parallel_groups).get(service_id)

    @property
    def chosen_masters(self) -> tuple[int, ...]:
        """Every master named in the query (none: any master for every service)."""
        return tuple(sorted({m for m in self.master_ids if m is not None}))


def normalize_master_selections(
    service_ids: list[int], master_selections: MasterSelections
) -> dict[int, int | None]:
    """Accept the legacy positional form {"0": "10"} and the service-keyed form {5: 10}."""
    if not master_selections:
        return {}
    positional = all(
        isinstance(key, str) and key.isdigit() and int(key) < len(service_ids) for key in master_selections
    )
    normalized: dict[int, int | None] = {}
    for key, raw in master_selections.items():
        service_id = service_ids[int(key)] if positional else int(key)
        if raw in (None, "", "any"):
            normalized[service_id] = None
        elif isinstance(raw, int | str) and str(raw).isdigit():
            normalized[service_id] = int(raw)
    return normalized
