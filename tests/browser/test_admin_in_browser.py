"""A staff member's path through the admin in a real browser: log in, open the day timeline,
pick the demo's busy day, and click a block through to the appointment.

The test's thread seeds and reads the database; the browser scenario runs in Playwright's
thread (see conftest) and returns what it saw. Screenshots land in artifacts/ (timeline.png,
timeline-dark.png, appointment.png) for a human to look at.
"""

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from djproject.salon.models import Appointment, SiteSettings
from tests.browser.conftest import BrowserThread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Seen:
    """What the browser found on the way."""

    block_count: int
    block_text: str
    block_height: float
    grid_display: str
    break_shades: int
    appointment_url: str
    appointment_status: str


def open_timeline_and_click(browser: Any, base_url: str, day: date, appointment_id: int, out: Path) -> Seen:
    """Log in, go from the index to the timeline, pick ``day``, click the appointment's block."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{base_url}/admin/")
        page.fill("#id_username", "admin")
        page.fill("#id_password", "salon-demo")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")

        page.click("a:has-text('Day timeline')")
        page.wait_for_url("**/admin/timeline/")
        page.fill("#tl-date", day.isoformat())
        page.click("input[type=submit][value='Show']")
        page.wait_for_url(f"**/admin/timeline/?date={day.isoformat()}*")  # + the picker's fields

        block = page.locator(f"a.tl-block[data-appointment='{appointment_id}']")
        seen = {
            "block_count": page.locator("a.tl-block").count(),
            "block_text": block.inner_text(),
            "block_height": block.bounding_box()["height"],
            "grid_display": page.locator(".tl-grid").evaluate("e => getComputedStyle(e).display"),
            "break_shades": page.locator(".tl-shade-break").count(),
        }
        page.screenshot(path=str(out / "timeline.png"), full_page=True)
        page.emulate_media(color_scheme="dark")
        page.screenshot(path=str(out / "timeline-dark.png"), full_page=True)
        page.emulate_media(color_scheme="light")

        block.click()
        page.wait_for_url(f"**/admin/salon/appointment/{appointment_id}/change/")
        page.screenshot(path=str(out / "appointment.png"), full_page=True)
        return Seen(
            **seen, appointment_url=page.url, appointment_status=page.locator("#id_status").input_value()
        )
    finally:
        context.close()


def test_staff_open_the_day_timeline_and_click_a_block_through_to_the_appointment(
    live_server: Any, browser: BrowserThread, artifacts: Path
) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    tz = SiteSettings.load().tz
    first = Appointment.objects.select_related("client", "service").order_by("datetime_start").first()
    day = timezone.localtime(first.datetime_start, tz).date()
    booked_that_day = [
        a
        for a in Appointment.objects.exclude(status=Appointment.STATUS_CANCELLED)
        if timezone.localtime(a.datetime_start, tz).date() == day
    ]

    seen = browser.run(open_timeline_and_click, live_server.url, day, first.pk, artifacts)

    assert seen.block_count == len(booked_that_day)
    assert first.client.name in seen.block_text
    assert first.service.name in seen.block_text
    assert timezone.localtime(first.datetime_start, tz).strftime("%H:%M") in seen.block_text
    # The stylesheet arrived and the grid laid the block out as a box, not a line of text.
    assert seen.grid_display == "grid"
    assert seen.block_height > 40
    assert seen.break_shades >= 1
    assert seen.appointment_url.endswith(f"/admin/salon/appointment/{first.pk}/change/")
    assert seen.appointment_status == first.status
    assert (artifacts / "timeline.png").stat().st_size > 0
    assert (artifacts / "appointment.png").stat().st_size > 0
