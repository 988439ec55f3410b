"""Booking conversations through the real dispatcher, against the demo salon."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from icalendar import Calendar

from djproject.salon.models import BookingSettings
from tests.bot.flows import (
    choose_services,
    client_of,
    give_phone,
    times,
    to_times,
    to_times_of_a_later_day,
    visits_of,
)
from tests.moments import salon_today

pytestmark = pytest.mark.django_db(transaction=True)


async def test_start_greets_with_the_salon_name_and_shows_the_menu(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    assert "Welcome to Salon Aurora!" in user.text
    assert user.buttons() == ["📅 Book", "🗂 My bookings", "🌐 Language", "📍 Contacts"]


async def test_single_service_booking_asks_the_phone_once_and_sends_an_ics(demo_salon, make_user, telegram):
    user = make_user()
    await to_times(user, ("Hair", "Women's haircut"), master="Anna")
    assert "(salon time)" in user.text
    first = times(user)[0]
    await user.press(first)
    assert "Please check your booking:" in user.text
    assert f"{first} Women's haircut · Anna · 1 h · €45.00" in user.text
    assert "Master: Anna" in user.text and f"Time: {first}" in user.text
    await user.press("✅ Confirm")
    assert "share your phone number" in user.text
    assert user.buttons() == ["📱 Share my phone number", "◀ Back", "✖ Close"]  # reply keyboard

    await user.press("📱 Share my phone number")

    assert "✅ You are booked!" in user.text
    assert user.buttons() == ["🗂 My bookings", "🏠 Main menu"]
    assert user.chat.reply_keyboard is None  # the contact keyboard is gone
    (document,) = user.documents()
    assert document.document["file_name"] == "visit.ics"
    event = Calendar.from_ical(telegram.files[document.document["file_id"]]).walk("VEVENT")[0]
    (visit,) = await visits_of(user)
    assert event["UID"] == f"{visit.ref}@salon-booking-bot"
    assert event.decoded("DTSTART") == visit.starts_at
    assert f"{visit.starts_at:%H:%M}" == first and visit.items[0].master_name == "Anna"
    assert (await client_of(user)).phone

    await user.press("🗂 My bookings")
    assert "Your upcoming visits:" in user.text and len(user.buttons()) == 3
    await user.press("◀ Back")
    assert "Welcome to Salon Aurora!" in user.text

    # The phone is asked once: the next booking goes straight from Confirm to done.
    await choose_services(user, ("Hair", "Blow-dry"))
    await user.press("Anna")
    await user.press("⚡ Nearest free date")
    await user.press(times(user)[-1])
    await user.press("✅ Confirm")
    assert "✅ You are booked!" in user.text
    assert len(await visits_of(user)) == 2


async def test_multi_service_visit_books_every_service_in_one_visit(demo_salon, make_user):
    user = make_user()
    await give_phone(user)
    await user.send_text("/start")
    await choose_services(user, ("Hair", "Men's haircut"), ("Beauty", "Brow shaping"))
    # Only masters who do both (Boris: Hair and Beauty), plus Any master.
    assert user.buttons()[:2] == ["Boris", "Any master"]
    await user.press("Boris")
    await user.press("⚡ Nearest free date")
    await user.press(times(user)[0])
    assert "Duration: 50 min" in user.text and "Price: €40.00" in user.text
    await user.press("✅ Confirm")
    (visit,) = await visits_of(user)
    assert [item.service_name for item in visit.items] == ["Men's haircut", "Brow shaping"]
    assert {item.master_name for item in visit.items} == {"Boris"}


async def test_cart_back_removes_the_last_service(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    await user.press("📅 Book")
    await user.press("Nails")
    await user.press(next(b for b in user.buttons() if b.startswith("Manicure")))
    assert "Manicure" in user.text
    await user.press("◀ Back")
    assert user.text.startswith("Choose a service:")
    assert any(b.startswith("Manicure") for b in user.buttons())


async def test_any_master_books_with_whoever_is_free(demo_salon, make_user):
    user = make_user()
    await give_phone(user)
    await to_times(user, ("Nails", "Gel polish"))
    await user.press(times(user)[0])
    summary = user.text
    await user.press("✅ Confirm")
    (visit,) = await visits_of(user)
    assert visit.items[0].master_name in {"Clara", "Dana"}
    assert f"Master: {visit.items[0].master_name}" in summary  # who it will be, not "Any master"


async def test_nearest_free_date_opens_the_times_of_the_first_free_day(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    await choose_services(user, ("Beauty", "Facial"))
    await user.press("Dana")
    await user.press("⚡ Nearest free date")
    assert user.text.startswith("Free times on ")
    assert times(user)
    assert user.buttons()[-2:] == ["◀ Back", "✖ Close"]


async def test_calendar_is_monday_first_and_marks_days(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    await choose_services(user, ("Hair", "Women's haircut"))
    await user.press("Anna")
    keyboard = user.keyboard_message().inline_keyboard
    assert [b["text"] for b in keyboard[1]] == ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
    assert keyboard[0][1]["text"] == salon_today().strftime("%B %Y")
    day_cells = [b["text"] for row in keyboard[2:-2] for b in row]
    # Anna never works at weekends: Saturdays and Sundays are closed or past, never numbers.
    for row in keyboard[2:-2]:
        assert not row[5]["text"].isdigit() and not row[6]["text"].isdigit()
    assert any(cell.isdigit() for cell in day_cells) or keyboard[0][2]["text"] == "▶"
    assert keyboard[0][0]["text"] == " "  # nothing to go back to before this month


async def test_calendar_navigation_stays_inside_the_booking_window(demo_salon, make_user):
    today = salon_today()
    last_day = today + timedelta(days=60)  # the demo salon books 60 days ahead
    # Two or three months further on: from 2 December the window ends on 31 January.
    months_ahead = (last_day.year - today.year) * 12 + last_day.month - today.month
    user = make_user()
    await user.send_text("/start")
    await choose_services(user, ("Hair", "Women's haircut"))
    await user.press("Anna")
    pages = 0
    while "▶" in user.buttons():
        await user.press("▶")
        pages += 1
        assert pages <= months_ahead
    assert pages == months_ahead
    last_month_keyboard = user.keyboard_message().inline_keyboard
    assert last_month_keyboard[0][1]["text"] == last_day.strftime("%B %Y")
    assert last_month_keyboard[0][2]["text"] == " "
    await user.press("◀")
    assert "▶" in user.buttons()


async def test_pressing_a_closed_day_explains_and_books_nothing(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    await choose_services(user, ("Hair", "Women's haircut"))
    await user.press("Anna")
    if "—" not in user.buttons():  # late in the month every weekend may be past already
        await user.press("▶")
    screen = user.text
    await user.press("—")
    toast = user.telegram.calls_of("answerCallbackQuery")[-1].params.get("text", "")
    assert "This day cannot be booked" in toast  # said in a toast; the screen stays as it is
    assert user.text == screen


async def test_slot_taken_a_second_ago_is_offered_again_with_fresh_times(demo_salon, make_user):
    """Two clients race for one slot: one wins, the other sees the day's fresh times."""
    anna, boris = make_user(first_name="Anna"), make_user(first_name="Boris")
    for user in (anna, boris):
        await give_phone(user)
        await to_times_of_a_later_day(user, ("Hair", "Colouring"), master="Anna")
    slot = times(anna)[0]
    assert slot in times(boris)
    for user in (anna, boris):
        await user.press(slot)

    await asyncio.gather(anna.press("✅ Confirm"), boris.press("✅ Confirm"))

    winners = [u for u in (anna, boris) if "✅ You are booked!" in u.text]
    (loser,) = [u for u in (anna, boris) if u not in winners]
    assert len(winners) == 1
    assert "was taken a moment ago" in loser.text
    assert slot not in times(loser) and times(loser)
    assert not await visits_of(loser)
    await loser.press(times(loser)[0])
    await loser.press("✅ Confirm")
    assert "✅ You are booked!" in loser.text


async def test_typed_phone_number_is_accepted_and_nonsense_is_not(demo_salon, make_user):
    user = make_user()
    await to_times(user, ("Hair", "Blow-dry"))
    await user.press(times(user)[0])
    await user.press("✅ Confirm")
    await user.send_text("call me maybe")
    assert "does not look like a phone number" in user.text
    await user.send_text("+49 (151) 222-33-44")
    assert "✅ You are booked!" in user.text
    assert (await client_of(user)).phone == "+491512223344"


async def test_back_from_the_phone_step_returns_to_the_summary(demo_salon, make_user):
    user = make_user()
    await to_times(user, ("Hair", "Blow-dry"))
    await user.press(times(user)[0])
    await user.press("✅ Confirm")
    await user.press("◀ Back")
    assert user.text.startswith("Please check your booking:")
    assert user.chat.reply_keyboard is None
    assert user.buttons() == ["✅ Confirm", "◀ Back", "✖ Close"]
    await user.press("✅ Confirm")
    await user.press("✖ Close")
    assert "Welcome to Salon Aurora!" in user.text
    assert not await visits_of(user)


async def test_someone_elses_contact_is_not_taken_as_the_clients_phone(demo_salon, make_user):
    user = make_user()
    await to_times(user, ("Hair", "Blow-dry"))
    await user.press(times(user)[0])
    await user.press("✅ Confirm")
    await user.share_contact("+49 170 0000000", user_id=user.user_id + 1)
    assert "your own phone number" in user.text
    assert not (await client_of(user)).phone


async def test_a_client_at_the_visit_limit_is_told_why_nothing_was_booked(demo_salon, make_user):
    await sync_to_async(_set_visit_limit)(1)
    user = make_user()
    await give_phone(user)
    await to_times(user, ("Hair", "Women's haircut"), master="Anna")
    await user.press(times(user)[0])
    await user.press("✅ Confirm")
    assert "✅ You are booked!" in user.text

    await to_times(user, ("Hair", "Women's haircut"), master="Anna")
    await user.press(times(user)[-1])
    await user.press("✅ Confirm")

    assert "You already have as many upcoming visits as we can hold for one client (1)." in user.text
    assert "Cancel one in My bookings" in user.text
    assert len(await visits_of(user)) == 1


def _set_visit_limit(limit: int) -> None:
    settings = BookingSettings.load()
    settings.max_active_visits_per_client = limit
    settings.save()
