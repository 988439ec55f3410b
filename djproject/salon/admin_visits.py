"""Booking by phone in the admin: the pieces the appointment admin composes.

A receptionist takes a call and books in one form: the service's duration and price fill in
(``ServiceSelect`` hands them to the page's small script; the form fills empty fields on the
server too), further services of the same visit follow the first one with the same master,
and a caller who is not a client yet is created from a name and a phone. The list opens on
the visits ahead (``WhenFilter``), one row per visit (``VisitChangeList``).
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from djproject.salon.booking import get_adapter
from djproject.salon.models import Appointment, Service


class ServiceSelect(forms.Select):
    """The service select whose options carry duration and price for the add form's autofill."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        service = getattr(value, "instance", None)
        if isinstance(service, Service):
            option["attrs"]["data-duration"] = str(service.duration)
            option["attrs"]["data-price"] = "" if service.price is None else str(service.price)
        return option


def local_midnight(day: date) -> datetime:
    """The salon-local start of ``day`` (aware), for comparing with stored UTC times."""
    return datetime.combine(day, time(), tzinfo=get_adapter().salon_tz)


class WhenFilter(admin.SimpleListFilter):
    """Date filters that look forward; without a choice the list shows what lies ahead
    (from today's start, so the morning's visits stay on the page all day)."""

    title = _("When")
    parameter_name = "when"
    UPCOMING, ALL = "upcoming", "all"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            (self.UPCOMING, _("From today on")),
            ("today", _("Today")),
            ("tomorrow", _("Tomorrow")),
            ("this_week", _("This week")),
            ("next_week", _("Next week")),
            ("past", _("Past")),
            (self.ALL, _("All")),
        ]

    def choices(self, changelist: Any) -> Any:
        """Like the parent's, without its own "All" (it is a lookup here, and the default is
        "From today on", which is shown selected when the parameter is absent)."""
        current = self.value() or self.UPCOMING
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def range(self, today: date) -> tuple[date | None, date | None]:
        """The chosen stretch as [first day, day after the last); None for an open end."""
        monday = today - timedelta(days=today.weekday())
        return {
            self.UPCOMING: (today, None),
            "today": (today, today + timedelta(days=1)),
            "tomorrow": (today + timedelta(days=1), today + timedelta(days=2)),
            "this_week": (today, monday + timedelta(days=7)),
            "next_week": (monday + timedelta(days=7), monday + timedelta(days=14)),
            "past": (None, today),
        }.get(self.value() or self.UPCOMING, (None, None))

    def queryset(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> QuerySet[Appointment]:
        first, after = self.range(get_adapter().today())
        if first is not None:
            queryset = queryset.filter(datetime_start__gte=local_midnight(first))
        if after is not None:
            queryset = queryset.filter(datetime_start__lt=local_midnight(after))
        return queryset


class VisitChangeList(ChangeList):
    """One row per visit: the first visible item of each booking reference stands for it, and
    the row lists every item's service (loaded for the page in one query)."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet[Appointment]:
        queryset = super().get_queryset(request, exclude_parameters)
        # Among the items this login may see (a master: their own), a later or equal-time item
        # with a higher id of the same visit is not a row of its own.
        visible = self.model_admin.get_queryset(request)
        earlier = visible.filter(
            Q(datetime_start__lt=OuterRef("datetime_start"))
            | Q(datetime_start=OuterRef("datetime_start"), pk__lt=OuterRef("pk")),
            booking_ref=OuterRef("booking_ref"),
        )
        return queryset.filter(~Exists(earlier))

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        refs = {row.booking_ref for row in self.result_list}
        items: dict[Any, list[Appointment]] = defaultdict(list)
        siblings = (
            self.model_admin.get_queryset(request)
            .filter(booking_ref__in=refs)
            .select_related("service")
            .order_by("datetime_start", "pk")
        )
        for item in siblings:
            items[item.booking_ref].append(item)
        for row in self.result_list:
            row.visit_items = items.get(row.booking_ref, [row])
