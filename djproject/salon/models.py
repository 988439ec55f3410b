"""The salon's concrete models, built from ``booking.mixins``.

Rules that must always hold live in the database (``Meta.constraints``), so that the admin,
the bot and a stray shell session all meet the same wall: no overlapping active appointments
of one master and seat (PostgreSQL), sensible hours, one row of each settings model.
"""

import uuid
import zoneinfo
from datetime import timedelta
from typing import Any, Self

import holidays
from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_lifecycle import (
    AFTER_DELETE,
    AFTER_SAVE,
    BEFORE_SAVE,
    BEFORE_UPDATE,
    LifecycleModelMixin,
    hook,
)

from booking import validators as bounds
from booking.adapters.cache import BookingCacheAdapter
from booking.constraints import PostgresExclusionConstraint, TsTzRange
from booking.localtime import in_utc
from booking.mixins import (
    AbstractBookableAppointment,
    AbstractBookableMaster,
    AbstractBookableService,
    AbstractBookingSettings,
    AbstractWorkingDay,
    MasterDayOffMixin,
)
from booking.validators import validate_timezone_name


def _end_after_start(prefix: str, start: str, end: str) -> models.CheckConstraint:
    """Hours are either both empty or both set with the end after the start."""
    return models.CheckConstraint(
        condition=Q(**{f"{start}__isnull": True, f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": False, f"{end}__isnull": False, f"{end}__gt": F(start)}),
        name=f"{prefix}_end_after_start",
        violation_error_message=_("Working hours need a start and an end, and must end after they start."),
    )


def _break_inside_hours(prefix: str, start: str, end: str) -> models.CheckConstraint:
    """A break is either absent or complete and inside the working hours."""
    return models.CheckConstraint(
        condition=Q(break_start__isnull=True, break_end__isnull=True)
        | Q(
            break_start__isnull=False,
            break_end__isnull=False,
            break_end__gt=F("break_start"),
            break_start__gte=F(start),
            break_end__lte=F(end),
        ),
        name=f"{prefix}_break_inside_hours",
        violation_error_message=_("A break needs a start and an end, and must lie inside the working hours."),
    )


def _real_time(moment: Any) -> Any:
    """An aware datetime in UTC, where adding minutes adds real time (a naive one as it is)."""
    return in_utc(moment) if timezone.is_aware(moment) else moment


def default_reminders() -> list[int]:
    """A day and two hours before the visit."""
    return [24 * 60, 2 * 60]


class SingletonModel(models.Model):
    """A settings model with exactly one row (pk 1), created on first read."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> Self:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class Category(models.Model):
    name = models.CharField(_("Name"), max_length=120, unique=True)
    sort_order = models.PositiveIntegerField(_("Order"), default=0)

    class Meta:
        verbose_name = _("Category")
        verbose_name_plural = _("Categories")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Service(AbstractBookableService):
    name = models.CharField(_("Name"), max_length=200)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="services", verbose_name=_("Category")
    )
    price = models.DecimalField(
        _("Price"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    description = models.TextField(_("Description"), blank=True)
    is_active = models.BooleanField(_("Active"), default=True, db_index=True)
    sort_order = models.PositiveIntegerField(_("Order"), default=0)

    class Meta:
        verbose_name = _("Service")
        verbose_name_plural = _("Services")
        ordering = ["category__sort_order", "sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__gt=0),
                name="salon_service_duration_positive",
                violation_error_message=_("A service lasts at least one minute."),
            ),
            models.UniqueConstraint(fields=["category", "name"], name="salon_service_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


# Telegram's sendPhoto refuses photos over 10 MB: a bigger one could never reach a client.
MAX_PHOTO_BYTES = 10 * 1024 * 1024


def validate_photo_size(photo: Any) -> None:
    if photo.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("A photo may be at most 10 MB (Telegram's limit)."), code="photo_too_big")


class Master(LifecycleModelMixin, AbstractBookableMaster):
    STATUS_ACTIVE = "active"
    STATUS_INACTIVE = "inactive"
    STATUS_CHOICES = [(STATUS_ACTIVE, _("Active")), (STATUS_INACTIVE, _("Inactive"))]

    name = models.CharField(_("Name"), max_length=120)
    status = models.CharField(
        _("Status"), max_length=20, choices=STATUS_CHOICES, default=STATUS_ACTIVE, db_index=True
    )
    categories = models.ManyToManyField(
        Category,
        related_name="masters",
        blank=True,
        verbose_name=_("Categories"),
        help_text=_("The master performs every active service of these categories."),
    )
    telegram_id = models.BigIntegerField(
        _("Telegram ID"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("Receives staff notifications in Telegram when set."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="master",
        verbose_name=_("Staff login"),
        help_text=_("A staff login of this master sees only their own appointments."),
    )
    language = models.CharField(
        _("Language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Language of the master's Telegram notifications."),
    )
    bio = models.TextField(
        _("About"), blank=True, help_text=_("A few words the bot shows clients next to the photo.")
    )
    photo = models.ImageField(
        _("Photo"),
        upload_to="masters/",
        blank=True,
        validators=[validate_photo_size],
        help_text=_("Shown to clients in the bot (JPEG or PNG, at most 10 MB)."),
    )
    # Telegram's id of the photo once the bot has uploaded it: later sends reuse it instead of
    # uploading the file again. Cleared when the photo changes (``forget_sent_photo``).
    photo_file_id = models.CharField(max_length=255, blank=True, editable=False)
    sort_order = models.PositiveIntegerField(_("Order"), default=0)

    class Meta:
        verbose_name = _("Master")
        verbose_name_plural = _("Masters")
        ordering = ["sort_order", "name"]
        constraints = [
            _end_after_start("salon_master", "work_start", "work_end"),
            _break_inside_hours("salon_master", "work_start", "work_end"),
            models.CheckConstraint(
                condition=Q(max_clients_parallel__gte=1),
                name="salon_master_capacity_positive",
                violation_error_message=_("A master serves at least one client at a time."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @hook(BEFORE_UPDATE, when="photo", has_changed=True)
    def forget_sent_photo(self) -> None:
        """Telegram's file id names the old picture: the next send uploads the new one."""
        self.photo_file_id = ""


class WorkingDay(AbstractWorkingDay):
    master = models.ForeignKey(
        Master, on_delete=models.CASCADE, related_name="working_days", verbose_name=_("Master")
    )

    class Meta:
        verbose_name = _("Working day")
        verbose_name_plural = _("Working days")
        ordering = ["master", "weekday"]
        constraints = [
            models.UniqueConstraint(
                fields=["master", "weekday"],
                name="salon_workingday_one_per_weekday",
                violation_error_message=_("This master already has hours for that weekday."),
            ),
            _end_after_start("salon_workingday", "start_time", "end_time"),
            _break_inside_hours("salon_workingday", "start_time", "end_time"),
        ]


class DayOff(MasterDayOffMixin):
    master = models.ForeignKey(
        Master, on_delete=models.CASCADE, related_name="days_off", verbose_name=_("Master")
    )

    class Meta:
        verbose_name = _("Day off")
        verbose_name_plural = _("Days off")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["master", "date"],
                name="salon_dayoff_one_per_date",
                violation_error_message=_("This master already has that day off."),
            )
        ]


class TimeBlock(models.Model):
    """A part of a day when a master (or, with no master, the whole salon) takes no bookings:
    a training every Tuesday 14–16, a dentist's appointment, a salon meeting.

    The adapter subtracts blocks like appointments (``booking.adapters.blocks``); saving one
    over booked visits goes through the schedule-change check (``schedule_changes``).
    """

    master = models.ForeignKey(
        Master,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="time_blocks",
        verbose_name=_("Master"),
        help_text=_("Empty means the whole salon."),
    )
    date = models.DateField(
        _("Date"), db_index=True, help_text=_("The day, or the first day of a weekly block.")
    )
    start_time = models.TimeField(_("From"))
    end_time = models.TimeField(_("Until"))
    weekly = models.BooleanField(
        _("Repeats weekly"), default=False, help_text=_("Every week on this weekday, from the date on.")
    )
    repeat_until = models.DateField(
        _("Repeats until"),
        null=True,
        blank=True,
        help_text=_("The last day of a weekly block; empty means no end."),
    )
    reason = models.CharField(_("Reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("Time block")
        verbose_name_plural = _("Time blocks")
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="salon_timeblock_end_after_start",
                violation_error_message=_("A time block must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(repeat_until__isnull=True) | Q(repeat_until__gte=F("date")),
                name="salon_timeblock_repeat_in_order",
                violation_error_message=_("A weekly block cannot end before its first day."),
            ),
        ]

    def __str__(self) -> str:
        who = str(self.master) if self.master_id else str(_("Whole salon"))
        return f"{who} · {self.date:%d.%m.%Y} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class Client(models.Model):
    telegram_id = models.BigIntegerField(_("Telegram ID"), null=True, blank=True, unique=True)
    name = models.CharField(_("Name"), max_length=200, blank=True)
    phone = models.CharField(_("Phone"), max_length=32, blank=True)
    language = models.CharField(
        _("Language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Chosen by the client in the bot; empty means Telegram's language."),
    )
    telegram_language = models.CharField(
        _("Telegram's language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "The language of the client's Telegram app (when we speak it); used until they pick one."
        ),
    )
    bot_blocked_at = models.DateTimeField(
        _("Blocked the bot at"),
        null=True,
        blank=True,
        help_text=_(
            "Set when Telegram refused a message (the client blocked the bot); cleared when they return."
        ),
    )
    created = models.DateTimeField(_("Created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Client")
        verbose_name_plural = _("Clients")
        ordering = ["-created"]

    def __str__(self) -> str:
        # Never the phone: this label reaches masters (the appointment form's autocomplete).
        return self.name or f"#{self.telegram_id or self.pk}"


class Appointment(LifecycleModelMixin, AbstractBookableAppointment):
    SOURCE_TELEGRAM = "telegram"
    SOURCE_ADMIN = "admin"
    SOURCE_CHOICES = [(SOURCE_TELEGRAM, _("Telegram")), (SOURCE_ADMIN, _("Admin"))]

    master = models.ForeignKey(
        Master, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("Master")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("Service")
    )
    # SET_NULL: deleting a client (after ``erase_client`` cancelled what lay ahead) keeps the
    # salon's history of past visits without the person.
    client = models.ForeignKey(
        Client,
        on_delete=models.SET_NULL,
        related_name="appointments",
        verbose_name=_("Client"),
        null=True,
        blank=True,
    )
    # Stored, not computed, so that the database can index it and enforce no overlap.
    datetime_end = models.DateTimeField(_("End Time"), editable=False, db_index=True)
    seat = models.PositiveSmallIntegerField(
        _("Seat"),
        default=0,
        help_text=_("Which of the master's parallel places (0 for masters with one place)."),
    )
    booking_ref = models.UUIDField(
        _("Visit reference"),
        default=uuid.uuid4,
        db_index=True,
        help_text=_("Shared by the appointments of one multi-service visit."),
    )
    source = models.CharField(_("Source"), max_length=16, choices=SOURCE_CHOICES, default=SOURCE_ADMIN)
    price = models.DecimalField(_("Price"), max_digits=10, decimal_places=2, null=True, blank=True)
    notes = models.TextField(_("Notes"), blank=True)
    idempotency_key = models.CharField(
        _("Idempotency key"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_(
            "Set from the client's Confirm on the visit's first item: the same Confirm twice "
            "returns this visit instead of booking another."
        ),
    )
    version = models.PositiveIntegerField(
        _("Version"),
        default=0,
        editable=False,
        help_text=_("Grows with every save; a form opened on an older version is not saved over it."),
    )
    created = models.DateTimeField(_("Created"), auto_now_add=True)
    updated = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        verbose_name = _("Appointment")
        verbose_name_plural = _("Appointments")
        ordering = ["-datetime_start"]
        # The salon staff role: actions on every item of a visit, whoever its masters are.
        permissions = [("change_whole_visit", _("Can change every item of a visit"))]
        indexes = [models.Index(fields=["master", "datetime_start"], name="salon_appt_master_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(datetime_end__gt=F("datetime_start")),
                name="salon_appointment_end_after_start",
                violation_error_message=_("An appointment lasts at least one minute."),
            ),
            PostgresExclusionConstraint(
                name="salon_appointment_no_overlap",
                expressions=[
                    ("master", RangeOperators.EQUAL),
                    ("seat", RangeOperators.EQUAL),
                    (
                        TsTzRange("datetime_start", "datetime_end", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(status__in=AbstractBookableAppointment.ACTIVE_STATUSES),
                violation_error_message=_("This master already has an appointment at that time."),
            ),
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.datetime_start) if self.datetime_start else None
        return f"{self.service} — {self.master} ({start:%d.%m.%Y %H:%M})"

    @hook(BEFORE_SAVE)
    def keep_end_in_step_with_start(self) -> None:
        self.datetime_end = self.compute_end()

    @hook(BEFORE_UPDATE)
    def count_the_change(self) -> None:
        """Every write path saves appointments through ``save()`` under a row lock, so a plain
        increment is exact; stale admin forms compare it (optimistic concurrency)."""
        self.version += 1

    @hook(AFTER_SAVE)
    @hook(AFTER_DELETE)
    def forget_cached_busy_intervals(self) -> None:
        """Any write (admin edit, status change, delete) drops the cached busy intervals of the
        old and the new master and dates, once the transaction commits (R1)."""
        spans = [(self.master_id, self.datetime_start, self.compute_end())]
        old_start, old_master = self.initial_value("datetime_start"), self.initial_value("master_id")
        old_minutes = self.initial_value("duration_minutes")
        if old_start is not None and old_master is not None and old_minutes is not None:
            spans.append((old_master, old_start, _real_time(old_start) + timedelta(minutes=old_minutes)))
        transaction.on_commit(lambda: BookingCacheAdapter().invalidate_appointments(spans))

    def compute_end(self) -> Any:
        """Start plus the duration in real time: the admin hands over a salon-local start, and
        adding minutes to it directly would count wall-clock time across a DST change."""
        if self.datetime_start is None or self.duration_minutes is None:
            return None
        return _real_time(self.datetime_start) + timedelta(minutes=self.duration_minutes)

    def clean_fields(self, exclude: Any = None) -> None:
        # The end is derived; compute it before validation so constraint checks see it.
        self.datetime_end = self.compute_end()
        super().clean_fields(exclude=exclude)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class BookingSettings(SingletonModel, AbstractBookingSettings):
    work_start_sunday = models.TimeField(_("Sunday Start"), null=True, blank=True)
    work_end_sunday = models.TimeField(_("Sunday End"), null=True, blank=True)
    cancellation_cutoff_minutes = models.PositiveIntegerField(
        _("Cancellation cutoff (min)"),
        default=120,
        validators=bounds.bounded(0, bounds.MAX_NOTICE_MINUTES),
        help_text=_("Clients may cancel or reschedule until this many minutes before the start."),
    )
    reminder_offsets_minutes = models.JSONField(
        _("Reminders (minutes before)"),
        default=default_reminders,
        blank=True,
        validators=[bounds.validate_reminder_offsets],
        help_text=_("For example [1440, 120]: a day and two hours before the visit."),
    )
    requires_confirmation = models.BooleanField(
        _("Bookings need staff confirmation"),
        default=False,
    )
    max_active_visits_per_client = models.PositiveIntegerField(
        _("Active visits per client"),
        default=5,
        validators=bounds.bounded(0, bounds.MAX_ACTIVE_VISITS),
        help_text=_("How many upcoming visits one client may hold at once; 0 means no limit."),
    )

    class Meta:
        verbose_name = _("Booking settings")
        verbose_name_plural = _("Booking settings")
        constraints = [
            _end_after_start("salon_bs_weekdays", "work_start_weekdays", "work_end_weekdays"),
            _end_after_start("salon_bs_saturday", "work_start_saturday", "work_end_saturday"),
            _end_after_start("salon_bs_sunday", "work_start_sunday", "work_end_sunday"),
            models.CheckConstraint(
                condition=Q(step_minutes__gte=1),
                name="salon_bs_step_positive",
                violation_error_message=_("The slot step is at least one minute."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Booking settings"))

    def default_hours(self, weekday: int) -> tuple[Any, Any]:
        """The salon's default (start, end) for a weekday, Monday = 0; (None, None) if closed."""
        if weekday < 5:
            return self.work_start_weekdays, self.work_end_weekdays
        if weekday == 5:
            return self.work_start_saturday, self.work_end_saturday
        return self.work_start_sunday, self.work_end_sunday


class SiteSettings(SingletonModel):
    salon_name = models.CharField(_("Salon name"), max_length=200, default="Salon")
    address = models.CharField(_("Address"), max_length=300, blank=True)
    phone = models.CharField(_("Phone"), max_length=32, blank=True)
    timezone = models.CharField(
        _("Timezone"),
        max_length=64,
        blank=True,
        validators=[validate_timezone_name],
        help_text=_("IANA name such as Europe/Berlin; empty means the TIME_ZONE setting."),
    )
    holidays_country = models.CharField(
        _("Holidays country"),
        max_length=2,
        default="DE",
        help_text=_("ISO code of the country whose public holidays close the salon."),
    )
    holidays_subdiv = models.CharField(
        _("Holidays subdivision"),
        max_length=10,
        default="ST",
        blank=True,
        help_text=_("State or region code, e.g. ST for Saxony-Anhalt; empty for national only."),
    )
    staff_chat_id = models.BigIntegerField(
        _("Staff chat ID"),
        null=True,
        blank=True,
        help_text=_("Telegram chat for staff notifications; overrides STAFF_CHAT_ID."),
    )
    staff_language = models.CharField(
        _("Staff chat language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )

    class Meta:
        verbose_name = _("Site settings")
        verbose_name_plural = _("Site settings")

    def __str__(self) -> str:
        return self.salon_name

    def clean(self) -> None:
        if not self.holidays_country:
            return
        try:
            holidays.country_holidays(self.holidays_country, subdiv=self.holidays_subdiv or None)
        except NotImplementedError as error:
            raise ValidationError(
                {"holidays_subdiv" if self.holidays_subdiv else "holidays_country": str(error)}
            ) from error

    @property
    def phone_region(self) -> str:
        """Where a phone number typed without a country code is read from: the salon's country
        (the holidays country), or ``settings.PHONE_REGION`` when that is set."""
        return getattr(settings, "PHONE_REGION", "") or self.holidays_country

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone or settings.TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):  # a bad name slipped past validation
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class Notification(models.Model):
    """A Telegram message to send: the durable outbox.

    Rows are written in the same transaction as the booking change they announce, so a
    booking is never committed without its messages, nor a message without its booking. The
    sender (``python -m bot``, or ``--worker``) claims due rows, sends them and marks them
    sent: at least once, never twice for a row (see ``djproject.salon.outbox``).
    """

    KIND_BOOKED = "booked"
    KIND_CANCELLED = "cancelled"
    KIND_RESCHEDULED = "rescheduled"
    KIND_CONFIRMED = "confirmed"
    KIND_DECLINED = "declined"
    KIND_REMINDER = "reminder"
    KIND_WAITLIST = "waitlist"
    KIND_OFF_REQUEST = "off_request"
    KIND_OFF_DECIDED = "off_decided"
    KIND_CHOICES = [
        (KIND_BOOKED, _("New booking")),
        (KIND_CANCELLED, _("Cancelled")),
        (KIND_RESCHEDULED, _("Rescheduled")),
        (KIND_CONFIRMED, _("Confirmed")),
        (KIND_DECLINED, _("Declined")),
        (KIND_REMINDER, _("Reminder")),
        (KIND_WAITLIST, _("Waitlist offer")),
        (KIND_OFF_REQUEST, _("Time-off request")),
        (KIND_OFF_DECIDED, _("Time-off decision")),
    ]

    AUDIENCE_CLIENT = "client"
    AUDIENCE_MASTER = "master"
    AUDIENCE_STAFF = "staff"
    AUDIENCE_CHOICES = [
        (AUDIENCE_CLIENT, _("Client")),
        (AUDIENCE_MASTER, _("Master")),
        (AUDIENCE_STAFF, _("Staff chat")),
    ]

    STATUS_PENDING = "pending"
    STATUS_SENT = "sent"
    STATUS_FAILED = "failed"
    STATUS_DROPPED = "dropped"
    STATUS_CHOICES = [
        (STATUS_PENDING, _("Pending")),
        (STATUS_SENT, _("Sent")),
        (STATUS_FAILED, _("Failed")),
        (STATUS_DROPPED, _("Dropped")),
    ]

    kind = models.CharField(_("Kind"), max_length=20, choices=KIND_CHOICES)
    audience = models.CharField(_("Audience"), max_length=10, choices=AUDIENCE_CHOICES)
    chat_id = models.BigIntegerField(_("Chat ID"))
    language = models.CharField(_("Language"), max_length=8, default="en")
    booking_ref = models.UUIDField(_("Visit reference"), db_index=True)
    payload = models.JSONField(_("Details"), default=dict, blank=True)
    due_at = models.DateTimeField(_("Due at"))
    status = models.CharField(_("Status"), max_length=10, choices=STATUS_CHOICES, default=STATUS_PENDING)
    attempts = models.PositiveSmallIntegerField(_("Attempts"), default=0)
    claimed_until = models.DateTimeField(_("Claimed until"), null=True, blank=True)
    last_error = models.TextField(_("Last error"), blank=True)
    sent_at = models.DateTimeField(_("Sent at"), null=True, blank=True)
    created = models.DateTimeField(_("Created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Notification")
        verbose_name_plural = _("Notifications")
        ordering = ["-due_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="salon_notification_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.get_audience_display()} {self.chat_id}"


class WaitlistEntry(models.Model):
    """A client who wants to hear when a time frees up: these services, this master (empty =
    any), on one day or a range of days.

    Written by the bot when a day is fully booked; read when a cancellation, a move, a decline
    or a schedule change frees time (``djproject.salon.waitlist``). Booking from the offer
    removes the entry; an entry whose last day has passed is marked expired and offered nothing.
    """

    ref = models.UUIDField(
        _("Reference"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Names the entry in its notifications and buttons."),
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="waitlist_entries", verbose_name=_("Client")
    )
    services = models.ManyToManyField(Service, related_name="waitlist_entries", verbose_name=_("Services"))
    master = models.ForeignKey(
        Master,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="waitlist_entries",
        verbose_name=_("Master"),
        help_text=_("Empty means any master."),
    )
    date_from = models.DateField(_("From"), db_index=True)
    date_to = models.DateField(_("Until"), db_index=True)
    created = models.DateTimeField(_("Created"), auto_now_add=True)
    notified = models.DateTimeField(
        _("Last notified"), null=True, blank=True, help_text=_("When the client was last offered a time.")
    )
    expired = models.DateTimeField(
        _("Expired"), null=True, blank=True, help_text=_("Set once the entry's last day has passed.")
    )

    class Meta:
        verbose_name = _("Waitlist entry")
        verbose_name_plural = _("Waitlist")
        ordering = ["date_from", "created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=F("date_from")),
                name="salon_waitlist_range_in_order",
                violation_error_message=_("The last day of a waitlist entry cannot be before its first."),
            )
        ]

    def __str__(self) -> str:
        days = f"{self.date_from:%d.%m.%Y}"
        if self.date_to != self.date_from:
            days += f"–{self.date_to:%d.%m.%Y}"
        return f"{self.client} · {days}"


class OffRequest(models.Model):
    """A master asking, from Telegram, for a day off (no times) or a block of a day (from–to).

    Staff approve or decline it in the staff chat (``djproject.salon.off_requests``); approval
    changes the schedule (a ``DayOff`` for a whole day) and, as staff choose, keeps or cancels
    the visits that fall into it. The row stays as the record of who asked and who decided.
    """

    STATUS_PENDING = "pending"
    STATUS_APPROVED = "approved"
    STATUS_DECLINED = "declined"
    STATUS_CHOICES = [
        (STATUS_PENDING, _("Pending")),
        (STATUS_APPROVED, _("Approved")),
        (STATUS_DECLINED, _("Declined")),
    ]

    ref = models.UUIDField(
        _("Reference"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Names the request in its notifications and buttons."),
    )
    master = models.ForeignKey(
        Master, on_delete=models.CASCADE, related_name="off_requests", verbose_name=_("Master")
    )
    date = models.DateField(_("Date"))
    start_time = models.TimeField(_("From"), null=True, blank=True, help_text=_("Empty: the whole day."))
    end_time = models.TimeField(_("Until"), null=True, blank=True)
    reason = models.CharField(_("Reason"), max_length=200, blank=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=STATUS_CHOICES, default=STATUS_PENDING, db_index=True
    )
    affected_visits = models.PositiveSmallIntegerField(
        _("Visits affected"), default=0, help_text=_("Booked visits in the asked time when it was decided.")
    )
    cancelled_visits = models.BooleanField(
        _("Visits cancelled"), default=False, help_text=_("Approved with the affected visits cancelled.")
    )
    decided_by = models.CharField(_("Decided by"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("Decided at"), null=True, blank=True)
    created = models.DateTimeField(_("Created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Time-off request")
        verbose_name_plural = _("Time-off requests")
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__isnull=False, end_time__gt=F("start_time")),
                name="salon_offrequest_end_after_start",
                violation_error_message=_(
                    "A time block needs a start and an end, and must end after it starts."
                ),
            )
        ]

    def __str__(self) -> str:
        span = f" {self.start_time:%H:%M}–{self.end_time:%H:%M}" if self.start_time and self.end_time else ""
        return f"{self.master} · {self.date:%d.%m.%Y}{span}"
