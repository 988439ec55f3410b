"""Odd and hostile input in the admin: far-off dates, settings out of any sane range, phone
numbers typed by staff (issue 11 §2)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from booking.validators import normalise_phone
from djproject.salon.models import Appointment, BookingSettings, Client, Master, Service
from tests import factories as f
from tests.salon.test_admin_appointments import add_form, post_add

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_a_timeline_date_out_of_range_is_bad_input_not_a_server_error(admin_client, salon, value):
    response = admin_client.get(reverse("salon_timeline"), {"date": value})
    assert response.status_code == 200
    assert "outside the calendar" in " ".join(str(m) for m in response.context["messages"])
    assert response.context["timeline"].day == date(2026, 12, 1)  # today instead


def test_an_appointment_on_the_last_day_of_the_calendar_is_a_form_error(admin_client, salon):
    cut = f.service(category=salon, name="Cut", duration=60)
    anna = f.master(name="Anna", categories=[salon], hours={4: ("09:00", "18:00")})

    response = post_add(admin_client, add_form(anna, cut, date(9999, 12, 31), "23:00"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Appointment.objects.exists()


def _admin_change(admin_client, url: str, data: dict) -> dict:
    response = admin_client.post(url, data)
    assert response.status_code == 200, "a setting out of range must not be saved"
    return response.context["adminform"].form.errors


BOOKING_SETTINGS_FORM = {
    "step_minutes": 30,
    "default_buffer_between_minutes": 0,
    "min_advance_minutes": 60,
    "max_advance_days": 60,
    "cancellation_cutoff_minutes": 120,
    "max_active_visits_per_client": 5,
    "reminder_offsets_minutes": "[1440, 120]",
    "work_start_weekdays": "09:00",
    "work_end_weekdays": "18:00",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_advance_days", 1_000_000_000),
        ("step_minutes", 100_000),
        ("default_buffer_between_minutes", 1_000_000),
        ("min_advance_minutes", 1_000_000_000),
        ("cancellation_cutoff_minutes", 1_000_000_000),
        ("max_active_visits_per_client", 1_000_000),
        ("reminder_offsets_minutes", "[1440, 100000000]"),
    ],
)
def test_a_booking_setting_out_of_range_is_refused(admin_client, salon, field, value):
    url = reverse("admin:salon_bookingsettings_change", args=[BookingSettings.load().pk])
    assert field in _admin_change(admin_client, url, {**BOOKING_SETTINGS_FORM, field: value})
    assert BookingSettings.load().max_advance_days == 60


def test_sane_booking_settings_are_still_saved(admin_client, salon):
    url = reverse("admin:salon_bookingsettings_change", args=[BookingSettings.load().pk])
    response = admin_client.post(url, {**BOOKING_SETTINGS_FORM, "max_advance_days": 365})
    assert response.status_code == 302
    assert BookingSettings.load().max_advance_days == 365


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_advance_days", 1_000_000_000),
        ("buffer_between_minutes", 1_000_000),
        ("min_advance_minutes", 1_000_000_000),
        ("max_clients_parallel", 10_000),
    ],
)
def test_a_master_setting_out_of_range_is_refused(salon, field, value):
    anna = f.master(name="Anna", categories=[salon])
    setattr(anna, field, value)
    with pytest.raises(ValidationError) as caught:
        anna.full_clean()
    assert field in caught.value.message_dict
    assert Master.objects.get(pk=anna.pk).max_advance_days != 1_000_000_000


@pytest.mark.parametrize(("field", "value"), [("duration", 100_000), ("min_gap_after_minutes", 100_000)])
def test_a_service_setting_out_of_range_is_refused(salon, field, value):
    cut = f.service(category=salon, name="Cut")
    setattr(cut, field, value)
    with pytest.raises(ValidationError) as caught:
        cut.full_clean()
    assert field in caught.value.message_dict
    assert Service.objects.get(pk=cut.pk).duration == 60


def test_staff_typing_a_clients_phone_store_it_in_e164(admin_client, salon):
    response = admin_client.post(
        reverse("admin:salon_client_add"), {"name": "Eva", "phone": "0151 / 234 56 78", "language": ""}
    )
    assert response.status_code == 302
    assert Client.objects.get(name="Eva").phone == "+491512345678"


def test_staff_typing_nonsense_as_a_phone_get_a_form_error(admin_client, salon):
    response = admin_client.post(
        reverse("admin:salon_client_add"), {"name": "Eva", "phone": "<b>x</b>", "language": ""}
    )
    assert response.status_code == 200
    assert "phone" in response.context["adminform"].form.errors
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+49 (151) 222-33-44", "DE", "+491512223344"),
        ("0151 2223344", "de", "+491512223344"),
        ("٠١٥١٢٢٢٣٣٤٤", "DE", "+491512223344"),  # Arabic-Indic digits
        ("+43 660 1234567", "DE", "+436601234567"),
    ],
)
def test_the_one_normaliser_reads_every_shape_into_e164(text, region, expected):
    assert normalise_phone(text, region) == expected


@pytest.mark.parametrize("text", ["", "call me", "12345", "+49 151 ²³⁴5678", "1" * 80, "0151 2223344"])
def test_the_one_normaliser_refuses_what_is_not_a_number(text):
    with pytest.raises(ValidationError):
        normalise_phone(text, None)  # no region: a national number cannot be read
