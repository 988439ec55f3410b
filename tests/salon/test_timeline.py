"""The staff's day timeline: what it shows for a day, to whom, and at what cost."""

import io
import zoneinfo
from datetime import date, datetime, time, timedelta

import holidays
import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from djproject.salon.models import Appointment, DayOff, Master, Service, SiteSettings
from djproject.salon.timeline import Span, build_day_timeline
from tests import factories as f

pytestmark = pytest.mark.django_db

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
URL = "/admin/timeline/"


def at(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=BERLIN)


def staff_user(username: str, *, perms: tuple[str, ...] = ("view_appointment",)) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="salon", codename__in=perms))
    return user


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def busy_day(demo) -> date:
    """The day of the demo's women's haircut (Anna's first working day), made busier: every
    weekday master has work.

    Not simply the demo's first appointment: after a holiday or before a weekend that can be
    Boris's Saturday, when Anna has no shift (31 December: Friday 1 January is a holiday).
    Clara gets a pending manicure, Dana a confirmed facial and a cancelled one right after.
    """
    haircut = Appointment.objects.get(service__name="Women's haircut")
    day = timezone.localtime(haircut.datetime_start, BERLIN).date()
    clara, dana = Master.objects.get(name="Clara"), Master.objects.get(name="Dana")
    manicure, facial = Service.objects.get(name="Manicure"), Service.objects.get(name="Facial")
    f.appointment(
        master=clara,
        service=manicure,
        start=at(day, "15:00"),
        client=f.client(name="Pia Pending"),
        status=Appointment.STATUS_PENDING,
    )
    f.appointment(master=dana, service=facial, start=at(day, "11:00"), client=f.client(name="Cora Confirmed"))
    f.appointment(
        master=dana,
        service=facial,
        start=at(day, "12:30"),
        client=f.client(name="Carl Cancelled"),
        status=Appointment.STATUS_CANCELLED,
    )
    return day


@pytest.fixture
def admin_client(client, demo):
    client.force_login(User.objects.get(username="admin"))
    return client


def column(timeline, name: str):
    return next(c for c in timeline.columns if c.name == name)


# --- what the page shows ------------------------------------------------------------------------


def test_busy_day_shows_active_masters_as_columns_in_admin_order(admin_client, busy_day):
    Master.objects.create(name="Ina Inactive", status=Master.STATUS_INACTIVE)

    response = admin_client.get(URL, {"date": busy_day.isoformat()})

    assert response.status_code == 200
    timeline = response.context["timeline"]
    assert [c.name for c in timeline.columns] == ["Anna", "Boris", "Clara", "Dana"]
    html = response.content.decode()
    assert html.index(">Anna<") < html.index(">Boris<") < html.index(">Clara<") < html.index(">Dana<")
    assert "Ina Inactive" not in html


def test_blocks_show_time_client_and_service_and_link_to_the_appointment(admin_client, busy_day):
    response = admin_client.get(URL, {"date": busy_day.isoformat()})

    html = response.content.decode()
    haircut = Appointment.objects.get(service__name="Women's haircut")
    assert reverse("admin:salon_appointment_change", args=[haircut.pk]) in html
    # The demo's haircut is at 10:00 salon time (09:00 UTC in winter, 08:00 in summer).
    assert "10:00–11:00" in html
    for text in ("Maria Schmidt", "Women's haircut", "Olga Ivanova", "Colouring", "Pia Pending", "Manicure"):
        assert escape(text) in html
    timeline = response.context["timeline"]
    # Cora's facial and not Carl's cancelled one; on some days the demo's own facial for Dana
    # (her second working day) falls on this day too.
    danas = Appointment.objects.filter(master__name="Dana", datetime_start__date=busy_day).exclude(
        status=Appointment.STATUS_CANCELLED
    )
    expected = [a.client.name for a in danas.order_by("datetime_start")]
    assert "Cora Confirmed" in expected and "Carl Cancelled" not in expected
    assert [b.client for b in column(timeline, "Dana").blocks] == expected


def test_pending_and_confirmed_are_styled_apart_and_cancelled_ones_are_hidden(admin_client, busy_day):
    html = admin_client.get(URL, {"date": busy_day.isoformat()}).content.decode()

    assert "tl-status-pending" in html
    assert "tl-status-confirmed" in html
    assert "Carl Cancelled" not in html


def test_block_sits_on_the_rows_of_its_local_time(busy_day):
    timeline = build_day_timeline(busy_day)

    haircut = next(b for b in column(timeline, "Anna").blocks if b.service == "Women's haircut")
    assert timeline.starts == at(busy_day, "09:00")  # the earliest shift of the day
    assert (haircut.span.start, haircut.span.end) == (60, 120)
    assert haircut.span.grid_rows == "14 / 26"  # header row, then one track per 5 minutes


def test_the_break_is_shaded_in_the_masters_column(admin_client, busy_day):
    timeline = admin_client.get(URL, {"date": busy_day.isoformat()}).context["timeline"]

    anna = column(timeline, "Anna")
    breaks = [s for s in anna.shades if s.kind == "break"]
    assert [(s.span.start, s.span.end) for s in breaks] == [(4 * 60, 5 * 60)]  # 13:00–14:00
    assert anna.off_reason == ""


def test_a_day_off_shades_the_whole_column(admin_client, demo):
    day_off = DayOff.objects.get(master__name="Anna", reason="Training").date

    response = admin_client.get(URL, {"date": day_off.isoformat()})

    anna = column(response.context["timeline"], "Anna")
    assert anna.off_reason == "Day off"
    assert [(s.kind, s.span.start, s.span.end) for s in anna.shades] == [
        ("off", 0, response.context["timeline"].tracks * 5)
    ]
    assert "tl-shade-off" in response.content.decode()


def test_a_public_holiday_is_named_and_shades_every_working_column(admin_client, demo):
    in_2030 = holidays.country_holidays("DE", subdiv="ST", years=2030)
    holiday = next(d for d in sorted(in_2030) if d.weekday() < 5)

    response = admin_client.get(URL, {"date": holiday.isoformat()})

    timeline = response.context["timeline"]
    assert timeline.holiday
    assert all(c.off_reason.startswith("Public holiday") for c in timeline.columns)
    assert "The salon is closed for online booking" in response.content.decode()


def test_nobody_working_gives_the_fallback_hours_from_8_to_20(demo):
    sunday = f.next_weekday(6)  # the demo salon is closed on Sundays

    timeline = build_day_timeline(sunday)

    assert (timeline.starts, timeline.ends) == (at(sunday, "08:00"), at(sunday, "20:00"))
    assert [r.label for r in timeline.rows][:3] == ["08:00", "08:30", "09:00"]
    assert all(c.off_reason == "Not working" for c in timeline.columns)


def test_an_appointment_outside_the_hours_widens_the_axis(busy_day):
    anna = Master.objects.get(name="Anna")
    f.appointment(master=anna, service=Service.objects.get(name="Blow-dry"), start=at(busy_day, "07:15"))

    timeline = build_day_timeline(busy_day)

    assert timeline.starts == at(busy_day, "07:00")
    assert column(timeline, "Anna").blocks[0].span.start == 15


def test_the_axis_of_a_dst_day_shows_the_clocks_jump(demo):
    spring_forward = date(2027, 3, 28)  # Sunday: at 02:00 the clocks go to 03:00 in Berlin
    dana = Master.objects.get(name="Dana")
    f.appointment(master=dana, service=Service.objects.get(name="Facial"), start=at(spring_forward, "01:30"))

    timeline = build_day_timeline(spring_forward)

    # One real hour, 01:30–03:30 on the clock: two rows, and the block fills both.
    assert [r.label for r in timeline.rows] == ["01:30", "03:00"]
    assert column(timeline, "Dana").blocks[0].span == Span(0, 60)


def test_overlapping_appointments_of_a_two_seat_master_sit_side_by_side(demo):
    sunday = f.next_weekday(6)
    dana = Master.objects.get(name="Dana")
    dana.max_clients_parallel = 2
    dana.save()
    facial = Service.objects.get(name="Facial")
    f.appointment(master=dana, service=facial, start=at(sunday, "10:00"), seat=0)
    f.appointment(master=dana, service=facial, start=at(sunday, "10:30"), seat=1)

    dana_column = column(build_day_timeline(sunday), "Dana")

    assert dana_column.lanes == 2
    assert sorted(b.grid_column for b in dana_column.blocks) == [
        dana_column.grid_column,
        dana_column.grid_column + 1,
    ]


# --- navigation ---------------------------------------------------------------------------------


def test_previous_and_next_links_go_to_the_adjacent_dates(admin_client, busy_day):
    html = admin_client.get(URL, {"date": busy_day.isoformat()}).content.decode()

    assert f'href="?date={(busy_day - timedelta(days=1)).isoformat()}"' in html
    assert f'href="?date={(busy_day + timedelta(days=1)).isoformat()}"' in html
    assert f'value="{busy_day.isoformat()}"' in html


@pytest.mark.parametrize("raw", ["yesterday", "2025-13-45", "2025-02-30", "' or 1=1"])
def test_an_invalid_date_falls_back_to_today_with_a_warning(admin_client, raw):
    response = admin_client.get(URL, {"date": raw})

    assert response.status_code == 200
    today = timezone.localdate(timezone=SiteSettings.load().tz)
    assert response.context["timeline"].day == today
    assert "is not a date; showing today" in response.content.decode()


def test_without_a_date_the_page_shows_today(admin_client):
    response = admin_client.get(URL)

    assert response.context["timeline"].day == timezone.localdate(timezone=SiteSettings.load().tz)


def test_admin_index_links_to_the_timeline(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert f'href="{URL}"' in html
    assert "Day timeline" in html
    assert "Recent actions" in html  # the default index is still there


# --- who sees what ------------------------------------------------------------------------------


def test_a_master_with_a_staff_login_sees_only_their_own_column(client, busy_day):
    user = staff_user("anna")
    Master.objects.filter(name="Anna").update(user=user)
    client.force_login(user)

    response = client.get(URL, {"date": busy_day.isoformat()})

    assert response.status_code == 200
    assert [c.name for c in response.context["timeline"].columns] == ["Anna"]
    html = response.content.decode()
    assert "Maria Schmidt" in html
    assert "Pia Pending" not in html
    assert "Cora Confirmed" not in html


def test_staff_without_a_master_profile_see_every_column(client, busy_day):
    client.force_login(staff_user("reception"))

    response = client.get(URL, {"date": busy_day.isoformat()})

    assert len(response.context["timeline"].columns) == 4


def test_a_superuser_who_is_also_a_master_sees_every_column(admin_client, busy_day):
    Master.objects.filter(name="Anna").update(user=User.objects.get(username="admin"))

    response = admin_client.get(URL, {"date": busy_day.isoformat()})

    assert len(response.context["timeline"].columns) == 4


def test_a_master_whose_profile_is_inactive_sees_no_column_rather_than_all(client, busy_day):
    user = staff_user("former")
    Master.objects.filter(name="Boris").update(user=user, status=Master.STATUS_INACTIVE)
    client.force_login(user)

    response = client.get(URL, {"date": busy_day.isoformat()})

    assert response.context["timeline"].columns == []


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_user_who_is_not_staff_is_sent_to_the_login_page(client, demo):
    user = User.objects.create_user("visitor", password="pw")
    user.user_permissions.set(Permission.objects.filter(codename="view_appointment"))
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_the_view_appointment_permission_are_refused(client, demo):
    client.force_login(staff_user("cleaner", perms=("view_service",)))

    assert client.get(URL).status_code == 403
    assert f'href="{URL}"' not in client.get(reverse("admin:index")).content.decode()


# --- cost ---------------------------------------------------------------------------------------

MAX_QUERIES = 11  # one of them the time blocks


def salon_with_masters(count: int, day: date) -> None:
    """``count`` masters of every kind the schedule knows, each with two appointments."""
    f.site_settings(timezone="Europe/Berlin", holidays_country="DE", holidays_subdiv="ST")
    f.booking_settings(work_start_weekdays="09:00", work_end_weekdays="18:00")
    service = f.service(duration=45)
    for n in range(count):
        hours = {day.weekday(): ("09:00", "17:00", "12:00", "12:30")} if n % 2 else None
        master = f.master(hours=hours, categories=[service.category])
        if n % 5 == 4:
            f.day_off(master, day)
        for start in ("10:00", "14:00"):
            f.appointment(master=master, service=service, start=at(day, start), client=f.client())


@pytest.mark.parametrize("masters", [4, 20])
def test_the_page_costs_the_same_queries_for_4_and_20_masters(client, django_assert_max_num_queries, masters):
    day = f.next_weekday(2)
    salon_with_masters(masters, day)
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    client.get(URL, {"date": day.isoformat()})  # warm-up: the session and settings rows exist

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(URL, {"date": day.isoformat()})

    assert len(response.context["timeline"].columns) == masters
    assert sum(len(c.blocks) for c in response.context["timeline"].columns) == 2 * masters


def test_building_the_timeline_queries_the_same_for_4_and_20_masters():
    day = f.next_weekday(2)
    salon_with_masters(4, day)
    with CaptureQueriesContext(connection) as few:
        build_day_timeline(day)
    salon_with_masters(16, day)
    with CaptureQueriesContext(connection) as many:
        build_day_timeline(day)

    assert len(few) == len(many)
