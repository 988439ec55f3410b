"""Composable mixins for the master (the person who performs services)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from booking import validators as bounds
from booking.validators import validate_timezone_name


class MasterScheduleMixin(models.Model):
    """Default working hours and break.

    Fallback values: per-weekday rows (``AbstractWorkingDay``) win over them, and the booking
    settings' weekly hours apply when both are empty.
    """

    work_start = models.TimeField(_("Work Start"), null=True, blank=True)
    work_end = models.TimeField(_("Work End"), null=True, blank=True)
    break_start = models.TimeField(_("Break Start"), null=True, blank=True)
    break_end = models.TimeField(_("Break End"), null=True, blank=True)

    class Meta:
        abstract = True


class MasterBufferMixin(models.Model):
    """Buffer and advance-booking limits; empty means "use the booking settings"."""

    buffer_between_minutes = models.PositiveIntegerField(
        _("Buffer Between Appointments (min)"),
        null=True,
        blank=True,
        validators=bounds.bounded(0, bounds.MAX_BUFFER_MINUTES),
        help_text=_("Overrides global default when set."),
    )
    min_advance_minutes = models.PositiveIntegerField(
        _("Minimum Advance Booking (min)"),
        null=True,
        blank=True,
        validators=bounds.bounded(0, bounds.MAX_NOTICE_MINUTES),
        help_text=_("How far in advance a client must book."),
    )
    max_advance_days = models.PositiveIntegerField(
        _("Maximum Advance Booking (days)"),
        null=True,
        blank=True,
        validators=bounds.bounded(0, bounds.MAX_ADVANCE_DAYS),
        help_text=_("How far ahead a client can book."),
    )

    class Meta:
        abstract = True


class MasterCapacityMixin(models.Model):
    """How many clients the master serves at once (chairs, seats)."""

    max_clients_parallel = models.PositiveSmallIntegerField(
        _("Max Parallel Clients"),
        default=1,
        validators=bounds.bounded(1, bounds.MAX_PARALLEL_CLIENTS),
    )

    class Meta:
        abstract = True


class MasterTimezoneMixin(models.Model):
    """The master's own time zone.

    Empty means the salon's time zone. (The reference defaults to "UTC", which silently moves
    every master of a Berlin salon to UTC; we default to empty.)
    """

    timezone = models.CharField(
        _("Timezone"),
        max_length=64,
        default="",
        blank=True,
        validators=[validate_timezone_name],
        help_text=_("IANA name such as Europe/Berlin; empty means the salon's time zone."),
    )

    class Meta:
        abstract = True


class AbstractBookableMaster(
    MasterScheduleMixin,
    MasterBufferMixin,
    MasterCapacityMixin,
    MasterTimezoneMixin,
    models.Model,
):
    """All master mixins together; the concrete model adds name, status and categories."""

    class Meta:
        abstract = True
