"""Booking by phone in the admin: the add form fills duration and price from the service,
refuses a master who does not do the service (unless staff override), takes several services
as one visit, creates a new client inline, and the list opens on the visits ahead."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from djproject.salon.models import Appointment, Client
from tests import factories as f
from tests.moments import WEDNESDAY, local

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def setup(salon):
    nails = f.category(name="Nails")
    cut = f.service(category=salon, name="Cut", duration=60, price=Decimal("35.00"))
    wash = f.service(category=salon, name="Wash", duration=30, price=Decimal("10.00"))
    manicure = f.service(category=nails, name="Manicure", duration=45, price=Decimal("25.00"))
    hours = {2: ("09:00", "18:00", None, None), 3: ("09:00", "18:00", None, None)}
    anna = f.master(name="Anna", categories=[salon, nails], hours=hours)
    boris = f.master(name="Boris", categories=[salon], hours=hours)
    return cut, wash, manicure, anna, boris


def add_form(master, service, day, hhmm, **extra):
    return {
        "master": master.pk,
        "service": service.pk,
        "status": Appointment.STATUS_CONFIRMED,
        "source": Appointment.SOURCE_ADMIN,
        "datetime_start_0": day.isoformat(),
        "datetime_start_1": f"{hhmm}:00",
        "duration_minutes": "",
        "price": "",
        "notes": "",
        **extra,
    }


def post_add(client, data):
    return client.post(reverse("admin:salon_appointment_add"), data)


def errors_of(response) -> str:
    return " ".join(str(e) for e in response.context["adminform"].form.non_field_errors())


def test_empty_duration_and_price_are_taken_from_the_service(admin_client, setup):
    cut, *_, anna, _boris = setup

    response = post_add(admin_client, add_form(anna, cut, WEDNESDAY, "10:00"))

    assert response.status_code == 302
    saved = Appointment.objects.get()
    assert saved.duration_minutes == 60
    assert saved.price == Decimal("35.00")
    assert saved.datetime_end == local(WEDNESDAY, "11:00")


def test_the_add_form_carries_each_services_duration_and_price_for_the_autofill(admin_client, setup):
    cut, *_ = setup

    page = admin_client.get(reverse("admin:salon_appointment_add")).content.decode()

    assert f'value="{cut.pk}" data-duration="60" data-price="35.00"' in page
    assert "salon/appointment_form.js" in page


def test_a_master_who_does_not_do_the_service_is_refused(admin_client, setup):
    _cut, _wash, manicure, _anna, boris = setup

    response = post_add(admin_client, add_form(boris, manicure, WEDNESDAY, "10:00"))

    assert response.status_code == 200
    assert "Boris does not do Manicure" in errors_of(response)
    assert not Appointment.objects.exists()


def test_staff_may_book_an_unqualified_master_with_the_explicit_override(admin_client, setup):
    _cut, _wash, manicure, _anna, boris = setup

    data = add_form(boris, manicure, WEDNESDAY, "10:00", allow_unqualified_master="on")
    response = post_add(admin_client, data)

    assert response.status_code == 302
    assert Appointment.objects.get().master == boris


def test_several_services_are_added_in_one_form_as_one_visit(admin_client, setup):
    cut, wash, manicure, anna, _boris = setup

    data = add_form(anna, cut, WEDNESDAY, "10:00", extra_services=[wash.pk, manicure.pk])
    response = post_add(admin_client, data)

    assert response.status_code == 302
    items = list(Appointment.objects.order_by("datetime_start"))
    assert [a.service for a in items] == [cut, wash, manicure]
    assert len({a.booking_ref for a in items}) == 1
    assert [a.datetime_start for a in items] == [
        local(WEDNESDAY, "10:00"),
        local(WEDNESDAY, "11:00"),
        local(WEDNESDAY, "11:30"),
    ]
    assert [a.price for a in items] == [Decimal("35.00"), Decimal("10.00"), Decimal("25.00")]


def test_an_extra_service_the_master_does_not_do_is_refused_too(admin_client, setup):
    cut, _wash, manicure, _anna, boris = setup

    response = post_add(admin_client, add_form(boris, cut, WEDNESDAY, "10:00", extra_services=[manicure.pk]))

    assert "Boris does not do Manicure" in errors_of(response)
    assert not Appointment.objects.exists()


def test_an_extra_service_that_runs_into_another_visit_is_refused(admin_client, setup):
    cut, wash, _manicure, anna, _boris = setup
    f.appointment(master=anna, service=cut, start=local(WEDNESDAY, "11:00"))

    response = post_add(admin_client, add_form(anna, cut, WEDNESDAY, "10:00", extra_services=[wash.pk]))

    assert "already has an appointment" in errors_of(response)
    assert Appointment.objects.count() == 1


def test_a_new_client_is_created_inline_with_a_normalised_phone(admin_client, setup):
    cut, *_, anna, _boris = setup

    data = add_form(anna, cut, WEDNESDAY, "10:00", new_client_name="Clara", new_client_phone="0151 2345 678")
    response = post_add(admin_client, data)

    assert response.status_code == 302
    clara = Client.objects.get(name="Clara")
    assert clara.phone == "+491512345678"
    assert Appointment.objects.get().client == clara


def test_a_phone_already_known_reuses_that_client(admin_client, setup):
    cut, *_, anna, _boris = setup
    known = f.client(name="Clara K.", phone="+491512345678", telegram_id=None)

    data = add_form(anna, cut, WEDNESDAY, "10:00", new_client_name="Clara", new_client_phone="01512345678")
    post_add(admin_client, data)

    assert Client.objects.count() == 1
    assert Appointment.objects.get().client == known


def test_picking_a_client_and_typing_a_new_one_is_refused(admin_client, setup):
    cut, *_, anna, _boris = setup
    known = f.client(name="Dora")

    data = add_form(anna, cut, WEDNESDAY, "10:00", client=known.pk, new_client_name="Clara")
    response = post_add(admin_client, data)

    assert "either" in errors_of(response).lower()


def listed(response) -> list[Appointment]:
    return list(response.context["cl"].result_list)


def test_the_list_opens_on_upcoming_visits_earliest_first(admin_client, setup):
    cut, *_, anna, _boris = setup
    past = f.appointment(master=anna, service=cut, start=local(WEDNESDAY - timedelta(days=8), "10:00"))
    later = f.appointment(master=anna, service=cut, start=local(WEDNESDAY + timedelta(days=1), "10:00"))
    sooner = f.appointment(master=anna, service=cut, start=local(WEDNESDAY, "10:00"))

    response = admin_client.get(reverse("admin:salon_appointment_changelist"))

    assert listed(response) == [sooner, later]
    assert past not in listed(response)


@pytest.mark.parametrize(
    ("when", "expected"),
    [("today", []), ("tomorrow", ["Wed"]), ("this_week", ["Wed", "Thu"]), ("next_week", ["next Tue"])],
)
def test_date_filters_look_forward(admin_client, setup, when, expected):
    cut, *_, anna, _boris = setup
    # Frozen today: Tuesday 1 December 2026 (08:00); the week runs Monday to Sunday.
    days = {"Wed": WEDNESDAY, "Thu": WEDNESDAY + timedelta(days=1), "next Tue": WEDNESDAY + timedelta(days=6)}
    made = {
        name: f.appointment(master=anna, service=cut, start=local(day, "10:00")) for name, day in days.items()
    }

    response = admin_client.get(reverse("admin:salon_appointment_changelist"), {"when": when})

    assert listed(response) == [made[name] for name in expected]


def test_a_multi_service_visit_is_one_row_listing_its_services(admin_client, setup):
    cut, wash, _manicure, anna, _boris = setup
    post_add(admin_client, add_form(anna, cut, WEDNESDAY, "10:00", extra_services=[wash.pk]))

    response = admin_client.get(reverse("admin:salon_appointment_changelist"))

    assert len(listed(response)) == 1
    assert "Cut + Wash" in response.content.decode()


def test_a_master_login_still_sees_only_their_own_items(client, setup):
    cut, _wash, _manicure, anna, boris = setup
    user = User.objects.create_user("boris", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_appointment"))
    boris.user = user
    boris.save()
    f.appointment(master=anna, service=cut, start=local(WEDNESDAY, "10:00"))
    own = f.appointment(master=boris, service=cut, start=local(WEDNESDAY, "10:00"))
    client.force_login(user)

    response = client.get(reverse("admin:salon_appointment_changelist"))

    assert listed(response) == [own]
