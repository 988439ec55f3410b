"""The admin's confirmation page for schedule changes over booked visits (Django test client):
a day off over four booked visits lists them and saves nothing; "cancel and tell" and "keep"
then save the day off and do what they say; a change that affects no visit saves at once."""

from datetime import time

import pytest
from django.contrib.auth.models import User

from djproject.salon.models import Appointment, DayOff, Master, Notification, TimeBlock, WorkingDay
from tests import factories as f
from tests.moments import WEDNESDAY, local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

ADD_DAY_OFF = "/admin/salon/dayoff/add/"
ADD_BLOCK = "/admin/salon/timeblock/add/"


@pytest.fixture
def anna(salon) -> Master:
    anna = f.master(name="Anna", categories=[salon], hours=dict.fromkeys(range(5), ("09:00", "18:00")))
    cut = f.service(category=salon, name="Cut", duration=60)
    for hhmm, status in [
        ("09:00", "confirmed"),
        ("11:00", "pending"),
        ("14:00", "confirmed"),
        ("16:00", "pending"),
    ]:
        f.appointment(
            master=anna,
            service=cut,
            start=local(WEDNESDAY, hhmm),
            status=status,
            client=f.client(phone="+4930123"),
        )
    return anna


@pytest.fixture
def staff(client):
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    return client


def day_off_form(anna: Master, **extra: str) -> dict[str, str]:
    return {"master": str(anna.pk), "date": WEDNESDAY.isoformat(), "reason": "ill", "_save": "Save", **extra}


def active() -> int:
    return Appointment.objects.filter(status__in=Appointment.ACTIVE_STATUSES).count()


def test_a_day_off_over_booked_visits_shows_them_and_saves_nothing(staff, anna):
    page = staff.post(ADD_DAY_OFF, day_off_form(anna))

    assert page.status_code == 200
    assert page.templates[0].name == "admin/salon/schedule_change_confirmation.html"
    html = page.content.decode()
    assert html.count('class="affected-visit"') == 4
    assert "+4930123" in html and 'name="reason" value="ill"' in html
    assert not DayOff.objects.exists() and active() == 4


def test_cancel_and_tell_saves_the_day_off_and_queues_one_message_per_client(staff, anna):
    page = staff.post(ADD_DAY_OFF, day_off_form(anna, _schedule_decision="cancel"))

    assert page.status_code == 302
    assert DayOff.objects.filter(master=anna, date=WEDNESDAY).count() == 1
    assert active() == 0
    told = Notification.objects.filter(kind="cancelled", audience="client")
    assert told.count() == 4 and len(set(told.values_list("chat_id", flat=True))) == 4
    assert all(n.payload.get("rebook") for n in told)


def test_keep_saves_only_the_day_off(staff, anna):
    page = staff.post(ADD_DAY_OFF, day_off_form(anna, _schedule_decision="keep"), follow=True)

    assert DayOff.objects.filter(master=anna, date=WEDNESDAY).count() == 1
    assert active() == 4 and not Notification.objects.filter(kind="cancelled").exists()
    assert "please handle them" in page.content.decode()


def test_a_day_off_on_a_free_day_is_saved_at_once(staff, anna):
    page = staff.post(ADD_DAY_OFF, {**day_off_form(anna), "date": "2026-12-03"})

    assert page.status_code == 302 and DayOff.objects.filter(date="2026-12-03").count() == 1


def test_an_invalid_form_shows_its_errors_and_no_confirmation(staff, anna):
    page = staff.post(ADD_DAY_OFF, {**day_off_form(anna), "date": "not a date"})

    assert page.status_code == 200 and page.context["adminform"].form.errors


def test_a_time_block_over_a_visit_asks_first(staff, anna):
    form = {"master": str(anna.pk), "date": WEDNESDAY.isoformat(), "start_time": "14:00", "end_time": "15:00"}
    form |= {"reason": "training", "_save": "Save"}

    page = staff.post(ADD_BLOCK, form)
    assert page.content.decode().count('class="affected-visit"') == 1
    assert not TimeBlock.objects.exists()

    staff.post(ADD_BLOCK, {**form, "_schedule_decision": "keep"})
    assert TimeBlock.objects.count() == 1 and active() == 4


def test_shorter_weekly_hours_ask_first(staff, anna):
    row = WorkingDay.objects.get(master=anna, weekday=WEDNESDAY.weekday())
    url = f"/admin/salon/workingday/{row.pk}/change/"
    form = {"master": str(anna.pk), "weekday": str(row.weekday), "start_time": "09:00", "end_time": "13:00"}
    form |= {"break_start": "", "break_end": "", "_save": "Save"}

    page = staff.post(url, form)
    assert page.content.decode().count('class="affected-visit"') == 2
    row.refresh_from_db()
    assert row.end_time == time(18)

    staff.post(url, {**form, "_schedule_decision": "cancel"})
    row.refresh_from_db()
    assert row.end_time == time(13) and active() == 2
