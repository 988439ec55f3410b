"""The reusable app's contract with a project: which concrete models play which part.

As ``AUTH_USER_MODEL`` names the user model, the ``BOOKING`` setting names the models a project
builds from ``booking.mixins``::

    BOOKING = {
        "MASTER_MODEL": "salon.Master",            # subclass of MasterScheduleMixin
        "SERVICE_MODEL": "salon.Service",          # subclass of ServiceDurationMixin
        "APPOINTMENT_MODEL": "salon.Appointment",  # subclass of AbstractBookableAppointment
        "WORKING_DAY_MODEL": "salon.WorkingDay",   # subclass of AbstractWorkingDay
        "DAY_OFF_MODEL": "salon.DayOff",           # subclass of MasterDayOffMixin
        "BOOKING_SETTINGS_MODEL": "salon.BookingSettings",  # subclass of BookingSettingsMixin
        "SITE_SETTINGS_MODEL": "salon.SiteSettings",  # optional: timezone, holidays_country ...
        "TIME_BLOCK_MODEL": "salon.TimeBlock",     # optional: part-day absences (master, date, start, end)
        "MASTER_CATEGORIES_FIELD": "categories",   # optional: the master's M2M to categories
        "SERVICE_CATEGORY_FIELD": "category",      # optional: the service's FK to a category
    }

The appointment, working-day and day-off models point at the master with a foreign key named
``master``; the appointment points at the service with ``service``. ``booking.checks`` reports
at startup (``manage.py check``) what is missing or wrong; ``get_adapter()`` builds the
availability adapter from the setting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone

from booking.adapters.availability import DjangoAvailabilityAdapter
from booking.adapters.cache import BookingCacheAdapter
from booking.mixins import (
    AbstractBookableAppointment,
    AbstractWorkingDay,
    BookingSettingsMixin,
    MasterDayOffMixin,
    MasterScheduleMixin,
    ServiceDurationMixin,
)

SETTING = "BOOKING"


@dataclass(frozen=True)
class ModelRole:
    """One part a concrete model plays: its key in ``BOOKING`` and the mixin it must subclass."""

    key: str
    mixin: type[models.Model]
    required: bool = True


ROLES: tuple[ModelRole, ...] = (
    ModelRole("MASTER_MODEL", MasterScheduleMixin),
    ModelRole("SERVICE_MODEL", ServiceDurationMixin),
    ModelRole("APPOINTMENT_MODEL", AbstractBookableAppointment),
    ModelRole("WORKING_DAY_MODEL", AbstractWorkingDay),
    ModelRole("DAY_OFF_MODEL", MasterDayOffMixin),
    ModelRole("BOOKING_SETTINGS_MODEL", BookingSettingsMixin),
    ModelRole("SITE_SETTINGS_MODEL", models.Model, required=False),
    ModelRole("TIME_BLOCK_MODEL", models.Model, required=False),
)
ROLE_BY_KEY = {role.key: role for role in ROLES}

# Relation names with their defaults (the salon's): read from the models' ``_meta`` by name.
FIELD_DEFAULTS = {"MASTER_CATEGORIES_FIELD": "categories", "SERVICE_CATEGORY_FIELD": "category"}


def booking_setting() -> dict[str, Any]:
    """The project's ``BOOKING`` dict (empty when the project has not set it)."""
    return dict(getattr(settings, SETTING, None) or {})


def field_name(key: str) -> str:
    """A relation name from ``BOOKING`` (``MASTER_CATEGORIES_FIELD`` ...), else its default."""
    return str(booking_setting().get(key) or FIELD_DEFAULTS[key])


def get_model(key: str) -> type[models.Model] | None:
    """The concrete model named by ``BOOKING[key]``; None for an optional role left unset.

    Raises ``ImproperlyConfigured`` naming the key when the label is missing or unknown.
    """
    role = ROLE_BY_KEY[key]
    label = booking_setting().get(key)
    if not label:
        if role.required:
            raise ImproperlyConfigured(
                f"{SETTING}[{key!r}] is not set: name your model as 'app_label.Model'."
            )
        return None
    try:
        return apps.get_model(label, require_ready=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"{SETTING}[{key!r}] must be 'app_label.Model', not {label!r}.") from error
    except LookupError as error:
        raise ImproperlyConfigured(
            f"{SETTING}[{key!r}] refers to {label!r}, which is not installed."
        ) from error


def get_adapter(
    *,
    clock: Callable[[], datetime] = timezone.now,
    cache_adapter: BookingCacheAdapter | None = None,
    step_minutes: int | None = None,
) -> DjangoAvailabilityAdapter:
    """A fresh availability adapter over the models ``BOOKING`` names.

    One per request or booking: the adapter memoises the settings rows it reads.
    """
    master_model = get_model("MASTER_MODEL")
    service_model = get_model("SERVICE_MODEL")
    appointment_model = get_model("APPOINTMENT_MODEL")
    working_day_model = get_model("WORKING_DAY_MODEL")
    day_off_model = get_model("DAY_OFF_MODEL")
    booking_settings_model = get_model("BOOKING_SETTINGS_MODEL")
    assert None not in (  # required roles raise instead of answering None
        master_model,
        service_model,
        appointment_model,
        working_day_model,
        day_off_model,
        booking_settings_model,
    )
    return DjangoAvailabilityAdapter(
        master_model=master_model,
        appointment_model=appointment_model,
        service_model=service_model,
        working_day_model=working_day_model,
        day_off_model=day_off_model,
        booking_settings_model=booking_settings_model,
        site_settings_model=get_model("SITE_SETTINGS_MODEL"),
        time_block_model=get_model("TIME_BLOCK_MODEL"),
        step_minutes=step_minutes,
        cache_adapter=cache_adapter,
        clock=clock,
        master_categories_field=field_name("MASTER_CATEGORIES_FIELD"),
        service_category_field=field_name("SERVICE_CATEGORY_FIELD"),
    )
