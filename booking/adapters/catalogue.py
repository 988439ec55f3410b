"""The salon's catalogue rows, held in the process while the salon's cache token holds.

Every availability answer (a month view, a day's times, the nearest date, a visit's plan)
read the same rows again: the services asked for, who may do their categories, those masters
and their weekday rows — four queries of the six or seven a cold answer costs. They change
only when the catalogue does, and every save or delete of them replaces the salon token
(``booking.freshness``; the project connects its models' signals), so they are read once per
salon token and process, in four queries over the whole tables (a salon has dozens of rows,
not thousands), and the adapter picks what it needs from them.

Inside ``transaction.atomic()`` nothing is held (``rows()`` is None): a booking reads its own
writes and the rows as they are under its locks, as before. Rows are handed out as copies, so
nobody's change to a row reaches another call.

Days off (a date range), time blocks and appointments are read as before.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import translation

from booking.freshness import remember_row

if TYPE_CHECKING:
    from booking.adapters.policy import SettingsPolicy
    from booking.adapters.request import CategoryLinks


@dataclass(frozen=True)
class CatalogueRows:
    """One reading of the catalogue. Never changed once read: hand out copies of its rows."""

    services: dict[int, Any]  # bookable services by id (the active ones, where they can be inactive)
    masters: dict[int, Any]  # every master by id, in the model's own order (the engine's tie-break)
    categories_of: dict[int, frozenset[int]]  # master id -> the categories they may do
    weekdays_of: dict[int, list[Any]]  # master id -> their working-day rows, in the model's order


class HeldCatalogue:
    """Reads ``CatalogueRows`` once per salon token (the adapter's ``policy.salon_token``)."""

    def __init__(
        self,
        service_model: type[Any],
        master_model: type[Any],
        working_day_model: type[Any],
        links: CategoryLinks,
        policy: SettingsPolicy,
        *,
        active_services_only: bool,
    ) -> None:
        self.service_model = service_model
        self.master_model = master_model
        self.working_day_model = working_day_model
        self.links = links
        self.policy = policy
        self.active_services_only = active_services_only
        models = (service_model, master_model, working_day_model)
        self._name = "catalogue:" + ":".join(model._meta.label for model in models)

    def rows(self) -> CatalogueRows | None:
        """The held rows, or None inside a transaction or without a readable salon token."""
        if transaction.get_connection().in_atomic_block:
            return None
        token = self.policy.salon_token
        if token is None:
            return None
        return remember_row(self._name, self._read, salon=token)

    def _read(self) -> CatalogueRows:
        # Masters are ordered by the model's ordering, which may name a translated field: read
        # it in the default language, as the calls that use these rows run.
        with translation.override(settings.LANGUAGE_CODE):
            services = self.service_model.objects.order_by()
            if self.active_services_only:
                services = services.filter(is_active=True)
            masters = {m.pk: m for m in self.master_model.objects.all()}
        categories: dict[int, set[int]] = defaultdict(set)
        for master_id, category_id in self.links.through.objects.order_by().values_list(
            self.links.master_column, self.links.category_column
        ):
            categories[master_id].add(category_id)
        weekdays: dict[int, list[Any]] = defaultdict(list)
        for row in self.working_day_model.objects.all():
            weekdays[row.master_id].append(row)
        return CatalogueRows(
            services={s.pk: s for s in services},
            masters=masters,
            categories_of={m: frozenset(c) for m, c in categories.items()},
            weekdays_of=dict(weekdays),
        )


def copied(row: Any) -> Any:
    """A held row for one call: its own copy (and its own cache of related rows)."""
    return copy.copy(row)
