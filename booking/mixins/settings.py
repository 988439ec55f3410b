"""Booking configuration mixins and their sync to the cache.

The sync writes a JSON document through Django's cache framework under
``SETTINGS_CACHE_KEY`` so that other processes (the bot, a worker) can read the current
settings without a query. A cache outage must never block saving settings: errors are logged
and swallowed.
"""

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_lifecycle import AFTER_SAVE, LifecycleModelMixin, hook

from booking import validators as bounds
from booking.cache import booking_cache
from booking.freshness import bump_salon

log = logging.getLogger(__name__)

SETTINGS_CACHE_KEY = "booking:settings"


class BookingSettingsMixin(models.Model):
    """Salon-wide booking defaults; masters may override buffer and advance limits."""

    step_minutes = models.PositiveIntegerField(
        _("Slot Step (min)"),
        default=30,
        validators=bounds.bounded(1, bounds.MAX_SLOT_STEP_MINUTES),
        help_text=_("Time grid granularity for the booking engine."),
    )
    default_buffer_between_minutes = models.PositiveIntegerField(
        _("Default Buffer Between Appointments (min)"),
        default=0,
        validators=bounds.bounded(0, bounds.MAX_BUFFER_MINUTES),
    )
    min_advance_minutes = models.PositiveIntegerField(
        _("Minimum Advance Booking (min)"),
        default=60,
        validators=bounds.bounded(0, bounds.MAX_NOTICE_MINUTES),
        help_text=_("Global minimum; masters can override individually."),
    )
    max_advance_days = models.PositiveIntegerField(
        _("Maximum Advance Booking (days)"),
        default=60,
        validators=bounds.bounded(0, bounds.MAX_ADVANCE_DAYS),
    )

    # Default working hours: the fallback when a master has neither a row for the weekday
    # nor hours of their own.
    work_start_weekdays = models.TimeField(_("Weekday Start"), null=True, blank=True)
    work_end_weekdays = models.TimeField(_("Weekday End"), null=True, blank=True)
    work_start_saturday = models.TimeField(_("Saturday Start"), null=True, blank=True)
    work_end_saturday = models.TimeField(_("Saturday End"), null=True, blank=True)

    class Meta:
        abstract = True

    def to_dict(self) -> dict[str, Any]:
        """Concrete fields as JSON-plain values (times and dates as ISO strings)."""
        data: dict[str, Any] = {}
        for field in self._meta.concrete_fields:
            if field.primary_key:
                continue
            # to_python: a value assigned as text ("09:30") is published as its real type.
            data[field.name] = _json_plain(field.to_python(getattr(self, field.attname)))
        return data


def _json_plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class BookingSettingsSyncMixin(LifecycleModelMixin, models.Model):
    """Publish the settings to the cache once the saving transaction has committed."""

    class Meta:
        abstract = True

    @hook(AFTER_SAVE)
    def sync_booking_settings_to_cache(self) -> None:
        payload = self.to_dict() if hasattr(self, "to_dict") else {}
        # R1: readers must never see settings that were rolled back.
        transaction.on_commit(lambda: publish_settings(payload))
        # Every cached answer and settings row was computed from the old settings.
        transaction.on_commit(bump_salon)


def publish_settings(payload: dict[str, Any]) -> bool:
    """Write the settings document; a cache failure is logged, never raised."""
    try:
        booking_cache().set(SETTINGS_CACHE_KEY, payload, timeout=None)
    except Exception:
        log.warning("Could not publish booking settings to the cache", exc_info=True)
        return False
    return True


def read_published_settings() -> dict[str, Any] | None:
    """The last published settings document, or None when absent or the cache is down."""
    try:
        return booking_cache().get(SETTINGS_CACHE_KEY)
    except Exception:
        log.warning("Could not read booking settings from the cache", exc_info=True)
        return None


class AbstractBookingSettings(
    BookingSettingsMixin,
    BookingSettingsSyncMixin,
    models.Model,
):
    """Settings fields plus the cache sync."""

    class Meta:
        abstract = True
