"""Staff roles in the admin: a master acts on their own items only, sees only their own
clients and never a client's phone as a label; the salon's roles come as groups (issue 11 §3)."""

import uuid

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from djproject.salon.models import Appointment, Notification
from djproject.salon.roles import MASTERS_GROUP, SALON_STAFF_GROUP
from tests import factories as f
from tests.moments import WEDNESDAY, local

N = Notification

pytestmark = pytest.mark.usefixtures("frozen_clock")


def login(client, username: str, group: str, *, master=None) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if master is not None:
        master.user = user
        master.save()
    client.force_login(user)
    return user


@pytest.fixture
def shared_visit(salon):
    """One visit of Maria's: a cut with Anna at 10:00, then a colour with Boris at 11:00."""
    cut = f.service(category=salon, name="Cut", duration=60)
    colour = f.service(category=salon, name="Colour", duration=60)
    anna = f.master(name="Anna", categories=[salon], hours={2: ("09:00", "18:00")}, telegram_id=501)
    boris = f.master(name="Boris", categories=[salon], hours={2: ("09:00", "18:00")}, telegram_id=502)
    maria = f.client(name="", phone="+491517654321", telegram_id=901)
    ref = uuid.uuid4()
    first = f.appointment(
        master=anna, service=cut, start=local(WEDNESDAY, "10:00"), client=maria, booking_ref=ref
    )
    second = f.appointment(
        master=boris, service=colour, start=local(WEDNESDAY, "11:00"), client=maria, booking_ref=ref
    )
    return anna, boris, maria, first, second


def act(client, action: str, *appointments: Appointment):
    return client.post(
        reverse("admin:salon_appointment_changelist"),
        {"action": action, "_selected_action": [a.pk for a in appointments]},
    )


def statuses(*appointments: Appointment) -> list[str]:
    return [Appointment.objects.get(pk=a.pk).status for a in appointments]


def test_a_master_cancelling_their_item_leaves_the_other_masters_items_alone(client, shared_visit):
    anna, _boris, maria, first, second = shared_visit
    login(client, "anna", MASTERS_GROUP, master=anna)

    response = act(client, "cancel", first)

    assert response.status_code == 302
    assert statuses(first, second) == [Appointment.STATUS_CANCELLED, Appointment.STATUS_CONFIRMED]
    told = Notification.objects.filter(kind=N.KIND_CANCELLED)
    assert set(told.values_list("chat_id", flat=True)) == {maria.telegram_id, 501}  # not Boris


def test_a_master_cannot_reach_another_masters_item_by_forging_the_selection(client, shared_visit):
    anna, _boris, _maria, _first, second = shared_visit
    login(client, "anna", MASTERS_GROUP, master=anna)

    act(client, "cancel", second)

    assert statuses(second) == [Appointment.STATUS_CONFIRMED]


def test_a_master_completing_their_item_closes_only_that_item(client, shared_visit):
    anna, _boris, _maria, first, second = shared_visit
    login(client, "anna", MASTERS_GROUP, master=anna)

    act(client, "complete", first)

    assert statuses(first, second) == [Appointment.STATUS_COMPLETED, Appointment.STATUS_CONFIRMED]


def test_the_salon_staff_role_cancels_the_whole_visit(client, shared_visit):
    _anna, _boris, _maria, first, second = shared_visit
    login(client, "reception", SALON_STAFF_GROUP)

    act(client, "cancel", first)

    assert statuses(first, second) == [Appointment.STATUS_CANCELLED, Appointment.STATUS_CANCELLED]


def test_a_master_sees_only_their_own_clients_and_no_phone_as_a_label(client, shared_visit, salon):
    anna, boris, maria, *_ = shared_visit
    stranger = f.client(name="", phone="+491700000001", telegram_id=902)
    cut = f.service(category=salon, name="Trim", duration=30)
    f.appointment(master=boris, service=cut, start=local(WEDNESDAY, "15:00"), client=stranger)
    login(client, "anna", MASTERS_GROUP, master=anna)

    listing = client.get(reverse("admin:salon_client_changelist"))
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "salon", "model_name": "appointment", "field_name": "client", "term": ""},
    )
    by_phone = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "salon", "model_name": "appointment", "field_name": "client", "term": "+49170"},
    )

    assert [c.pk for c in listing.context["cl"].result_list] == [maria.pk]
    assert [r["id"] for r in found.json()["results"]] == [str(maria.pk)]
    assert "+49" not in found.content.decode()
    assert by_phone.json()["results"] == []
    other = client.get(reverse("admin:salon_client_change", args=[stranger.pk]))
    assert other.status_code == 302  # not theirs: back to the admin index


def test_the_salon_staff_role_sees_every_client(client, shared_visit):
    login(client, "reception", SALON_STAFF_GROUP)
    f.client(name="Walk-in", phone="+491700000002", telegram_id=None)

    listing = client.get(reverse("admin:salon_client_changelist"))

    assert len(listing.context["cl"].result_list) == 2


@pytest.mark.django_db
def test_the_roles_are_groups_made_by_the_migrations():
    masters = set(Group.objects.get(name=MASTERS_GROUP).permissions.values_list("codename", flat=True))
    staff = set(Group.objects.get(name=SALON_STAFF_GROUP).permissions.values_list("codename", flat=True))

    assert {"view_appointment", "add_appointment", "change_appointment", "view_client"} <= masters
    assert (
        not {"delete_appointment", "change_whole_visit", "change_client", "change_bookingsettings"} & masters
    )
    assert {"change_whole_visit", "delete_client", "change_bookingsettings", "change_master"} <= staff
