"""The timeline to work from: free cells open the add form prefilled, blocks say who and what,
a "now" line, a week per master, one master at a time on a phone, and a constant query count."""

from datetime import date, time, timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from djproject.salon.models import Master, TimeBlock
from tests import factories as f
from tests.moments import NOW, WEDNESDAY, local

pytestmark = pytest.mark.usefixtures("frozen_clock")

URL = "/admin/timeline/"
TUESDAY = NOW.date()


@pytest.fixture
def day(salon):
    """Anna works Wednesday 9–14 with a break at 12; Boris works Tuesday and Wednesday 7–18.
    Maria's visit with Anna: a cut at 10:00 and a wash right after, one booking reference."""
    cut = f.service(category=salon, name="Cut", duration=60)
    wash = f.service(category=salon, name="Wash", duration=30)
    anna = f.master(name="Anna", categories=[salon], hours={2: ("09:00", "14:00", "12:00", "12:30")})
    f.master(name="Boris", categories=[salon], hours={1: ("07:00", "18:00"), 2: ("07:00", "18:00")})
    maria = f.client(name="Maria", phone="+4915112345678")
    first = f.appointment(master=anna, service=cut, start=local(WEDNESDAY, "10:00"), client=maria)
    f.appointment(
        master=anna,
        service=wash,
        start=local(WEDNESDAY, "11:00"),
        client=maria,
        booking_ref=first.booking_ref,
    )
    return anna


@pytest.fixture
def staff(admin_client):
    return admin_client


def add_link(master: Master, day: date, hhmm: str) -> str:
    query = urlencode({"master": master.pk, "datetime_start": f"{day.isoformat()}T{hhmm}"})
    return f"{reverse('admin:salon_appointment_add')}?{query}".replace("&", "&amp;")


def test_free_cells_link_to_the_add_form_and_busy_ones_do_not(staff, day):
    html = staff.get(URL, {"date": WEDNESDAY.isoformat()}).content.decode()

    for free in ("09:00", "09:30", "11:30", "12:30", "13:30"):
        assert add_link(day, WEDNESDAY, free) in html, free
    for busy in ("10:00", "10:30", "11:00", "12:00", "14:00", "08:30"):
        assert add_link(day, WEDNESDAY, busy) not in html, busy


def test_cells_in_the_past_are_not_offered(staff, day):
    boris = Master.objects.get(name="Boris")

    html = staff.get(URL, {"date": TUESDAY.isoformat()}).content.decode()

    assert add_link(boris, TUESDAY, "07:30") not in html
    assert add_link(boris, TUESDAY, "08:00") in html


def test_the_add_form_opens_prefilled_with_master_date_and_time(staff, day):
    query = {"master": day.pk, "datetime_start": f"{WEDNESDAY.isoformat()}T09:30"}

    form = staff.get(reverse("admin:salon_appointment_add"), query).context["adminform"].form

    assert str(form["master"].value()) == str(day.pk)
    assert form["datetime_start"].value() == local(WEDNESDAY, "09:30")


def test_a_block_shows_the_clients_phone_and_the_visits_services(staff, day):
    html = staff.get(URL, {"date": WEDNESDAY.isoformat()}).content.decode()

    assert "+4915112345678" in html
    assert "Cut + Wash" in html


def test_the_now_line_is_drawn_on_today_only(staff, day):
    today = staff.get(URL, {"date": TUESDAY.isoformat()})
    other = staff.get(URL, {"date": WEDNESDAY.isoformat()})

    timeline = today.context["timeline"]
    assert timeline.now is not None
    # The axis starts at Boris's 07:00; now is 08:00.
    assert timeline.now.start == 60
    assert 'class="tl-now"' in today.content.decode()
    assert other.context["timeline"].now is None
    assert 'class="tl-now"' not in other.content.decode()


def test_the_week_view_shows_one_master_day_by_day(staff, day):
    response = staff.get(URL, {"date": WEDNESDAY.isoformat(), "view": "week", "master": day.pk})

    timeline = response.context["timeline"]
    monday = WEDNESDAY - timedelta(days=2)
    assert [c.day for c in timeline.columns] == [monday + timedelta(days=n) for n in range(7)]
    wednesday = timeline.columns[2]
    assert [b.client for b in wednesday.blocks] == ["Maria", "Maria"]
    assert timeline.columns[1].off_reason == "Not working"
    assert add_link(day, WEDNESDAY, "09:00") in response.content.decode()


def test_picking_a_master_shows_only_their_column(staff, day):
    response = staff.get(URL, {"date": WEDNESDAY.isoformat(), "master": day.pk})

    assert [c.name for c in response.context["timeline"].columns] == ["Anna"]
    html = response.content.decode()
    assert 'name="master"' in html and ">Boris</option>" in html


def salon_with(count: int, salon) -> None:
    service = f.service(category=salon, duration=45)
    for n in range(count):
        master = f.master(categories=[salon], hours={2: ("09:00", "17:00", "12:00", "12:30")})
        f.appointment(master=master, service=service, start=local(WEDNESDAY, "10:00"), client=f.client())
        if n == 0:
            first = master
    return first


DAY_QUERIES = 10  # one of them reads the day's time blocks
WEEK_QUERIES = 10


@pytest.mark.parametrize("masters", [2, 8])
def test_the_day_and_week_views_cost_the_same_queries_for_2_and_8_masters(
    admin_client, salon, django_assert_num_queries, masters
):
    first = salon_with(masters, salon)
    admin_client.get(URL, {"date": WEDNESDAY.isoformat()})  # warm-up: session and settings rows

    with django_assert_num_queries(DAY_QUERIES):
        admin_client.get(URL, {"date": WEDNESDAY.isoformat()})
    with django_assert_num_queries(WEEK_QUERIES):
        admin_client.get(URL, {"date": WEDNESDAY.isoformat(), "view": "week", "master": first.pk})


def test_the_week_axis_spans_the_working_hours_not_the_free_days_fallback(staff, day):
    response = staff.get(URL, {"date": WEDNESDAY.isoformat(), "view": "week", "master": day.pk})

    rows = response.context["timeline"].rows
    assert (rows[0].label, rows[-1].label) == ("09:00", "13:30")


def test_a_weekly_time_block_is_shaded_in_the_week_and_offers_no_free_cells(staff, day):
    TimeBlock.objects.create(
        master=day,
        date=WEDNESDAY - timedelta(days=7),
        start_time=time(9),
        end_time=time(10),
        weekly=True,
        reason="Training",
    )

    week = staff.get(URL, {"date": WEDNESDAY.isoformat(), "view": "week", "master": day.pk})

    wednesday = next(c for c in week.context["timeline"].columns if c.day == WEDNESDAY)
    assert [s.label for s in wednesday.shades if s.kind == "block"] == ["Training"]
    html = week.content.decode()
    assert add_link(day, WEDNESDAY, "09:00") not in html and add_link(day, WEDNESDAY, "09:30") not in html
    assert add_link(day, WEDNESDAY, "10:00") not in html  # Maria's cut
    assert add_link(day, WEDNESDAY, "13:30") in html
