"""Booking on the nights the clocks change, through the real dispatcher.

On 25 October 2026 Berlin's clocks go back at 03:00, so 02:00–02:59 comes twice: the time
buttons tell the two apart and the second one can be booked. On 29 March the clocks skip
02:00–02:59: a booking that still names such a time is refused with a clear line.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from asgiref.sync import sync_to_async
from icalendar import Calendar

from djproject.salon.models import Appointment
from tests import factories as f
from tests.bot.flows import give_phone
from tests.moments import BERLIN

pytestmark = pytest.mark.django_db(transaction=True)

SUNDAY = 6


def night_salon(timezone: str) -> None:
    """One category, a 30-minute trim, and Anna, who works Sundays 00:00–04:00 salon time."""
    f.site_settings(salon_name="Night Salon", timezone=timezone, holidays_country="DE", holidays_subdiv="ST")
    f.booking_settings(step_minutes=30, min_advance_minutes=60, max_advance_days=60)
    hair = f.category(name="Hair")
    f.service(category=hair, name="Trim", duration=30)
    f.master(name="Anna", categories=[hair], hours={SUNDAY: ("00:00", "04:00")})


@pytest.fixture
def autumn() -> Iterator[None]:
    """The Thursday before the clocks go back, noon; the salon set up in Berlin time."""
    with time_machine.travel(datetime(2026, 10, 22, 12, 0, tzinfo=BERLIN), tick=True):
        night_salon("Europe/Berlin")
        yield


@pytest.fixture
def spring() -> Iterator[None]:
    """The Thursday before the clocks go forward, noon; the salon still set to UTC."""
    with time_machine.travel(datetime(2026, 3, 26, 12, 0, tzinfo=BERLIN), tick=True):
        night_salon("UTC")
        yield


async def to_sunday_times(user) -> None:
    await user.send_text("/start")
    await user.press("📅 Book")
    await user.press("Trim · 30 min · €30.00")
    await user.press("Continue ▶")
    await user.press("Anna")
    await user.press("⚡ Nearest free date")


@pytest.mark.usefixtures("autumn")
async def test_the_second_half_past_two_is_offered_labelled_and_booked(make_user):
    user = make_user()
    await give_phone(user)
    await to_sunday_times(user)

    assert "Sunday, October 25, 2026" in user.text
    assert "some times come twice: (1st) is before the change, (2nd) after it" in user.text
    assert user.buttons()[:10] == [
        "00:00",
        "00:30",
        "01:00",
        "01:30",
        "02:00 (1st)",
        "02:30 (1st)",
        "02:00 (2nd)",
        "02:30 (2nd)",
        "03:00",
        "03:30",
    ]

    await user.press("02:30 (2nd)")
    assert "Time: 02:30 (2nd)" in user.text
    await user.press("✅ Confirm")

    assert "✅ You are booked!" in user.text
    assert "Time: 02:30 (2nd)" in user.text and "Duration: 30 min" in user.text
    appt = await sync_to_async(Appointment.objects.get)()
    assert appt.datetime_start == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, not CEST

    await user.press("🗂 My bookings")  # the list names the same one of the two
    assert any("02:30 (2nd)" in label for label in user.buttons())


@pytest.mark.usefixtures("spring")
async def test_a_time_the_clocks_skip_is_refused_with_a_clear_notice(make_user):
    user = make_user()
    await give_phone(user)
    await to_sunday_times(user)
    await user.press("02:30")  # a real time while the salon keeps UTC
    assert "Time: 02:30" in user.text
    # Staff set the salon's time zone to Berlin before the client confirms.
    await sync_to_async(f.site_settings)(timezone="Europe/Berlin")

    await user.press("✅ Confirm")

    assert "02:30 does not exist on Sunday, March 29, 2026: the clocks jump forward" in user.text
    assert "02:30" not in user.buttons() and "03:00" in user.buttons()
    assert not await sync_to_async(Appointment.objects.exists)()


@pytest.mark.usefixtures("autumn")
async def test_the_calendar_file_names_which_half_past_two_like_the_chat(make_user, telegram):
    # Given a client who books the second 02:30 of the night the clocks go back
    user = make_user()
    await give_phone(user)
    await to_sunday_times(user)
    await user.press("02:30 (2nd)")

    # When the booking is confirmed and the .ics file sent
    await user.press("✅ Confirm")

    # Then its description says which 02:30, as the chat does, and the event is at that one
    # (a local 02:30 with a TZID means the first one, RFC 5545 §3.3.5)
    (document,) = user.documents()
    event = Calendar.from_ical(telegram.files[document.document["file_id"]]).walk("VEVENT")[0]
    assert str(event["description"]).splitlines()[0] == "02:30 (2nd) Trim (Anna)"
    assert event.decoded("dtstart") == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)
