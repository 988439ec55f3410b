"""Settings policy: which value of a booking rule applies, the master's own or the salon's.

Read once per adapter (an adapter lives for one request or one booking): the settings rows,
the salon's time zone and public holidays. A master's own value overrides the settings' value
where the master model has one (``min_advance_minutes``, ``max_advance_days``,
``buffer_between_minutes``, ``timezone``).
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from datetime import date, datetime
from functools import cached_property, lru_cache
from typing import Any

import holidays
from django.conf import settings as django_settings

from booking.freshness import remember_row, salon_token

log = logging.getLogger(__name__)


class SettingsPolicy:
    """The booking and site settings and the rules derived from them; ``clock`` gives now."""

    def __init__(
        self,
        booking_settings_model: type[Any],
        site_settings_model: type[Any] | None,
        step_minutes: int | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.booking_settings_model = booking_settings_model
        self.site_settings_model = site_settings_model
        self._step_minutes = step_minutes
        self.clock = clock

    @cached_property
    def salon_token(self) -> str | None:
        """The salon's cache token, read once per adapter for every row it holds (the settings
        rows, the catalogue): one cache round trip instead of one per row. None inside a
        transaction or without a readable cache (``booking.freshness.salon_token``)."""
        return salon_token()

    @cached_property
    def booking_settings(self) -> Any:
        return _load(self.booking_settings_model, self.salon_token)

    @cached_property
    def site_settings(self) -> Any:
        """The site settings row, or None for a project without that model (optional role):
        then the salon's time zone is ``TIME_ZONE`` and there are no public holidays."""
        return None if self.site_settings_model is None else _load(self.site_settings_model, self.salon_token)

    @property
    def step_minutes(self) -> int:
        return self._step_minutes or int(getattr(self.booking_settings, "step_minutes", 30) or 30)

    @cached_property
    def salon_tz(self) -> zoneinfo.ZoneInfo:
        return zone(getattr(self.site_settings, "timezone", "") or django_settings.TIME_ZONE)

    def master_tz(self, master: Any) -> zoneinfo.ZoneInfo:
        name = getattr(master, "timezone", "") or ""
        return zone(name) if name else self.salon_tz

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().astimezone(self.salon_tz).date()

    @cached_property
    def holidays(self) -> holidays.HolidayBase:
        site = self.site_settings
        return public_holidays(
            getattr(site, "holidays_country", "") or "", getattr(site, "holidays_subdiv", "") or ""
        )

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays

    def holiday_name(self, day: date) -> str | None:
        return self.holidays.get(day)

    def min_advance_minutes(self, master: Any) -> int:
        own = getattr(master, "min_advance_minutes", None)
        return int(own if own is not None else getattr(self.booking_settings, "min_advance_minutes", 0) or 0)

    def max_advance_days(self, master: Any | None = None) -> int:
        own = getattr(master, "max_advance_days", None) if master is not None else None
        if own is None:
            own = getattr(self.booking_settings, "max_advance_days", None)
        return 60 if own is None else int(own)

    def buffer_minutes(self, master: Any) -> int:
        own = getattr(master, "buffer_between_minutes", None)
        if own is not None:
            return int(own)
        return int(getattr(self.booking_settings, "default_buffer_between_minutes", 0) or 0)


def _load(model: type[Any], token: str | None) -> Any:
    """The singleton row: the model's own ``load()`` where it has one, else the first row;
    held in the process while the salon's cache token holds (``booking.freshness``)."""
    return remember_row(f"settings:{model._meta.label}", lambda: _read(model), salon=token)


def _read(model: type[Any]) -> Any:
    return model.load() if hasattr(model, "load") else (model.objects.first() or model())


@lru_cache(maxsize=16)
def public_holidays(country: str, subdiv: str) -> holidays.HolidayBase:
    """One holiday calendar per country and region for the whole process (years fill in lazily)."""
    if country:
        try:
            return holidays.country_holidays(country, subdiv=subdiv or None)
        except NotImplementedError:  # the admin validates the codes; never fail a booking over it
            log.warning("Unknown holidays country/region %r/%r: no public holidays", country, subdiv)
    return holidays.HolidayBase()


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The named time zone, or UTC for a name this machine does not know."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
