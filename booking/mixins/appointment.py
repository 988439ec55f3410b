"""Composable mixins for the appointment record.

Foreign keys are not included: the project points them at its own master, service and client
models.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from booking import validators as bounds


class AppointmentStatusMixin(models.Model):
    """Appointment lifecycle status.

    The constants live on the class so that adapters and selectors name statuses without
    hard-coded strings (``Appointment.STATUS_CONFIRMED``).
    """

    STATUS_PENDING = "pending"
    STATUS_CONFIRMED = "confirmed"
    STATUS_CANCELLED = "cancelled"
    STATUS_COMPLETED = "completed"
    STATUS_NO_SHOW = "no_show"
    STATUS_RESCHEDULE_PROPOSED = "reschedule_proposed"

    STATUS_CHOICES = [
        (STATUS_PENDING, _("Pending")),
        (STATUS_CONFIRMED, _("Confirmed")),
        (STATUS_CANCELLED, _("Cancelled")),
        (STATUS_COMPLETED, _("Completed")),
        (STATUS_NO_SHOW, _("No Show")),
        (STATUS_RESCHEDULE_PROPOSED, _("Reschedule Proposed")),
    ]

    # Statuses that occupy the master's time: the availability adapter treats them as busy and
    # the database's exclusion constraint forbids two of them overlapping.
    ACTIVE_STATUSES = [STATUS_PENDING, STATUS_CONFIRMED, STATUS_RESCHEDULE_PROPOSED]

    status = models.CharField(
        _("Status"),
        max_length=30,
        choices=STATUS_CHOICES,
        default=STATUS_PENDING,
        db_index=True,
    )

    class Meta:
        abstract = True


class AppointmentCoreMixin(models.Model):
    """When the appointment starts and how long it lasts."""

    datetime_start = models.DateTimeField(
        _("Start Time"), db_index=True, validators=[bounds.validate_calendar_date]
    )
    duration_minutes = models.PositiveIntegerField(
        _("Duration (min)"), validators=bounds.bounded(1, bounds.MAX_DURATION_MINUTES)
    )

    class Meta:
        abstract = True


class AbstractBookableAppointment(
    AppointmentStatusMixin,
    AppointmentCoreMixin,
    models.Model,
):
    """All appointment mixins together."""

    class Meta:
        abstract = True
