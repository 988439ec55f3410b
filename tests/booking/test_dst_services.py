"""Visits on the two nights the clocks change, through the salon services and the admin.

Berlin, 2026: on Sunday 29 March the clocks jump from 02:00 to 03:00 (02:00–02:59 does not
exist, the night is an hour short); on Sunday 25 October they go back from 03:00 to 02:00
(02:00–02:59 happens twice, the night is an hour long). Anna works 00:00–04:00 on Sundays, so
her shift is 3 real hours in March and 5 in October. Durations, ends and reminders are real
time; a client names the second 02:30 of the October night as "02:30+1".
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from booking.errors import NonexistentLocalTimeError, SlotAlreadyBookedError
from djproject.salon import services
from djproject.salon.models import Appointment, Notification
from tests import factories as f
from tests.moments import BERLIN

SPRING = date(2026, 3, 29)  # the clocks go forward: 02:00 CET becomes 03:00 CEST
AUTUMN = date(2026, 10, 25)  # the clocks go back: 03:00 CEST becomes 02:00 CET
SUNDAY = 6


def utc(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, datetime.strptime(hhmm, "%H:%M").time(), tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_cache(settings):
    """Inside a test transaction nothing commits, so after-commit invalidation never runs."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def autumn_clock() -> Iterator[None]:
    """Thursday before the October change, noon."""
    with time_machine.travel(datetime(2026, 10, 22, 12, 0, tzinfo=BERLIN), tick=False):
        yield


@pytest.fixture
def spring_clock() -> Iterator[None]:
    """Thursday before the March change, noon."""
    with time_machine.travel(datetime(2026, 3, 26, 12, 0, tzinfo=BERLIN), tick=False):
        yield


@pytest.fixture
def anna(salon):
    """A night master: Sundays 00:00–04:00 salon time."""
    return f.master(name="Anna", categories=[salon], hours={SUNDAY: ("00:00", "04:00")})


@pytest.fixture
def trim(salon):
    return f.service(category=salon, name="Trim", duration=30)


@pytest.fixture
def cut(salon):
    return f.service(category=salon, name="Cut", duration=60)


@pytest.fixture
def colour(salon):
    return f.service(category=salon, name="Colour", duration=90)


def client_id() -> int:
    return f.client().telegram_id


# --- the night the clocks go back ----------------------------------------------------------------


@pytest.mark.usefixtures("autumn_clock")
def test_the_long_night_offers_both_half_past_twos_in_real_time_order(trim, anna):
    assert services.day_slots([trim.pk], anna.pk, AUTUMN) == [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "02:00",
        "02:30",
        "02:00+1",
        "02:30+1",
        "03:00",
        "03:30",
    ]


@pytest.mark.usefixtures("autumn_clock")
def test_ninety_minutes_from_0130_last_ninety_minutes_and_block_the_first_two_oclock(trim, colour, anna):
    services.book_visit(client_id(), [colour.pk], anna.pk, AUTUMN, "01:30")

    appt = Appointment.objects.get()
    assert appt.duration_minutes == 90
    assert appt.datetime_start == utc(AUTUMN - timedelta(days=1), "23:30")  # 01:30 CEST
    assert appt.datetime_end == utc(AUTUMN, "01:00")  # 02:00 CET, the second two o'clock
    free = services.day_slots([trim.pk], anna.pk, AUTUMN)
    assert "02:00" not in free and "02:30" not in free
    assert free[3:5] == ["02:00+1", "02:30+1"]
    with pytest.raises(SlotAlreadyBookedError):
        services.book_visit(client_id(), [trim.pk], anna.pk, AUTUMN, "02:00")
    assert Appointment.objects.count() == 1


@pytest.mark.usefixtures("autumn_clock")
def test_both_half_past_twos_are_bookable_as_two_instants(trim, anna):
    first = services.book_visit(client_id(), [trim.pk], anna.pk, AUTUMN, "02:30")
    second = services.book_visit(client_id(), [trim.pk], anna.pk, AUTUMN, "02:30+1")

    starts = sorted(Appointment.objects.values_list("datetime_start", flat=True))
    assert starts == [utc(AUTUMN, "00:30"), utc(AUTUMN, "01:30")]
    assert (first.starts_at.fold, second.starts_at.fold) == (0, 1)
    assert f"{first.starts_at:%H:%M}" == f"{second.starts_at:%H:%M}" == "02:30"
    assert all(a.duration_minutes == 30 for a in Appointment.objects.all())
    free = services.day_slots([trim.pk], anna.pk, AUTUMN)
    assert "02:30" not in free and "02:30+1" not in free and "02:00+1" in free


@pytest.mark.usefixtures("autumn_clock")
def test_a_visit_moved_across_the_change_keeps_its_real_length(colour, anna):
    owner = client_id()
    visit = services.book_visit(owner, [colour.pk], anna.pk, AUTUMN, "00:00")

    moved = services.reschedule_visit(owner, visit.ref, AUTUMN, "01:30")

    appt = Appointment.objects.get()
    assert appt.duration_minutes == 90
    assert (appt.datetime_start, appt.datetime_end) == (
        utc(AUTUMN - timedelta(days=1), "23:30"),
        utc(AUTUMN, "01:00"),
    )
    assert moved.ends_at.astimezone(UTC) - moved.starts_at.astimezone(UTC) == timedelta(minutes=90)


@pytest.mark.usefixtures("autumn_clock")
def test_a_visit_can_be_moved_to_the_second_half_past_two(cut, anna):
    owner = client_id()
    visit = services.book_visit(owner, [cut.pk], anna.pk, AUTUMN, "00:00")

    moved = services.reschedule_visit(owner, visit.ref, AUTUMN, "02:30+1")

    appt = Appointment.objects.get()
    assert (appt.datetime_start, appt.datetime_end) == (utc(AUTUMN, "01:30"), utc(AUTUMN, "02:30"))
    assert appt.duration_minutes == 60
    assert moved.starts_at.fold == 1


@pytest.mark.usefixtures("autumn_clock")
def test_reminders_count_back_in_real_time(salon, trim, anna):
    f.booking_settings(reminder_offsets_minutes=[120])

    services.book_visit(client_id(), [trim.pk], anna.pk, AUTUMN, "03:30")  # 02:30 UTC

    reminder = Notification.objects.get(kind=Notification.KIND_REMINDER)
    assert reminder.due_at == utc(AUTUMN, "00:30")  # two real hours before: 02:30 CEST


# --- the night the clocks go forward -------------------------------------------------------------


@pytest.mark.usefixtures("spring_clock")
def test_sixty_minutes_from_0130_are_stored_as_sixty(trim, cut, anna):
    services.book_visit(client_id(), [cut.pk], anna.pk, SPRING, "01:30")

    appt = Appointment.objects.get()
    assert appt.duration_minutes == 60
    assert (appt.datetime_start, appt.datetime_end) == (utc(SPRING, "00:30"), utc(SPRING, "01:30"))
    assert services.day_slots([trim.pk], anna.pk, SPRING) == ["00:00", "00:30", "01:00", "03:30"]


@pytest.mark.usefixtures("spring_clock")
def test_a_time_the_clocks_skip_is_refused_not_moved(trim, anna):
    assert services.day_slots([trim.pk], anna.pk, SPRING) == [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "03:00",
        "03:30",
    ]

    with pytest.raises(NonexistentLocalTimeError):
        services.book_visit(client_id(), [trim.pk], anna.pk, SPRING, "02:30")
    assert not Appointment.objects.exists()


@pytest.mark.usefixtures("spring_clock")
def test_a_visit_is_not_moved_to_a_time_the_clocks_skip(trim, anna):
    owner = client_id()
    visit = services.book_visit(owner, [trim.pk], anna.pk, SPRING, "00:00")

    with pytest.raises(NonexistentLocalTimeError):
        services.reschedule_visit(owner, visit.ref, SPRING, "02:00")
    assert Appointment.objects.get().datetime_start == utc(SPRING - timedelta(days=1), "23:00")


# --- appointments made by staff -------------------------------------------------------------------


@pytest.mark.usefixtures("autumn_clock")
def test_an_appointment_saved_in_salon_time_ends_in_real_time_across_the_autumn_change(colour, anna):
    start = datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN)  # as the admin form hands it over

    appt = f.appointment(master=anna, service=colour, start=start)

    assert appt.datetime_end == utc(AUTUMN, "01:00")
    appt.refresh_from_db()
    assert appt.datetime_end == utc(AUTUMN, "01:00")


@pytest.mark.usefixtures("spring_clock")
def test_an_appointment_saved_in_salon_time_ends_in_real_time_across_the_spring_change(salon, anna):
    long_cut = f.service(category=salon, name="Long cut", duration=120)

    appt = f.appointment(master=anna, service=long_cut, start=datetime(2026, 3, 29, 1, 0, tzinfo=BERLIN))

    appt.refresh_from_db()
    assert (appt.datetime_start, appt.datetime_end) == (utc(SPRING, "00:00"), utc(SPRING, "02:00"))


@pytest.mark.usefixtures("autumn_clock")
def test_the_admin_form_stores_the_real_end_and_the_bot_then_offers_only_free_times(
    admin_client, trim, colour, anna
):
    response = admin_client.post(
        reverse("admin:salon_appointment_add"),
        {
            "master": anna.pk,
            "service": colour.pk,
            "status": Appointment.STATUS_CONFIRMED,
            "source": Appointment.SOURCE_ADMIN,
            "datetime_start_0": AUTUMN.isoformat(),
            "datetime_start_1": "01:30:00",
            "duration_minutes": 90,
            "price": "",
            "notes": "",
        },
    )

    assert response.status_code == 302
    appt = Appointment.objects.get()
    assert (appt.datetime_start, appt.datetime_end) == (
        utc(AUTUMN - timedelta(days=1), "23:30"),
        utc(AUTUMN, "01:00"),
    )
    assert services.day_slots([trim.pk], anna.pk, AUTUMN)[3:5] == ["02:00+1", "02:30+1"]
