"""Booking by phone from the timeline in a real browser: click a free cell, get the add form
prefilled with master, date and time, pick the service (duration and price fill in), type
the caller's name and phone, save, and find the visit in the list.

Screenshots for a human (artifacts/): timeline-free-cells.png, appointment-add-prefilled.png,
appointment-list-upcoming.png, timeline-week.png, timeline-phone.png.
"""

import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from djproject.salon.models import Appointment, Client, Master, Service, SiteSettings
from djproject.salon.timeline import ROW_MINUTES, FreeCell, build_day_timeline
from tests.browser.conftest import BrowserThread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALLER, CALLER_PHONE = "Paula Phone", "0151 7654 321"


@dataclass(frozen=True)
class Seen:
    """What the browser found on the way."""

    form_master: str
    form_date: str
    form_time: str
    duration_after_choice: str
    price_after_choice: str
    saved_url: str
    list_text: str
    phone_grid_width: float
    phone_viewport_width: int


def log_in(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "salon-demo")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def book_from_a_free_cell(
    browser: Any, base_url: str, day: date, master_id: int, start: str, service_id: int, out: Path
) -> Seen:
    """Timeline → free cell → add form → save → list; then the week and the phone layout."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, base_url)
        page.goto(f"{base_url}/admin/timeline/?date={day.isoformat()}")
        cell = page.locator(f"a.tl-free[data-master='{master_id}'][data-start='{start}']")
        cell.hover()
        page.screenshot(path=str(out / "timeline-free-cells.png"), full_page=True)
        cell.click()
        page.wait_for_url("**/admin/salon/appointment/add/**")
        seen = {
            "form_master": page.locator("#id_master").input_value(),
            "form_date": page.locator("#id_datetime_start_0").input_value(),
            "form_time": page.locator("#id_datetime_start_1").input_value(),
        }
        page.select_option("#id_service", str(service_id))
        seen["duration_after_choice"] = page.locator("#id_duration_minutes").input_value()
        seen["price_after_choice"] = page.locator("#id_price").input_value()
        page.fill("#id_new_client_name", CALLER)
        page.fill("#id_new_client_phone", CALLER_PHONE)
        page.screenshot(path=str(out / "appointment-add-prefilled.png"), full_page=True)
        page.click("input[name=_save]")
        page.wait_for_url("**/admin/salon/appointment/")
        seen["saved_url"] = page.url
        seen["list_text"] = page.locator("#result_list").inner_text()
        page.screenshot(path=str(out / "appointment-list-upcoming.png"), full_page=True)

        page.goto(f"{base_url}/admin/timeline/?date={day.isoformat()}&master={master_id}&view=week")
        page.screenshot(path=str(out / "timeline-week.png"), full_page=True)
    finally:
        context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, base_url)
        page.goto(f"{base_url}/admin/timeline/?date={day.isoformat()}&master={master_id}")
        seen["phone_grid_width"] = page.locator(".tl-grid").bounding_box()["width"]
        seen["phone_viewport_width"] = page.evaluate("() => document.documentElement.clientWidth")
        page.screenshot(path=str(out / "timeline-phone.png"), full_page=True)
    finally:
        phone.close()
    return Seen(**seen)


def roomy_cell(cells: list[FreeCell], minutes: int) -> FreeCell:
    """A free cell with a free row before it (no cleanup or buffer of a previous visit) and
    enough free rows after it for the service."""
    starts = {c.starts for c in cells}
    needed = -(-minutes // ROW_MINUTES)
    step = timedelta(minutes=ROW_MINUTES)
    return next(
        c
        for c in cells
        if c.starts - step in starts and all(c.starts + n * step in starts for n in range(needed))
    )


def test_staff_click_a_free_cell_and_save_an_appointment_for_a_new_caller(
    live_server: Any, browser: BrowserThread, artifacts: Path
) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    tz = SiteSettings.load().tz
    first = Appointment.objects.select_related("master").order_by("datetime_start").first()
    day = timezone.localtime(first.datetime_start, tz).date()
    master = first.master
    service = Service.objects.filter(category__in=master.categories.all(), is_active=True).order_by(
        "duration"
    )[0]
    column = next(c for c in build_day_timeline(day).columns if c.master_id == master.pk)
    cell = roomy_cell(column.free_cells, service.duration)
    start = cell.starts.strftime("%Y-%m-%dT%H:%M")

    seen = browser.run(book_from_a_free_cell, live_server.url, day, master.pk, start, service.pk, artifacts)

    assert seen.form_master == str(master.pk)
    assert seen.form_date == day.isoformat() or seen.form_date == day.strftime("%d.%m.%Y")
    assert seen.form_time.startswith(cell.starts.strftime("%H:%M"))
    assert seen.duration_after_choice == str(service.duration)
    assert seen.price_after_choice == str(service.price)
    saved = Appointment.objects.select_related("client").get(client__name=CALLER)
    assert saved.master == master and saved.service == service
    assert saved.datetime_start == cell.starts
    assert saved.duration_minutes == service.duration and saved.price == service.price
    assert saved.source == Appointment.SOURCE_ADMIN
    assert Client.objects.get(name=CALLER).phone == "+491517654321"
    assert CALLER in seen.list_text
    # A phone gets one master's column that fits the screen: no sideways scrolling.
    assert seen.phone_grid_width <= seen.phone_viewport_width
    assert Master.objects.filter(pk=master.pk).exists()
    for name in (
        "timeline-free-cells.png",
        "appointment-add-prefilled.png",
        "appointment-list-upcoming.png",
        "timeline-week.png",
        "timeline-phone.png",
    ):
        assert (artifacts / name).stat().st_size > 0
