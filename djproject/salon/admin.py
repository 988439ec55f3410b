"""Django admin for the salon staff.

Times are shown in the salon's local time (``SalonTimezoneMiddleware`` activates it); the
settings models are singletons (one row, never deleted).
"""

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from djproject.salon.models import (
    Appointment,
    BookingSettings,
    Category,
    Client,
    DayOff,
    Master,
    Service,
    SiteSettings,
    WorkingDay,
)

admin.site.site_header = _("Salon booking")
admin.site.site_title = _("Salon booking")
admin.site.index_title = _("Salon administration")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
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
class ServiceAdmin(admin.ModelAdmin):
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
class MasterAdmin(admin.ModelAdmin):
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
        (_("Staff"), {"fields": ("telegram_id", "user")}),
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
class WorkingDayAdmin(admin.ModelAdmin):
    list_display = ("master", "weekday", "start_time", "end_time", "break_start", "break_end")
    list_filter = ("weekday", "master")
    list_select_related = ("master",)
    search_fields = ("master__name",)
    ordering = ("master__sort_order", "master__name", "weekday")


@admin.register(DayOff)
class DayOffAdmin(admin.ModelAdmin):
    list_display = ("master", "date", "reason")
    list_filter = ("master", ("date", admin.DateFieldListFilter))
    list_select_related = ("master",)
    search_fields = ("master__name", "reason")
    date_hierarchy = "date"
    ordering = ("-date",)


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("__str__", "phone", "telegram_id", "language", "created")
    list_filter = ("language",)
    search_fields = ("name", "phone", "telegram_id")
    readonly_fields = ("created",)
    ordering = ("-created",)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("when", "master", "service", "client", "status", "source")
    list_filter = ("status", ("datetime_start", admin.DateFieldListFilter), "master", "source")
    list_select_related = ("master", "service", "client")
    search_fields = ("client__name", "client__phone", "master__name", "service__name")
    date_hierarchy = "datetime_start"
    ordering = ("-datetime_start",)
    autocomplete_fields = ("client",)
    readonly_fields = ("datetime_end", "booking_ref", "created", "updated")
    fieldsets = (
        (None, {"fields": ("master", "service", "client", "status", "source")}),
        (_("Booking Details"), {"fields": ("datetime_start", "duration_minutes", "datetime_end", "seat")}),
        (_("More"), {"fields": ("price", "notes", "booking_ref", "created", "updated")}),
    )

    @admin.display(description=_("When"), ordering="datetime_start")
    def when(self, obj: Appointment) -> str:
        start = timezone.localtime(obj.datetime_start)
        end = timezone.localtime(obj.datetime_end)
        return f"{start:%a %d.%m.%Y %H:%M}–{end:%H:%M}"


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
        (_("Staff"), {"fields": ("staff_chat_id",)}),
    )
