"""A day off over booked visits, as a receptionist does it in a real browser: the admin shows
the visits the day off would hit before saving anything, and "cancel and tell the clients"
saves the day off, cancels the visits and queues one message per client.

Screenshots for a human (artifacts/): schedule-change-confirmation.png,
schedule-change-saved.png.
"""

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from djproject.salon.models import Appointment, Client, DayOff, Notification, SiteSettings
from tests.browser.conftest import BrowserThread
from tests.browser.test_timeline_booking_in_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Seen:
    confirmation_text: str
    listed_visits: int
    saved_url: str


def take_a_day_off(browser: Any, base_url: str, master_id: int, day: str, out: Path) -> Seen:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, base_url)
        page.goto(f"{base_url}/admin/salon/dayoff/add/")
        page.select_option("#id_master", str(master_id))
        page.fill("#id_date", day)
        page.fill("#id_reason", "ill")
        page.click("input[name=_save]")
        page.wait_for_selector(".affected-visit")
        text = page.locator("#content").inner_text()
        listed = page.locator(".affected-visit").count()
        page.screenshot(path=str(out / "schedule-change-confirmation.png"), full_page=True)
        page.click("button.default")
        page.wait_for_url("**/admin/salon/dayoff/")
        page.screenshot(path=str(out / "schedule-change-saved.png"), full_page=True)
        return Seen(confirmation_text=text, listed_visits=listed, saved_url=page.url)
    finally:
        context.close()


def test_a_day_off_over_booked_visits_is_confirmed_before_it_cancels_and_tells_the_clients(
    live_server: Any, browser: BrowserThread, artifacts: Path
) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    tz = SiteSettings.load().tz
    first = (
        Appointment.objects.filter(status__in=Appointment.ACTIVE_STATUSES, datetime_start__gt=timezone.now())
        .select_related("master")
        .order_by("datetime_start")
        .first()
    )
    day = timezone.localtime(first.datetime_start, tz).date()
    hit = Appointment.objects.filter(
        master=first.master,
        status__in=Appointment.ACTIVE_STATUSES,
        datetime_start__date=day,  # salon time: TIME_ZONE is the salon's zone in the demo
    )
    visits = {a.booking_ref for a in hit}
    for number, client_id in enumerate({a.client_id for a in hit}, start=1):  # demo clients have none
        Client.objects.filter(pk=client_id).update(telegram_id=900_000 + number)

    seen = browser.run(take_a_day_off, live_server.url, first.master.pk, day.isoformat(), artifacts)

    assert seen.listed_visits == len(visits)
    assert "Save, cancel these visits and tell the clients" in seen.confirmation_text
    assert DayOff.objects.filter(master=first.master, date=day).exists()
    assert not Appointment.objects.filter(pk__in=[a.pk for a in hit], status__in=Appointment.ACTIVE_STATUSES)
    told = Notification.objects.filter(
        kind=Notification.KIND_CANCELLED, audience=Notification.AUDIENCE_CLIENT
    )
    assert told.count() == len(visits)
    assert all(n.payload.get("rebook") for n in told)
