"""Daily work in the admin: appointments made by hand obey the bot's rules; actions tell clients."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from djproject.salon import services
from djproject.salon.models import Appointment, Notification
from tests import factories as f
from tests.moments import WEDNESDAY, local

N = Notification


pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def setup(salon):
    cut = f.service(category=salon, name="Cut", duration=60, min_gap_after_minutes=15)
    anna = f.master(
        name="Anna",
        categories=[salon],
        hours={2: ("09:00", "14:00", "12:00", "12:30")},
        telegram_id=501,
    )
    return cut, anna


def add_form(master, service, day, hhmm, **extra):
    return {
        "master": master.pk,
        "service": service.pk,
        "status": Appointment.STATUS_CONFIRMED,
        "source": Appointment.SOURCE_ADMIN,
        "datetime_start_0": day.isoformat(),
        "datetime_start_1": f"{hhmm}:00",
        "duration_minutes": service.duration,
        "price": "",
        "notes": "",
        **extra,
    }


def post_add(admin_client, data):
    return admin_client.post(reverse("admin:salon_appointment_add"), data)


def errors_of(response) -> str:
    return " ".join(str(e) for e in response.context["adminform"].form.non_field_errors())


def test_an_overlapping_appointment_is_refused_with_a_clear_error(admin_client, setup):
    cut, anna = setup
    f.appointment(master=anna, service=cut, start=local(WEDNESDAY, "10:00"))

    response = post_add(admin_client, add_form(anna, cut, WEDNESDAY, "10:30"))

    assert response.status_code == 200
    assert "already has an appointment at that time" in errors_of(response)
    assert Appointment.objects.count() == 1


def test_cleanup_after_the_previous_service_counts_as_busy(admin_client, setup):
    cut, anna = setup
    f.appointment(master=anna, service=cut, start=local(WEDNESDAY, "09:00"))

    refused = post_add(admin_client, add_form(anna, cut, WEDNESDAY, "10:00"))  # cleanup until 10:15
    accepted = post_add(admin_client, add_form(anna, cut, WEDNESDAY, "10:15"))

    assert "already has an appointment" in errors_of(refused)
    assert accepted.status_code == 302


@pytest.mark.parametrize(
    ("hhmm", "message"),
    [
        ("08:30", "outside the master's working hours"),
        ("11:45", "overlaps the master's break"),
    ],
)
def test_hours_and_break_are_enforced(admin_client, setup, hhmm, message):
    cut, anna = setup

    response = post_add(admin_client, add_form(anna, cut, WEDNESDAY, hhmm))

    assert message in errors_of(response)


def test_a_day_off_and_a_non_working_day_are_refused(admin_client, setup):
    cut, anna = setup
    f.day_off(anna, WEDNESDAY)

    day_off = post_add(admin_client, add_form(anna, cut, WEDNESDAY, "10:00"))
    thursday = post_add(admin_client, add_form(anna, cut, WEDNESDAY.replace(day=3), "10:00"))

    assert "day off" in errors_of(day_off)
    assert "does not work on that day" in errors_of(thursday)


def test_a_valid_appointment_is_saved_off_the_grid_and_the_master_is_told(admin_client, setup):
    cut, anna = setup
    maria = f.client(name="Maria")

    response = post_add(admin_client, add_form(anna, cut, WEDNESDAY, "10:10", client=maria.pk))

    assert response.status_code == 302
    appt = Appointment.objects.get()
    assert appt.datetime_start == local(WEDNESDAY, "10:10") and appt.source == Appointment.SOURCE_ADMIN
    assert set(Notification.objects.values_list("kind", "audience")) == {
        (N.KIND_BOOKED, N.AUDIENCE_MASTER),
        (N.KIND_REMINDER, N.AUDIENCE_CLIENT),
    }


def test_editing_only_the_notes_of_an_old_conflicting_entry_is_allowed(admin_client, setup):
    cut, anna = setup
    appt = f.appointment(master=anna, service=cut, start=local(WEDNESDAY, "12:00"))  # in the break

    url = reverse("admin:salon_appointment_change", args=[appt.pk])
    response = admin_client.post(url, add_form(anna, cut, WEDNESDAY, "12:00", notes="called"))

    assert response.status_code == 302
    appt.refresh_from_db()
    assert appt.notes == "called"


def test_moving_an_appointment_in_the_admin_tells_the_client(admin_client, setup):
    cut, anna = setup
    maria = f.client(name="Maria")
    appt = f.appointment(master=anna, service=cut, start=local(WEDNESDAY, "09:00"), client=maria)

    url = reverse("admin:salon_appointment_change", args=[appt.pk])
    response = admin_client.post(url, add_form(anna, cut, WEDNESDAY, "13:00", client=maria.pk))

    assert response.status_code == 302
    moved = Notification.objects.get(kind=N.KIND_RESCHEDULED, audience=N.AUDIENCE_CLIENT)
    assert moved.chat_id == maria.telegram_id


def run_action(admin_client, action, appointments):
    return admin_client.post(
        reverse("admin:salon_appointment_changelist"),
        {"action": action, "_selected_action": [a.pk for a in appointments]},
        follow=True,
    )


def test_confirm_action_confirms_pending_visits_and_tells_their_clients(admin_client, setup):
    cut, anna = setup
    f.booking_settings(requires_confirmation=True)
    maria = f.client(name="Maria")
    visit = services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    response = run_action(admin_client, "confirm", Appointment.objects.all())

    assert "1 visit confirmed." in response.content.decode()
    assert Appointment.objects.get().status == Appointment.STATUS_CONFIRMED
    assert Notification.objects.filter(kind=N.KIND_CONFIRMED, chat_id=maria.telegram_id).exists()
    assert visit.status == Appointment.STATUS_PENDING


@pytest.mark.parametrize(
    ("action", "status"),
    [("cancel", "cancelled"), ("complete", "completed"), ("no_show", "no_show")],
)
def test_status_actions(admin_client, setup, action, status):
    cut, anna = setup
    maria = f.client(name="Maria")
    services.book_visit(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    run_action(admin_client, action, Appointment.objects.all())

    assert Appointment.objects.get().status == status
    assert not Notification.objects.filter(kind=N.KIND_REMINDER, status=N.STATUS_PENDING).exists()
    told = Notification.objects.filter(kind=N.KIND_CANCELLED, chat_id=maria.telegram_id).exists()
    assert told is (action == "cancel")


def test_a_master_with_a_staff_login_sees_only_their_own_appointments(client, setup, salon):
    cut, anna = setup
    boris = f.master(name="Boris", categories=[salon], hours={2: ("09:00", "14:00")})
    f.appointment(master=anna, service=cut, start=local(WEDNESDAY, "09:00"))
    f.appointment(master=boris, service=cut, start=local(WEDNESDAY, "09:00"))
    user = User.objects.create_user("anna", password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__endswith="appointment"))
    anna.user = user
    anna.save()
    client.force_login(user)

    page = client.get(reverse("admin:salon_appointment_changelist"))

    rows = page.context["cl"].result_list
    assert [a.master.name for a in rows] == ["Anna"]
    other = Appointment.objects.get(master=boris)
    assert client.get(reverse("admin:salon_appointment_change", args=[other.pk])).status_code == 302
