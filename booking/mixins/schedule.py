"""Relational schedule models: per-weekday hours and single days off.

Rows instead of a JSON list of work days: SQL can filter and index them, and each weekday
has its own hours and break.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class AbstractWorkingDay(models.Model):
    """Hours (and an optional break) of one master on one weekday; the FK is the project's."""

    WEEKDAY_CHOICES = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]

    weekday = models.PositiveSmallIntegerField(
        _("Day of Week"),
        choices=WEEKDAY_CHOICES,
        validators=[MinValueValidator(0), MaxValueValidator(6)],
        db_index=True,
    )
    start_time = models.TimeField(_("Start Time"))
    end_time = models.TimeField(_("End Time"))
    break_start = models.TimeField(_("Break Start"), null=True, blank=True)
    break_end = models.TimeField(_("Break End"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        day_name = dict(self.WEEKDAY_CHOICES).get(self.weekday, self.weekday)
        return f"{day_name}: {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class MasterDayOffMixin(models.Model):
    """One day on which a master does not work (vacation, sick day)."""

    date = models.DateField(_("Date"), db_index=True)
    reason = models.CharField(_("Reason"), max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{_('Day off')}: {self.date:%Y-%m-%d}"
