"""Building the engine request: the services asked for and every master who may do each.

Raises ``UnbookableRequestError`` when a service is unknown or inactive or nobody may do it
(the reference silently dropped such a service and booked the rest).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from booking.adapters.catalogue import CatalogueRows, HeldCatalogue, copied
from booking.adapters.fields import has_field
from booking.adapters.schedule import MasterRows
from booking.adapters.seats import parse_resource_id, resource_ids_of
from booking.engine import BookingEngineRequest, ServiceRequest
from booking.errors import UnbookableRequestError
from booking.query import MasterSelections, VisitQuery, normalize_master_selections

__all__ = [
    "CategoryLinks",
    "MasterSelections",
    "RequestBuilder",
    "feasible_groups",
    "master_ids_of",
    "normalize_master_selections",
]


class RequestBuilder:
    """Services and eligible masters in three queries (none where the catalogue is held),
    turned into a ``BookingEngineRequest``."""

    def __init__(
        self,
        service_model: type[Any],
        masters: MasterRows,
        *,
        master_categories_field: str = "categories",
        service_category_field: str = "category",
        seated: bool = True,
        links: CategoryLinks | None = None,
        catalogue: HeldCatalogue | None = None,
    ) -> None:
        self.service_model = service_model
        self.masters = masters
        self.links = links or CategoryLinks(
            masters.master_model, service_model, master_categories_field, service_category_field
        )
        self.seated = seated
        self.catalogue = catalogue
        self.filter_active_services = has_field(service_model, "is_active")

    def build(self, query: VisitQuery, target_date: date) -> BookingEngineRequest:
        """The engine request for the query's services on a date, each with its masters."""
        services = {s.pk: s for s in self.services(query.service_ids)}
        eligible = self.eligible_masters({self.links.category_of(s) for s in services.values()})

        requests: list[ServiceRequest] = []
        for index, service_id in enumerate(query.service_ids):
            service = services.get(service_id)
            if service is None:
                raise UnbookableRequestError(f"Service {service_id} does not exist or is not bookable.")
            candidates = eligible.get(self.links.category_of(service), [])
            chosen = query.master_for(index)
            if chosen:
                candidates = [m for m in candidates if m.pk == chosen]
            if not candidates:
                raise UnbookableRequestError(f"No master can do service {service_id} as asked.")
            group = query.group_of(service_id)
            if group is None:
                group = getattr(service, "parallel_group", "") or None
            requests.append(
                ServiceRequest(
                    service_id=str(service_id),
                    duration_minutes=int(service.duration),
                    min_gap_after_minutes=int(getattr(service, "min_gap_after_minutes", 0) or 0),
                    possible_resource_ids=[
                        rid for m in candidates for rid in resource_ids_of(m, self.seated)
                    ],
                    parallel_group=group,
                )
            )
        return BookingEngineRequest(
            service_requests=feasible_groups(requests),
            booking_date=target_date,
            mode=query.mode,
            overlap_allowed=query.overlap_allowed,
            max_chain_duration_minutes=query.max_chain_duration_minutes,
        )

    def services(self, service_ids: Sequence[int]) -> list[Any]:
        held = self.catalogue.rows() if self.catalogue is not None else None
        if held is not None:
            return [copied(held.services[pk]) for pk in set(service_ids) if pk in held.services]
        qs = self.service_model.objects.filter(pk__in=service_ids)
        if self.filter_active_services:
            qs = qs.filter(is_active=True)
        return list(qs)

    def eligible_masters(self, category_ids: set[int]) -> dict[int, list[Any]]:
        """Active masters per category, in the masters' own order (the engine's tie-break)."""
        held = self.catalogue.rows() if self.catalogue is not None else None
        if held is not None:
            return self._held_eligible_masters(held, category_ids)
        by_master = self.links.masters_of(category_ids)
        masters = self.masters.master_model.objects.filter(pk__in=list(by_master))
        if self.masters.status_filtered:
            masters = masters.filter(status=self.masters.master_model.STATUS_ACTIVE)
        result: dict[int, list[Any]] = defaultdict(list)
        for master in masters:  # Meta.ordering
            self.masters.remember(master)
            for category_id in by_master[master.pk]:
                result[category_id].append(master)
        return result

    def _held_eligible_masters(self, held: CatalogueRows, category_ids: set[int]) -> dict[int, list[Any]]:
        """``eligible_masters`` from the held catalogue: the same masters in the same order."""
        active = self.masters.master_model.STATUS_ACTIVE if self.masters.status_filtered else None
        result: dict[int, list[Any]] = defaultdict(list)
        for master in held.masters.values():  # the model's order, as the query's
            categories = held.categories_of.get(master.pk, frozenset()) & category_ids
            if not categories or (active is not None and master.status != active):
                continue
            master = copied(master)
            self.masters.remember(master)
            for category_id in categories:
                result[category_id].append(master)
        return result


class CategoryLinks:
    """Who may do what: the master's M2M to categories and the service's category FK.

    The names come from the project (``BOOKING``'s ``MASTER_CATEGORIES_FIELD`` and
    ``SERVICE_CATEGORY_FIELD``) and every column behind them from the models' ``_meta``: the
    through table's columns are named after the models (``stylist_id``,
    ``servicecategory_id``), not after the salon's.
    """

    def __init__(
        self, master_model: type[Any], service_model: type[Any], m2m_name: str, category_name: str
    ) -> None:
        m2m = master_model._meta.get_field(m2m_name)
        self.through = m2m.remote_field.through
        self.master_column = self.through._meta.get_field(m2m.m2m_field_name()).attname
        self.category_column = self.through._meta.get_field(m2m.m2m_reverse_field_name()).attname
        self.service_category = service_model._meta.get_field(category_name).attname

    def category_of(self, service: Any) -> int:
        return getattr(service, self.service_category)

    def masters_of(self, category_ids: set[int]) -> dict[int, set[int]]:
        """``{master id: its categories among these}``, in one query on the through table."""
        links = self.through.objects.filter(**{f"{self.category_column}__in": category_ids}).values_list(
            self.master_column, self.category_column
        )
        by_master: dict[int, set[int]] = defaultdict(set)
        for master_id, category_id in links:
            by_master[master_id].add(category_id)
        return by_master


def feasible_groups(requests: list[ServiceRequest]) -> list[ServiceRequest]:
    """Drop a parallel group that its masters cannot staff.

    Services of a group start together, each with its own master; when the masters allowed
    for the group are fewer than its services (one master chosen for the whole visit), the
    services are done one after another instead of offering no time at all.
    """
    members: dict[str, list[int]] = defaultdict(list)
    for index, request in enumerate(requests):
        if request.parallel_group:
            members[request.parallel_group].append(index)
    drop: set[int] = set()
    for indexes in members.values():
        masters = {parse_resource_id(r)[0] for i in indexes for r in requests[i].possible_resource_ids}
        if len(indexes) < 2 or len(masters) < len(indexes):
            drop.update(indexes)
    return [r.model_copy(update={"parallel_group": None}) if i in drop else r for i, r in enumerate(requests)]


def master_ids_of(request: BookingEngineRequest) -> list[int]:
    """Every master the request may use, in id order."""
    return sorted(
        {parse_resource_id(r)[0] for s in request.service_requests for r in s.possible_resource_ids}
    )
