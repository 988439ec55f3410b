"""Composable mixins for the bookable service model."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from booking import validators as bounds


class ServiceDurationMixin(models.Model):
    """Service duration in minutes: what the engine places on a master's day."""

    duration = models.PositiveIntegerField(
        _("Duration (min)"),
        help_text=_("Service duration in minutes."),
        validators=bounds.bounded(1, bounds.MAX_DURATION_MINUTES),
    )

    class Meta:
        abstract = True


class ServiceGapMixin(models.Model):
    """Cleanup or preparation time that keeps the same master busy after the service."""

    min_gap_after_minutes = models.PositiveIntegerField(
        _("Gap After Service (min)"),
        default=0,
        validators=bounds.bounded(0, bounds.MAX_BUFFER_MINUTES),
        help_text=_("Cleanup/preparation time after this service."),
    )

    class Meta:
        abstract = True


class ServiceParallelMixin(models.Model):
    """Whether the service may run alongside another one of the same visit."""

    parallel_ok = models.BooleanField(
        _("Allow Parallel"),
        default=True,
        help_text=_("Whether this service can be performed alongside another."),
    )
    parallel_group = models.CharField(
        _("Parallel Group"),
        max_length=50,
        blank=True,
        help_text=_("Services in the same group can run simultaneously."),
    )

    class Meta:
        abstract = True


class AbstractBookableService(
    ServiceDurationMixin,
    ServiceGapMixin,
    ServiceParallelMixin,
    models.Model,
):
    """All service mixins together; the concrete model adds name, price and category."""

    class Meta:
        abstract = True
