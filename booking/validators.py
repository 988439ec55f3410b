"""Field validators shared by the booking mixins."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_timezone_name(value: str) -> None:
    """Accept empty or an IANA zone name.

    A validator rather than ``choices``: the zone list changes with tzdata, and choices would
    make migrations differ between machines.
    """
    if not value:
        return
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(name)s"), params={"name": value}) from exc
