"""The database itself refuses impossible data: overlaps (PostgreSQL), bad hours, second settings rows."""

import zoneinfo
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from djproject.salon.models import Appointment, BookingSettings, SiteSettings, WorkingDay
from tests import factories as f

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
DAY = date(2026, 12, 1)

pytestmark = pytest.mark.django_db


def test_appointment_end_is_kept_equal_to_start_plus_duration():
    s = f.service(duration=45)
    appt = f.appointment(master=f.master(), service=s, start=f.local(DAY, "10:00", BERLIN))
    assert appt.datetime_end == f.local(DAY, "10:45", BERLIN)

    appt.duration_minutes = 90
    appt.save()
    appt.refresh_from_db()
    assert appt.datetime_end == f.local(DAY, "11:30", BERLIN)


@pytest.mark.postgres
def test_overlapping_active_appointment_of_one_master_is_rejected_by_postgres():
    m, s = f.master(), f.service(duration=60)
    f.appointment(master=m, service=s, start=f.local(DAY, "10:00", BERLIN))

    with pytest.raises(IntegrityError), transaction.atomic():
        f.appointment(master=m, service=s, start=f.local(DAY, "10:30", BERLIN))


@pytest.mark.postgres
def test_overlap_is_accepted_once_the_first_appointment_is_cancelled():
    m, s = f.master(), f.service(duration=60)
    first = f.appointment(master=m, service=s, start=f.local(DAY, "10:00", BERLIN))
    first.status = Appointment.STATUS_CANCELLED
    first.save()

    second = f.appointment(master=m, service=s, start=f.local(DAY, "10:30", BERLIN))

    assert second.pk is not None


@pytest.mark.postgres
def test_back_to_back_appointments_and_other_masters_do_not_clash():
    m, other, s = f.master(), f.master(), f.service(duration=60)
    f.appointment(master=m, service=s, start=f.local(DAY, "10:00", BERLIN))

    f.appointment(master=m, service=s, start=f.local(DAY, "11:00", BERLIN))
    f.appointment(master=other, service=s, start=f.local(DAY, "10:00", BERLIN))

    assert Appointment.objects.count() == 3


@pytest.mark.postgres
def test_a_second_seat_of_a_master_may_overlap_the_first():
    m, s = f.master(max_clients_parallel=2), f.service(duration=60)
    f.appointment(master=m, service=s, start=f.local(DAY, "10:00", BERLIN), seat=0)

    f.appointment(master=m, service=s, start=f.local(DAY, "10:30", BERLIN), seat=1)

    assert m.appointments.count() == 2


def test_working_day_must_end_after_it_starts():
    m = f.master()
    row = WorkingDay(master=m, weekday=0, start_time="18:00", end_time="09:00")

    with pytest.raises(ValidationError, match="must end after"):
        row.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


@pytest.mark.parametrize(
    ("brk_start", "brk_end"),
    [("08:00", "09:30"), ("17:30", "18:30"), ("13:00", None), ("14:00", "13:00")],
)
def test_break_must_be_complete_and_inside_the_hours(brk_start, brk_end):
    m = f.master()
    row = WorkingDay(
        master=m, weekday=0, start_time="09:00", end_time="18:00", break_start=brk_start, break_end=brk_end
    )

    with pytest.raises(ValidationError, match="break"):
        row.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_a_valid_break_is_accepted():
    row = WorkingDay(
        master=f.master(),
        weekday=0,
        start_time="09:00",
        end_time="18:00",
        break_start="13:00",
        break_end="14:00",
    )
    row.full_clean()
    row.save()


def test_settings_models_keep_a_single_row():
    first = BookingSettings.load()
    BookingSettings(step_minutes=15).save()

    assert BookingSettings.objects.count() == 1
    assert BookingSettings.load().pk == first.pk
    assert BookingSettings.load().step_minutes == 15
    SiteSettings.load()
    SiteSettings(salon_name="Other").save()
    assert list(SiteSettings.objects.values_list("salon_name", flat=True)) == ["Other"]


def test_default_weekly_hours_include_saturday_and_sunday():
    bs = f.booking_settings(work_start_weekdays="09:00", work_end_weekdays="18:00")

    assert [str(t) for t in bs.default_hours(2)] == ["09:00:00", "18:00:00"]
    assert bs.default_hours(6) == (None, None)
    assert bs.reminder_offsets_minutes == [24 * 60, 2 * 60]


def test_unknown_time_zone_is_a_validation_error():
    site = SiteSettings.load()
    site.timezone = "Mars/Olympus"
    with pytest.raises(ValidationError, match="Unknown time zone"):
        site.full_clean()


def test_salon_time_zone_falls_back_to_the_time_zone_setting(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    assert SiteSettings.load().tz == zoneinfo.ZoneInfo("Europe/Moscow")
    assert f.site_settings(timezone="Europe/Berlin").tz == BERLIN


def test_appointment_is_shown_in_local_time():
    appt = f.appointment(
        master=f.master(name="Anna"), service=f.service(name="Cut"), start=f.local(DAY, "10:00", BERLIN)
    )
    assert "01.12.2026 10:00" in str(appt)
    assert appt.datetime_start + timedelta(minutes=60) == appt.datetime_end


@pytest.mark.parametrize(
    ("country", "subdiv", "field"), [("XX", "", "holidays_country"), ("DE", "ZZ", "holidays_subdiv")]
)
def test_unknown_holiday_country_or_region_is_a_validation_error(country, subdiv, field):
    site = SiteSettings.load()
    site.holidays_country, site.holidays_subdiv = country, subdiv

    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert field in error.value.message_dict
