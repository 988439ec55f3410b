"""A project that is not the salon adds ``booking``: its own model names, no ``seat``, no
``status`` on the stylist, no site settings; it migrates, reads a month and books end to end."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from booking import selectors
from booking.adapters.cache import BookingCacheAdapter, busy_key
from booking.app_settings import get_adapter
from booking.selectors import DayStatus
from booking.services import cancel_booking, create_booking, reschedule_booking
from tests.moments import WEDNESDAY, local
from tests.thirdparty.studio.models import Booking

pytestmark = pytest.mark.usefixtures("frozen_clock")

THURSDAY = WEDNESDAY + timedelta(days=1)
SATURDAY = WEDNESDAY + timedelta(days=3)
BALAYAGE_STARTS = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]  # 90 min in 09:00-13:00


def starts(treatment, stylist, day) -> list[str]:
    return selectors.get_available_slots(
        get_adapter(), [treatment.pk], day, locked_master_id=stylist.pk
    ).get_unique_start_times()


def book(treatment, stylist, day, hhmm) -> Booking:
    client = get_user_model().objects.create(username=f"client-{hhmm}")
    return create_booking(
        get_adapter(),
        BookingCacheAdapter(),
        Booking,
        service_ids=[treatment.pk],
        master_id=stylist.pk,
        target_date=day,
        selected_time=hhmm,
        client=client,
    )


def test_the_studio_app_migrates_with_its_own_table_and_column_names(db):
    tables = connection.introspection.table_names()
    assert {"studio_stylist", "studio_treatment", "studio_booking", "studio_stylist_skills"} <= set(tables)
    columns = {
        c.name
        for c in connection.introspection.get_table_description(connection.cursor(), "studio_stylist_skills")
    }
    assert {"stylist_id", "servicecategory_id"} <= columns
    call_command("makemigrations", "studio", check=True, dry_run=True, verbosity=0)


def test_month_availability_of_a_stylist(balayage, mia):
    month = selectors.get_month_availability(get_adapter(), [balayage.pk], 2026, 12)

    assert month[WEDNESDAY].status is DayStatus.AVAILABLE
    assert month[WEDNESDAY].free_starts == len(BALAYAGE_STARTS)
    assert month[SATURDAY].status is DayStatus.CLOSED
    assert starts(balayage, mia, WEDNESDAY) == BALAYAGE_STARTS


def test_a_client_books_a_treatment_and_the_time_is_taken(balayage, mia, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(balayage, mia, WEDNESDAY, "10:00")

    booking.refresh_from_db()
    assert (booking.master, booking.service, booking.datetime_start) == (
        mia,
        balayage,
        local(WEDNESDAY, "10:00"),
    )
    assert booking.duration_minutes == 90 and booking.status == Booking.STATUS_PENDING
    assert starts(balayage, mia, WEDNESDAY) == ["11:30"]  # 09:00-10:00 is too short for 90 min


def test_the_seeds_import_paths_book_with_the_seeds_keywords(balayage, mia):
    from booking.selectors import BookingPersistenceHook
    from booking.selectors import create_booking as seed_create_booking

    booking = seed_create_booking(
        get_adapter(),
        BookingCacheAdapter(),
        Booking,
        service_ids=[balayage.pk],
        target_date=WEDNESDAY,
        selected_time="09:30",
        master_id=mia.pk,
        client=None,
    )

    assert booking.datetime_start == local(WEDNESDAY, "09:30")
    assert BookingPersistenceHook.__name__ == "BookingPersistenceHook"


def test_a_cancelled_booking_frees_its_time(balayage, mia, django_capture_on_commit_callbacks):
    booking = book(balayage, mia, WEDNESDAY, "09:00")

    with django_capture_on_commit_callbacks(execute=True):
        cancel_booking(get_adapter(), BookingCacheAdapter(), [booking])

    booking.refresh_from_db()
    assert booking.status == Booking.STATUS_CANCELLED
    assert starts(balayage, mia, WEDNESDAY) == BALAYAGE_STARTS


def test_a_booking_moves_to_another_day(balayage, mia, django_capture_on_commit_callbacks):
    booking = book(balayage, mia, WEDNESDAY, "09:00")

    with django_capture_on_commit_callbacks(execute=True):
        reschedule_booking(
            get_adapter(), BookingCacheAdapter(), [booking], target_date=THURSDAY, selected_time="11:00"
        )

    booking.refresh_from_db()
    assert booking.datetime_start == local(THURSDAY, "11:00")
    assert booking.datetime_end == local(THURSDAY, "12:30")
    assert starts(balayage, mia, WEDNESDAY) == BALAYAGE_STARTS
    assert starts(balayage, mia, THURSDAY) == ["09:00", "09:30"]


@pytest.mark.postgres
def test_postgresql_refuses_two_overlapping_bookings_of_one_stylist(balayage, mia):
    book(balayage, mia, WEDNESDAY, "10:00")

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            master=mia, service=balayage, datetime_start=local(WEDNESDAY, "11:00"), duration_minutes=30
        )


def test_busy_intervals_cached_in_the_seeds_format_are_read(balayage, mia):
    """The seed cached ``[[start, end]]`` as ISO strings; a cache filled by it stays readable."""
    start, end = local(WEDNESDAY, "09:00"), local(WEDNESDAY, "10:00")
    cache.set(busy_key(mia.pk, WEDNESDAY.isoformat()), [[start.isoformat(), end.isoformat()]])

    assert starts(balayage, mia, WEDNESDAY) == ["10:00", "10:30", "11:00", "11:30"]


def test_a_seed_format_entry_is_read_again_when_a_visit_is_set_aside(balayage, mia):
    """Seed entries carry no appointment id, so a reschedule's own visit cannot be told apart:
    the day is read from the database instead."""
    booking = book(balayage, mia, WEDNESDAY, "09:00")
    entry = [booking.datetime_start.isoformat(), booking.datetime_end.isoformat()]
    cache.set(busy_key(mia.pk, WEDNESDAY.isoformat()), [entry])

    result = selectors.get_available_slots(
        get_adapter(), [balayage.pk], WEDNESDAY, locked_master_id=mia.pk, exclude_appointment_ids=[booking.pk]
    )

    assert result.get_unique_start_times() == BALAYAGE_STARTS
