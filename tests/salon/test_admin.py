"""Every admin page a staff member opens renders, on the demo salon's data."""

import io
from datetime import date, time, timedelta

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.urls import reverse

from djproject.salon import services, waitlist
from djproject.salon.admin import NotificationAdmin, SingletonAdmin, WaitlistEntryAdmin
from djproject.salon.models import BookingSettings, Master, Notification, Service, TimeBlock, WaitlistEntry
from tests.moments import NOW

pytestmark = pytest.mark.django_db

SALON_MODELS = [m for m in admin.site._registry if m._meta.app_label == "salon"]


@pytest.fixture
def staff_client(client):
    """A staff user (not a superuser) with every permission of the salon app."""
    call_command("seed_demo", stdout=io.StringIO())
    user = User.objects.create_user("staff", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="salon"))
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", SALON_MODELS, ids=lambda m: m.__name__)
def test_changelist_and_add_page_render(staff_client, model):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    changelist = staff_client.get(url, follow=True)
    assert changelist.status_code == 200

    add = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    if isinstance(admin.site._registry[model], SingletonAdmin | NotificationAdmin | WaitlistEntryAdmin):
        assert add.status_code == 403  # one row, made by the system, or by the client in the bot
    else:
        assert add.status_code == 200


@pytest.mark.parametrize("model", SALON_MODELS, ids=lambda m: m.__name__)
def test_change_page_of_a_demo_row_renders(staff_client, model):
    if model is Notification:
        book_through_the_bot()
    if model is WaitlistEntry:
        wait_through_the_bot()
    if model is TimeBlock:  # the demo has none: its calendar stays as the bot tests know it
        TimeBlock.objects.create(master=None, date=date(2026, 12, 2), start_time=time(12), end_time=time(13))
    obj = model.objects.first()
    opts = model._meta
    response = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert response.status_code == 200


def test_settings_singletons_cannot_be_added_or_deleted(staff_client):
    obj = BookingSettings.load()
    assert staff_client.get(reverse("admin:salon_bookingsettings_add")).status_code == 403
    assert staff_client.get(reverse("admin:salon_bookingsettings_delete", args=[obj.pk])).status_code == 403
    response = staff_client.get(reverse("admin:salon_bookingsettings_changelist"))
    assert response.status_code == 302
    assert response.url == reverse("admin:salon_bookingsettings_change", args=[obj.pk])


def test_appointment_list_shows_salon_local_time(staff_client):
    response = staff_client.get(reverse("admin:salon_appointment_changelist"))
    # The demo's first appointment is at 10:00 Berlin time (09:00 UTC).
    assert "10:00–11:00" in response.content.decode()


def book_through_the_bot() -> None:
    """A client books the demo's first free slot (this queues notifications)."""
    service = Service.objects.get(name="Men's haircut")
    master = Master.objects.get(name="Boris")
    master.telegram_id = 777  # so that Boris is told
    master.save()
    day = services.nearest_date([service.pk], master.pk)
    time = services.day_slots([service.pk], master.pk, day)[0]
    services.book_visit(4242, [service.pk], master.pk, day, time)


def wait_through_the_bot() -> WaitlistEntry:
    """A client asks to hear when Anna has a women's haircut free in the next three days."""
    service = Service.objects.get(name="Women's haircut")
    master = Master.objects.get(name="Anna")
    with time_machine.travel(NOW, tick=False):
        first, _last = services.booking_window()
        waitlist.join(4343, [service.pk], master.pk, first, first + timedelta(days=2))
    return WaitlistEntry.objects.get()


def test_the_waitlist_lists_who_waits_for_what_and_cannot_be_written_by_staff(staff_client):
    entry = wait_through_the_bot()

    listing = staff_client.get(reverse("admin:salon_waitlistentry_changelist")).content.decode()
    change = staff_client.post(
        reverse("admin:salon_waitlistentry_change", args=[entry.pk]), {"date_to": entry.date_from}
    )

    assert "Women&#x27;s haircut" in listing and "Anna" in listing and "#4343" in listing
    assert change.status_code == 403
    assert WaitlistEntry.objects.get().date_to == entry.date_to
