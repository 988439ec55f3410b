"""The studio's models: only ``booking.mixins`` plus the relations a project must add."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import Q

from booking.constraints import PostgresExclusionConstraint, TsTzRange
from booking.mixins import (
    AbstractBookableAppointment,
    AbstractBookableMaster,
    AbstractBookableService,
    AbstractBookingSettings,
    AbstractWorkingDay,
    MasterDayOffMixin,
)


class ServiceCategory(models.Model):
    title = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.title


class Treatment(AbstractBookableService):
    title = models.CharField(max_length=100)
    kind = models.ForeignKey(ServiceCategory, on_delete=models.CASCADE, related_name="treatments")

    def __str__(self) -> str:
        return self.title


class Stylist(AbstractBookableMaster):
    """No ``status`` field: every stylist is bookable."""

    name = models.CharField(max_length=100)
    skills = models.ManyToManyField(ServiceCategory, related_name="stylists")

    def __str__(self) -> str:
        return self.name


class StylistHours(AbstractWorkingDay):
    master = models.ForeignKey(Stylist, on_delete=models.CASCADE, related_name="hours")


class StylistDayOff(MasterDayOffMixin):
    master = models.ForeignKey(Stylist, on_delete=models.CASCADE, related_name="days_off")


class StudioSettings(AbstractBookingSettings):
    pass


class Booking(AbstractBookableAppointment):
    """No ``seat``: every stylist serves one client at a time."""

    master = models.ForeignKey(Stylist, on_delete=models.PROTECT, related_name="bookings")
    service = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="bookings")
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True)
    # Stored so that PostgreSQL can forbid overlaps (an index cannot compute start + duration).
    datetime_end = models.DateTimeField(editable=False)

    class Meta:
        constraints = [
            PostgresExclusionConstraint(
                name="studio_booking_no_overlap",
                expressions=[
                    ("master", RangeOperators.EQUAL),
                    (TsTzRange("datetime_start", "datetime_end", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=AbstractBookableAppointment.ACTIVE_STATUSES),
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.datetime_end = self.datetime_start + timedelta(minutes=self.duration_minutes)
        super().save(*args, **kwargs)
