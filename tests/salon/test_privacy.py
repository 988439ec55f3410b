"""Privacy in the admin (issue 11 §4): staff erase a client as the bot does, deleting a
client works, and the outbox forgets delivered messages after 30 days."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from djproject.salon import outbox, services, waitlist
from djproject.salon.models import Appointment, Client, Notification, WaitlistEntry
from tests import factories as f
from tests.moments import WEDNESDAY, local

N = Notification

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def maria(salon):
    """Maria, with a past visit, an upcoming one with Anna and a pending reminder."""
    cut = f.service(category=salon, name="Cut", duration=60)
    anna = f.master(name="Anna", categories=[salon], hours={2: ("09:00", "18:00")}, telegram_id=501)
    maria = f.client(name="Maria", phone="+491517654321", telegram_id=901)
    past = f.appointment(
        master=anna,
        service=cut,
        start=local(WEDNESDAY, "10:00") - timedelta(days=14),
        client=maria,
        status=Appointment.STATUS_COMPLETED,
    )
    upcoming = f.appointment(master=anna, service=cut, start=local(WEDNESDAY, "10:00"), client=maria)
    outbox.schedule_reminders([upcoming])
    return maria, past, upcoming


def test_the_erase_action_cancels_upcoming_visits_tells_the_master_and_anonymises(admin_client, maria):
    client, past, upcoming = maria

    response = admin_client.post(
        reverse("admin:salon_client_changelist"), {"action": "erase", "_selected_action": [client.pk]}
    )

    assert response.status_code == 302
    client.refresh_from_db()
    assert (client.name, client.phone, client.telegram_id) == ("", "", None)
    assert Appointment.objects.get(pk=upcoming.pk).status == Appointment.STATUS_CANCELLED
    assert Appointment.objects.get(pk=past.pk).status == Appointment.STATUS_COMPLETED  # the books stay
    assert Notification.objects.filter(kind=N.KIND_CANCELLED, chat_id=501).exists()
    assert not Notification.objects.filter(chat_id=901).exists()  # reminders to Maria gone


def test_deleting_a_client_with_a_cancelled_visit_works(admin_client, salon):
    cut = f.service(category=salon, name="Cut", duration=60)
    anna = f.master(name="Anna", categories=[salon], hours={2: ("09:00", "18:00")})
    eva = f.client(name="Eva")
    visit = f.appointment(
        master=anna,
        service=cut,
        start=local(WEDNESDAY, "10:00"),
        client=eva,
        status=Appointment.STATUS_CANCELLED,
    )
    url = reverse("admin:salon_client_delete", args=[eva.pk])

    page = admin_client.get(url)
    response = admin_client.post(url, {"post": "yes"})

    assert page.status_code == 200 and "protected" not in page.content.decode().lower()
    assert response.status_code == 302
    assert not Client.objects.filter(pk=eva.pk).exists()
    assert Appointment.objects.get(pk=visit.pk).client is None  # the salon's books keep the visit


def test_deleting_a_client_first_cancels_their_upcoming_visits(admin_client, maria):
    client, _past, upcoming = maria

    admin_client.post(reverse("admin:salon_client_delete", args=[client.pk]), {"post": "yes"})

    assert Appointment.objects.get(pk=upcoming.pk).status == Appointment.STATUS_CANCELLED
    assert Notification.objects.filter(kind=N.KIND_CANCELLED, chat_id=501).exists()


def test_purge_deletes_a_bounded_batch_of_old_delivered_rows_only(salon):
    now = timezone.now()

    def row(status: str, days_ago: int | None) -> Notification:
        return Notification.objects.create(
            kind=N.KIND_BOOKED,
            audience=N.AUDIENCE_MASTER,
            chat_id=501,
            booking_ref=uuid.uuid4(),
            due_at=now,
            status=status,
            sent_at=None if days_ago is None else now - timedelta(days=days_ago),
        )

    old = [row(N.STATUS_SENT, 40 + i) for i in range(3)]
    keep = [row(N.STATUS_SENT, 10), row(N.STATUS_PENDING, None), row(N.STATUS_FAILED, None)]

    assert outbox.purge_delivered(limit=2) == 2
    assert outbox.purge_delivered(limit=2) == 1
    assert outbox.purge_delivered(limit=2) == 0
    assert set(Notification.objects.values_list("pk", flat=True)) == {r.pk for r in keep}
    assert not Notification.objects.filter(pk__in=[r.pk for r in old]).exists()


def test_erasing_a_client_deletes_their_waitlist_entries(maria):
    client, _past, upcoming = maria
    waitlist.join(client.telegram_id, [upcoming.service_id], upcoming.master_id, WEDNESDAY, WEDNESDAY)
    other = f.client(name="Olga", telegram_id=902)
    waitlist.join(other.telegram_id, [upcoming.service_id], None, WEDNESDAY, WEDNESDAY)

    services.erase_client(client.telegram_id)

    assert not WaitlistEntry.objects.filter(client=client).exists()
    assert WaitlistEntry.objects.filter(client=other).count() == 1  # nobody else's
