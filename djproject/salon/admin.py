"""Django admin for the salon staff.

Times are shown in the salon's local time (``SalonTimezoneMiddleware`` activates it); the
settings models are singletons (one row, never deleted).
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from modeltranslation.admin import TranslationAdmin

from booking.validation import Conflict, check_placement
from booking.validators import normalise_phone, validate_calendar_date
from djproject.salon import services, staff
from djproject.salon.admin_schedule import ScheduleChangeConfirmation
from djproject.salon.admin_visits import ServiceSelect, VisitChangeList, WhenFilter
from djproject.salon.booking import get_adapter
from djproject.salon.models import (
    Appointment,
    BookingSettings,
    Category,
    Client,
    DayOff,
    Master,
    Notification,
    Service,
    SiteSettings,
    WaitlistEntry,
    WorkingDay,
)
from djproject.salon.services import VisitNotFoundError

admin.site.site_header = _("Salon booking")
admin.site.site_title = _("Salon booking")
admin.site.index_title = _("Salon administration")

# Categories, services and masters are TranslationAdmins: each translated field (see
# djproject/salon/translation.py) shows one input per language; an empty one falls back to
# English wherever it is shown.


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    list_display = ("name", "sort_order", "service_count")
    list_editable = ("sort_order",)
    search_fields = ("name",)
    ordering = ("sort_order", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(_service_count=Count("services"))

    @admin.display(description=_("Services"), ordering="_service_count")
    def service_count(self, obj: Any) -> int:
        return obj._service_count


@admin.register(Service)
class ServiceAdmin(TranslationAdmin):
    list_display = ("name", "category", "duration", "price", "is_active", "sort_order")
    list_editable = ("is_active", "sort_order")
    list_filter = ("category", "is_active")
    list_select_related = ("category",)
    search_fields = ("name", "description")
    ordering = ("category__sort_order", "sort_order", "name")
    fieldsets = (
        (None, {"fields": ("name", "category", "description", "price", "is_active", "sort_order")}),
        (_("Duration"), {"fields": ("duration", "min_gap_after_minutes")}),
        (_("Parallel Booking"), {"fields": ("parallel_ok", "parallel_group"), "classes": ("collapse",)}),
    )


class WorkingDayInline(admin.TabularInline):
    model = WorkingDay
    extra = 0
    ordering = ("weekday",)
    fields = ("weekday", "start_time", "end_time", "break_start", "break_end")


class DayOffInline(admin.TabularInline):
    model = DayOff
    extra = 0
    ordering = ("-date",)
    fields = ("date", "reason")


@admin.register(Master)
class MasterAdmin(ScheduleChangeConfirmation, TranslationAdmin):
    list_display = ("name", "status", "category_list", "has_telegram", "sort_order")
    list_editable = ("sort_order",)
    list_filter = ("status", "categories")
    search_fields = ("name",)
    ordering = ("sort_order", "name")
    filter_horizontal = ("categories",)
    autocomplete_fields = ("user",)
    inlines = (WorkingDayInline, DayOffInline)
    fieldsets = (
        (None, {"fields": ("name", "status", "categories", "sort_order")}),
        (_("Shown to clients"), {"fields": ("photo", "bio")}),
        (_("Staff"), {"fields": ("telegram_id", "language", "user")}),
        (
            _("Default hours"),
            {
                "fields": ("work_start", "work_end", "break_start", "break_end"),
                "description": _("Used on weekdays without a working-day row below."),
            },
        ),
        (
            _("Booking Constraints"),
            {
                "fields": (
                    "buffer_between_minutes",
                    "min_advance_minutes",
                    "max_advance_days",
                    "max_clients_parallel",
                    "timezone",
                ),
                "classes": ("collapse",),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Master]:
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description=_("Categories"))
    def category_list(self, obj: Master) -> str:
        return ", ".join(c.name for c in obj.categories.all())

    @admin.display(description=_("Telegram"), boolean=True)
    def has_telegram(self, obj: Master) -> bool:
        return obj.telegram_id is not None


@admin.register(WorkingDay)
class WorkingDayAdmin(ScheduleChangeConfirmation):
    list_display = ("master", "weekday", "start_time", "end_time", "break_start", "break_end")
    list_filter = ("weekday", "master")
    list_select_related = ("master",)
    search_fields = ("master__name",)
    ordering = ("master__sort_order", "master__name", "weekday")


@admin.register(DayOff)
class DayOffAdmin(ScheduleChangeConfirmation):
    list_display = ("master", "date", "reason")
    list_filter = ("master", ("date", admin.DateFieldListFilter))
    list_select_related = ("master",)
    search_fields = ("master__name", "reason")
    date_hierarchy = "date"
    ordering = ("-date",)


class ClientForm(forms.ModelForm):
    """Staff type phone numbers as they hear them; they are stored as the bot stores them."""

    class Meta:
        model = Client
        fields = ("telegram_id", "name", "phone", "language", "telegram_language", "bot_blocked_at")

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        return normalise_phone(phone, SiteSettings.load().phone_region) if phone else ""


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    """A master's login sees only the clients they have appointments with (this queryset also
    feeds the appointment form's client autocomplete); labels never show a phone."""

    form = ClientForm
    list_display = ("__str__", "phone", "telegram_id", "language", "created")
    list_filter = ("language",)
    search_fields = ("name", "phone", "telegram_id")
    readonly_fields = ("created",)
    ordering = ("-created",)

    actions = ("erase",)

    @admin.action(description=_("Erase personal data of selected clients"), permissions=["change"])
    def erase(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        """What "Delete my data" does in the bot: upcoming visits cancelled (masters told),
        messages to the client deleted, name, phone and Telegram id cleared."""
        ids = list(queryset.values_list("pk", flat=True))
        cancelled = sum(services.erase_client_data(pk) for pk in ids)
        message = ngettext_lazy(
            "%(count)d client erased; %(visits)d upcoming visits cancelled.",
            "%(count)d clients erased; %(visits)d upcoming visits cancelled.",
            "count",
        )
        self.message_user(request, message % {"count": len(ids), "visits": cancelled}, messages.SUCCESS)

    def delete_model(self, request: HttpRequest, obj: Client) -> None:
        """Cancel what lies ahead first (masters told); past visits stay without the client."""
        services.erase_client_data(obj.pk)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        for pk in queryset.values_list("pk", flat=True):
            services.erase_client_data(pk)
        super().delete_queryset(request, queryset)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Client]:
        queryset = super().get_queryset(request)
        master = staff.acting_master(request.user)
        if master is None:
            return queryset
        return queryset.filter(pk__in=Appointment.objects.filter(master=master).values("client_id"))


OPENED_STATE_SALT = "salon.admin.appointment-opened-state"


def _raw(instance: Appointment, name: str) -> str | None:
    """A field's stored value as JSON-safe text (ids for relations, ISO for datetimes)."""
    value = instance._meta.get_field(name).value_from_object(instance)
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def sign_opened_state(instance: Appointment, fields: Sequence[str]) -> str:
    """The version and the form's fields as the page shows them, signed so that the refusal
    message can trust what it reports as "before"."""
    state = {"version": instance.version, "values": {name: _raw(instance, name) for name in fields}}
    return signing.dumps(state, salt=OPENED_STATE_SALT, compress=True)


def read_opened_state(token: str) -> dict[str, Any] | None:
    """The state a change form was opened on; None when the token was altered or is foreign."""
    try:
        state = signing.loads(token, salt=OPENED_STATE_SALT)
    except signing.BadSignature:
        return None
    return state if isinstance(state, dict) else None


def _shown(instance: Appointment, name: str, raw: str | None) -> str:
    """How staff read a stored value: choice labels, names, salon-local times."""
    if raw is None or raw == "":
        return "—"
    field = instance._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if field.is_relation:
        related = field.related_model.objects.filter(pk=raw).first()
        return str(related) if related is not None else "—"
    if isinstance(field, models.DateTimeField):
        return date_format(timezone.localtime(datetime.fromisoformat(raw)), "d.m.Y H:i")
    if isinstance(field, models.TextField):
        return Truncator(raw).chars(40)
    return raw


def describe_changes(opened: dict[str, Any], current: Appointment, fields: Sequence[str]) -> list[str]:
    """One "Status: Confirmed → Cancelled" per field that differs from the opened state."""
    before = opened.get("values") or {}
    changes = []
    for name in fields:
        old, new = before.get(name), _raw(current, name)
        if name in before and old != new:
            label = capfirst(current._meta.get_field(name).verbose_name)
            changes.append(f"{label}: {_shown(current, name, old)} → {_shown(current, name, new)}")
    return changes


class OpenedStateField(forms.CharField):
    """A hidden token, not a value staff edit: never listed among the changed fields."""

    widget = forms.HiddenInput

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False


class AppointmentForm(forms.ModelForm):
    """Staff may place an appointment anywhere the bot's schedule allows (not only on the
    grid, and without the clients' notice period); conflicts become form errors.

    A change form carries the state it was opened on (``opened_state``: the version and the
    edited fields, signed). Saving it after somebody else changed the appointment (the client
    cancelled or moved it in the bot, another staff member saved) is refused and the message
    says what changed, instead of silently writing the old values back.
    """

    opened_state = OpenedStateField(required=False)
    # Booking by phone (the add form): further services of the same visit, the override for a
    # master outside the service's category, and a caller who is not a client yet.
    extra_services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.filter(is_active=True).select_related("category"),
        required=False,
        label=_("Further services"),
        help_text=_("Booked with the same master right after the first service, as one visit."),
    )
    allow_unqualified_master = forms.BooleanField(
        required=False,
        label=_("Book even if the master does not do the service"),
    )
    new_client_name = forms.CharField(required=False, max_length=200, label=_("New client's name"))
    new_client_phone = forms.CharField(required=False, max_length=64, label=_("New client's phone"))

    class Meta:
        model = Appointment
        fields = (
            "master",
            "service",
            "client",
            "status",
            "source",
            "datetime_start",
            "duration_minutes",
            "price",
            "notes",
        )
        widgets = {"service": ServiceSelect}

    # What the refusal compares; the admin's form subclass rewrites ``Meta.fields``.
    TRACKED_FIELDS = Meta.fields

    CONFLICT_MESSAGES = {
        Conflict.HOLIDAY: _("The salon is closed on that public holiday."),
        Conflict.DAY_OFF: _("The master has a day off on that date."),
        Conflict.NOT_WORKING: _("The master does not work on that day."),
        Conflict.OUTSIDE_HOURS: _("The appointment lies outside the master's working hours."),
        Conflict.BREAK: _("The appointment overlaps the master's break."),
        Conflict.OVERLAP: _(
            "The master already has an appointment at that time (buffer and cleanup included)."
        ),
        Conflict.NO_SEAT: _("The master has no such seat."),
    }
    UNQUALIFIED_MESSAGE = _(
        "%(master)s does not do %(service)s (not among the master's categories). Choose another "
        "master, or tick “Book even if the master does not do the service”."
    )
    CLIENT_TWICE_MESSAGE = _("Pick either an existing client or type a new one, not both.")
    STALE_MESSAGE = _(
        "Someone changed this appointment while you were editing it: %(changes)s. "
        "Reload the page to see the current version; your changes were not saved."
    )
    STALE_UNSPECIFIED_MESSAGE = _(
        "Someone changed this appointment while you were editing it. "
        "Reload the page to see the current version; your changes were not saved."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_state"].initial = sign_opened_state(self.instance, self.TRACKED_FIELDS)
        if "duration_minutes" in self.fields:  # empty: the service's duration (see ``clean``)
            self.fields["duration_minutes"].required = False
        self.extra_items: list[Appointment] = []

    def clean_datetime_start(self) -> Any:
        """Out of the calendar's range before ``clean`` computes ends and schedules with it."""
        start = self.cleaned_data.get("datetime_start")
        if start is not None:
            validate_calendar_date(start)
        return start

    def clean_new_client_phone(self) -> str:
        phone = self.cleaned_data.get("new_client_phone", "").strip()
        return normalise_phone(phone, SiteSettings.load().phone_region) if phone else ""

    def _fill_from_service(self, cleaned: dict[str, Any]) -> None:
        """Duration and price left empty come from the service, as the bot books them."""
        service = cleaned.get("service")
        if service is None:
            return
        if cleaned.get("duration_minutes") is None and "duration_minutes" not in self.errors:
            cleaned["duration_minutes"] = service.duration
        if cleaned.get("price") is None and not self.instance.pk and "price" not in self.errors:
            cleaned["price"] = service.price

    def _pick_client(self, cleaned: dict[str, Any]) -> None:
        """A typed name and phone make a new client on save; a phone already on file picks
        that client instead of making a second one."""
        name, phone = cleaned.get("new_client_name"), cleaned.get("new_client_phone")
        if not (name or phone):
            return
        if cleaned.get("client") is not None:
            raise forms.ValidationError(self.CLIENT_TWICE_MESSAGE, code="client_twice")
        known = Client.objects.filter(phone=phone).order_by("pk").first() if phone else None
        if known is not None:
            cleaned["client"] = known

    def _refuse_unqualified(self, master: Master, services_: Sequence[Service]) -> None:
        """The master must do each service (its category among theirs), unless overridden."""
        if self.cleaned_data.get("allow_unqualified_master"):
            return
        categories = set(master.categories.values_list("pk", flat=True))
        refused = [s for s in services_ if s.category_id not in categories]
        if refused:
            raise forms.ValidationError(
                [self.UNQUALIFIED_MESSAGE % {"master": master, "service": s.name} for s in refused],
                code="unqualified",
            )

    def _extra_services(self, cleaned: dict[str, Any]) -> list[Service]:
        """The further services in the order the form posted them (the list's order)."""
        chosen = {s.pk: s for s in cleaned.get("extra_services") or ()}
        posted = self.data.getlist(self.add_prefix("extra_services")) if hasattr(self.data, "getlist") else []
        order = [int(pk) for pk in posted if str(pk).isdigit() and int(pk) in chosen]
        return [chosen[pk] for pk in dict.fromkeys(order)] or list(chosen.values())

    def _plan_extra_items(self, adapter: Any, first_end: datetime, first_service: Service) -> None:
        """Each further service starts when the previous one (and its cleanup) ends, with the
        same master; each must fit the schedule like the first."""
        master = self.cleaned_data["master"]
        start, gap = first_end, first_service.min_gap_after_minutes
        errors = []
        for service in self._extra_services(self.cleaned_data):
            start = start + timedelta(minutes=gap)
            placement = check_placement(
                adapter,
                master_id=master.pk,
                start=start,
                duration_minutes=service.duration,
                gap_minutes=service.min_gap_after_minutes,
            )
            errors += [f"{service.name}: {self.CONFLICT_MESSAGES[c]}" for c in placement.conflicts]
            item = Appointment(
                master=master,
                service=service,
                datetime_start=start,
                duration_minutes=service.duration,
                price=service.price,
                seat=placement.seat or 0,
            )
            self.extra_items.append(item)
            start, gap = item.compute_end(), service.min_gap_after_minutes
        if errors:
            raise forms.ValidationError(errors)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._fill_from_service(cleaned)
        self._pick_client(cleaned)
        master = cleaned.get("master")
        # One lock order everywhere (masters by id, then appointments): the admin transaction
        # holds these row locks until it commits, so a client's booking or reschedule, which
        # takes them in the same order, waits instead of deadlocking with this save.
        adapter = get_adapter()
        adapter.lock_masters({self.instance.master_id, master.pk if master else None} - {None})
        if self.instance.pk:
            self._refuse_if_changed_meanwhile()
        service, start = cleaned.get("service"), cleaned.get("datetime_start")
        minutes, status = cleaned.get("duration_minutes"), cleaned.get("status")
        if None in (master, service, start, minutes) or status not in Appointment.ACTIVE_STATUSES:
            return cleaned  # incomplete (field errors show) or not occupying time
        relevant = {"master", "service", "datetime_start", "duration_minutes", "status"}
        if self.instance.pk and not relevant & set(self.changed_data):
            return cleaned  # e.g. only the notes changed: leave old entries alone
        extras = [] if self.instance.pk else self._extra_services(cleaned)
        if not self.instance.pk or {"master", "service"} & set(self.changed_data):
            self._refuse_unqualified(master, [service, *extras])
        placement = check_placement(
            adapter,
            master_id=master.pk,
            start=start,
            duration_minutes=minutes,
            gap_minutes=service.min_gap_after_minutes,
            exclude_ids=(self.instance.pk,) if self.instance.pk else (),
        )
        if placement.conflicts:
            raise forms.ValidationError([self.CONFLICT_MESSAGES[c] for c in placement.conflicts])
        self.instance.seat = placement.seat
        if extras:
            self._plan_extra_items(adapter, start.astimezone(UTC) + timedelta(minutes=minutes), service)
        return cleaned

    def _refuse_if_changed_meanwhile(self) -> None:
        """Lock the appointment row (after the masters) and compare it with the opened state.

        A form posted without ``opened_state`` (a script, a page from before this check) is
        saved as before; its version still counts on from the locked row. An appointment
        deleted meanwhile is not brought back by the save.
        """
        current = Appointment.objects.select_for_update(of=("self",)).filter(pk=self.instance.pk).first()
        if current is None:
            raise forms.ValidationError(str(self.STALE_UNSPECIFIED_MESSAGE), code="stale")
        token = self.cleaned_data.get("opened_state")
        if not token:
            self.instance.version = current.version
            return
        opened = read_opened_state(token)
        if opened is not None and opened.get("version") == current.version:
            return
        changes = describe_changes(opened, current, self.TRACKED_FIELDS) if opened else []
        if changes:
            message = self.STALE_MESSAGE % {"changes": "; ".join(changes)}
        else:
            message = str(self.STALE_UNSPECIFIED_MESSAGE)
        raise forms.ValidationError(message, code="stale")


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    form = AppointmentForm
    list_display = ("when", "master", "visit_services", "client", "status", "source")
    list_filter = (WhenFilter, "status", "master", "source")
    list_select_related = ("master", "service", "client")
    search_fields = ("client__name", "client__phone", "master__name", "service__name")
    date_hierarchy = "datetime_start"
    # The list opens on the visits ahead (``WhenFilter``), the next one first.
    ordering = ("datetime_start", "pk")
    autocomplete_fields = ("client",)
    readonly_fields = ("datetime_end", "seat", "booking_ref", "created", "updated")
    actions = ("confirm", "cancel", "complete", "no_show")
    fieldsets = (
        (None, {"fields": ("master", "service", "client", "status", "source")}),
        (_("Booking Details"), {"fields": ("datetime_start", "duration_minutes", "datetime_end", "seat")}),
        (_("More"), {"fields": ("price", "notes", "booking_ref", "created", "updated")}),
    )

    class Media:
        js = ("salon/appointment_form.js",)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[VisitChangeList]:
        return VisitChangeList

    def get_fieldsets(self, request: HttpRequest, obj: Appointment | None = None) -> Any:
        """The change form also renders the hidden state it was opened on (see the form); the
        add form takes further services and a new client (booking by phone)."""
        (name, options), *rest = super().get_fieldsets(request, obj)
        if obj is not None:
            first = (*options["fields"], "allow_unqualified_master", "opened_state")
            return ((name, {**options, "fields": first}), *rest)
        fields = list(options["fields"])
        fields[fields.index("service") + 1 : fields.index("service") + 1] = ["extra_services"]
        fields.insert(fields.index("client") + 1, ("new_client_name", "new_client_phone"))
        fields.insert(fields.index("extra_services") + 1, "allow_unqualified_master")
        return ((name, {**options, "fields": tuple(fields)}), *rest)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """The timeline's free cells link here with ``master`` and ``datetime_start`` (ISO)."""
        initial = super().get_changeform_initial_data(request)
        raw = request.GET.get("datetime_start")
        if raw:
            try:
                start = datetime.fromisoformat(raw)
            except ValueError:
                initial.pop("datetime_start", None)
            else:
                initial["datetime_start"] = timezone.make_aware(start) if timezone.is_naive(start) else start
        return initial

    @admin.display(description=_("When"), ordering="datetime_start")
    def when(self, obj: Appointment) -> str:
        items = getattr(obj, "visit_items", None) or [obj]
        start = timezone.localtime(obj.datetime_start)
        end = timezone.localtime(max(item.datetime_end for item in items))
        return f"{date_format(start, 'D d.m.Y')} {start:%H:%M}–{end:%H:%M}"

    @admin.display(description=_("Services"), ordering="service__name")
    def visit_services(self, obj: Appointment) -> str:
        """Every service of the visit, in order (one list row stands for the whole visit)."""
        items = getattr(obj, "visit_items", None) or [obj]
        return " + ".join(item.service.name for item in items)

    # A master with a staff login sees and edits only their own appointments (unless the login
    # also has the salon staff role, which changes whole visits).
    @staticmethod
    def own_master(request: HttpRequest) -> Master | None:
        return staff.acting_master(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Appointment]:
        queryset = super().get_queryset(request)
        master = self.own_master(request)
        return queryset if master is None else queryset.filter(master=master)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        master = self.own_master(request)
        if db_field.name == "master" and master is not None:
            kwargs["queryset"] = Master.objects.filter(pk=master.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Appointment, form: Any, change: bool) -> None:
        # The admin wraps this in a transaction: the messages commit with the appointment.
        old_start = obj.initial_value("datetime_start") if change else None
        old_status = obj.initial_value("status") if change else None
        if not change:
            obj.source = Appointment.SOURCE_ADMIN
            name, phone = form.cleaned_data.get("new_client_name"), form.cleaned_data.get("new_client_phone")
            if obj.client_id is None and (name or phone):
                obj.client = Client.objects.create(name=name or "", phone=phone or "")
        super().save_model(request, obj, form, change)
        items = [obj]
        for item in getattr(form, "extra_items", []):
            item.booking_ref, item.client, item.status = obj.booking_ref, obj.client, obj.status
            item.source = Appointment.SOURCE_ADMIN
            item.save()
            items.append(item)
        staff.appointment_saved_by_staff(
            obj, created=not change, old_start=old_start, old_status=old_status, items=items
        )

    WHOLE_VISIT_REFUSED = _("Changing whole visits needs the salon staff role.")

    def _per_visit(
        self,
        request: HttpRequest,
        queryset: QuerySet[Appointment],
        act: Any,
        done: Any,
    ) -> None:
        """Apply ``act`` to every visit touched by the selection: to all its appointments for the
        salon staff role, to the login's own items for a master (the queryset holds only those)."""
        master = self.own_master(request)
        if master is None and not staff.may_change_whole_visits(request.user):
            self.message_user(request, self.WHOLE_VISIT_REFUSED, messages.ERROR)
            return
        refs = list(dict.fromkeys(queryset.values_list("booking_ref", flat=True)))
        changed = 0
        for ref in refs:
            try:
                act(ref, master_id=master.pk if master else None)
                changed += 1
            except (VisitNotFoundError, ValueError):
                continue
        self.message_user(request, done % {"count": changed}, messages.SUCCESS)
        if skipped := len(refs) - changed:
            message = ngettext_lazy(
                "%(count)d visit was not active and stayed as it was.",
                "%(count)d visits were not active and stayed as they were.",
                "count",
            )
            self.message_user(request, message % {"count": skipped}, messages.WARNING)

    @admin.action(description=_("Confirm selected visits"), permissions=["change"])
    def confirm(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        done = ngettext_lazy("%(count)d visit confirmed.", "%(count)d visits confirmed.", "count")
        self._per_visit(request, queryset, staff.confirm_visit, done)

    @admin.action(description=_("Cancel selected visits"), permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        done = ngettext_lazy("%(count)d visit cancelled.", "%(count)d visits cancelled.", "count")
        self._per_visit(request, queryset, staff.cancel_visit_by_staff, done)

    @admin.action(description=_("Mark selected visits as completed"), permissions=["change"])
    def complete(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        done = ngettext_lazy("%(count)d visit completed.", "%(count)d visits completed.", "count")
        self._per_visit(
            request, queryset, partial(staff.close_visit, status=Appointment.STATUS_COMPLETED), done
        )

    @admin.action(description=_("Mark selected visits as no-show"), permissions=["change"])
    def no_show(self, request: HttpRequest, queryset: QuerySet[Appointment]) -> None:
        done = ngettext_lazy(
            "%(count)d visit marked as no-show.", "%(count)d visits marked as no-show.", "count"
        )
        self._per_visit(
            request, queryset, partial(staff.close_visit, status=Appointment.STATUS_NO_SHOW), done
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent to whom, and what failed and why."""

    list_display = ("due_at", "kind", "audience", "chat_id", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "kind", "audience")
    search_fields = ("chat_id", "booking_ref", "last_error")
    date_hierarchy = "due_at"
    ordering = ("-due_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    """Who waits for which days, read-mostly: clients join and leave in the bot; staff may
    delete an entry but not write one (an entry made here would offer times nobody asked for)."""

    list_display = ("client", "service_list", "master_or_any", "date_from", "date_to", "created", "notified")
    list_filter = (("expired", admin.EmptyFieldListFilter), "master", "date_from")
    search_fields = ("client__name", "client__phone", "services__name")
    readonly_fields = ("ref", "created", "notified", "expired")
    date_hierarchy = "date_from"
    ordering = ("date_from", "created")

    def get_queryset(self, request: HttpRequest) -> QuerySet[WaitlistEntry]:
        return super().get_queryset(request).select_related("client", "master").prefetch_related("services")

    @admin.display(description=_("Services"))
    def service_list(self, obj: WaitlistEntry) -> str:
        return ", ".join(s.name for s in obj.services.all())

    @admin.display(description=_("Master"), ordering="master__name")
    def master_or_any(self, obj: WaitlistEntry) -> str:
        return obj.master.name if obj.master else _("Any master")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SingletonAdmin(admin.ModelAdmin):
    """One row that always exists: the list page opens it, and it can't be added or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        obj = self.model.load()
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        return HttpResponseRedirect(url)


@admin.register(BookingSettings)
class BookingSettingsAdmin(SingletonAdmin):
    fieldsets = (
        (
            _("Booking Defaults"),
            {
                "fields": (
                    "step_minutes",
                    "default_buffer_between_minutes",
                    "min_advance_minutes",
                    "max_advance_days",
                    "cancellation_cutoff_minutes",
                    "requires_confirmation",
                    "max_active_visits_per_client",
                    "reminder_offsets_minutes",
                )
            },
        ),
        (_("Default Working Hours — Weekdays"), {"fields": ("work_start_weekdays", "work_end_weekdays")}),
        (_("Default Working Hours — Saturday"), {"fields": ("work_start_saturday", "work_end_saturday")}),
        (_("Default Working Hours — Sunday"), {"fields": ("work_start_sunday", "work_end_sunday")}),
    )


@admin.register(SiteSettings)
class SiteSettingsAdmin(SingletonAdmin):
    fieldsets = (
        (None, {"fields": ("salon_name", "address", "phone", "timezone")}),
        (_("Public holidays"), {"fields": ("holidays_country", "holidays_subdiv")}),
        (_("Staff"), {"fields": ("staff_chat_id", "staff_language")}),
    )
