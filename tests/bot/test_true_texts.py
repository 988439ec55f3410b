"""Say what is true: summaries name who does what and when, success and warning notices look
different, the flow's closing button is not confused with cancelling a visit, and Russian
date phrases need no case the formatter cannot give."""

from __future__ import annotations

from datetime import date

import pytest
from asgiref.sync import sync_to_async
from babel.dates import format_date

from djproject.salon import services
from djproject.salon.models import Master, Service
from tests.bot.flows import choose_services, give_phone, times, to_times_of_a_later_day, visits_of

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_multi_master_summary_names_who_does_what_and_when(frozen_clock, demo_salon, make_user):
    user = make_user()
    await give_phone(user)
    await user.send_text("/start")
    await choose_services(user, ("Hair", "Women's haircut"), ("Nails", "Manicure"))
    await user.press("Any master")
    await user.press("⚡ Nearest free date")
    await user.press(times(user)[0])

    summary = user.text
    assert "Any master" not in summary
    await user.press("✅ Confirm")
    (visit,) = await visits_of(user)
    for item in visit.items:
        assert f"{item.starts_at:%H:%M} {item.service_name} · {item.master_name}" in summary, summary
    assert len({item.master_name for item in visit.items}) == 2


async def test_the_done_screens_name_who_does_what_and_when(frozen_clock, demo_salon, make_user):
    # Given a client booking two services that two masters share
    user = make_user()
    await give_phone(user)
    picks = (("Hair", "Women's haircut"), ("Nails", "Manicure"))
    await to_times_of_a_later_day(user, *picks, master="Any master")
    await user.press(times(user)[0])

    # When they confirm, and later move the visit
    await user.press("✅ Confirm")
    booked = user.text
    (visit,) = await visits_of(user)
    await user.press("🗂 My bookings")
    await user.press(user.buttons()[0])
    await user.press("🔁 Reschedule")
    await user.press("⚡ Nearest free date")
    await user.press(times(user)[-1])
    await user.press("✅ Confirm")
    moved = user.text
    (visit_now,) = await visits_of(user)

    # Then each done screen lists every service with its time and master, in visit order
    for text, shown in ((booked, visit), (moved, visit_now)):
        lines = [f"• {i.starts_at:%H:%M} {i.service_name} · {i.master_name}" for i in shown.items]
        assert "\n".join(lines) in text, text
        assert len({i.master_name for i in shown.items}) == 2


async def test_the_reschedule_summary_names_the_visits_masters(frozen_clock, demo_salon, make_user):
    user = make_user()
    await give_phone(user)
    # A later day: a visit inside the cancellation cutoff could not be moved.
    picks = (("Hair", "Women's haircut"), ("Nails", "Manicure"))
    await to_times_of_a_later_day(user, *picks, master="Any master")
    await user.press(times(user)[0])
    await user.press("✅ Confirm")
    (visit,) = await visits_of(user)
    masters = sorted({item.master_name for item in visit.items})

    await user.press("🗂 My bookings")
    await user.press(user.buttons()[0])
    await user.press("🔁 Reschedule")
    await user.press("⚡ Nearest free date")
    await user.press(times(user)[-1])

    assert "Move your visit" in user.text
    assert "Any master" not in user.text
    assert all(name in user.text for name in masters), user.text


async def test_language_saved_is_a_success_not_a_warning(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    await user.press("🌐 Language")
    await user.press("Deutsch")
    assert user.text.startswith("✅ ")
    assert "⚠️" not in user.text


async def test_the_flow_closes_with_close_not_cancel(demo_salon, make_user):
    user = make_user()
    await user.send_text("/start")
    await user.press("📅 Book")
    assert "✖ Close" in user.buttons() and "✖ Cancel" not in user.buttons()


async def test_russian_times_screen_has_no_nominative_after_a_preposition(
    frozen_clock, demo_salon, make_user
):
    user = make_user("ru")
    await user.send_text("/start")
    await user.press("📅 Записаться")
    await user.press("Волосы")
    await user.press(next(b for b in user.buttons() if b.startswith("Женская стрижка")))
    await user.press("Далее ▶")
    await user.press("Анна")
    await user.press(user.buttons()[-3])  # ⚡ the nearest free date, above Back and Close

    assert user.text.startswith("Свободное время — ")
    assert "на понедельник" not in user.text and "на среда" not in user.text and "на пятница" not in user.text


def _saturday_cells(user) -> list[str]:
    """The Saturday column of the calendar in view (rows after the title and weekday names)."""
    keyboard = user.keyboard_message().inline_keyboard
    assert keyboard[1][5]["text"] == "Sa", keyboard[1]
    return [row[5]["text"] for row in keyboard[2:] if len(row) == 7 and row[5]["text"].strip()]


async def _reschedule_a_visit_with(user, pick: tuple[str, str], master: str) -> None:
    await give_phone(user)
    await to_times_of_a_later_day(user, pick, master=master)
    await user.press(times(user)[0])
    await user.press("✅ Confirm")
    await user.press("🗂 My bookings")
    await user.press(user.buttons()[0])
    await user.press("🔁 Reschedule")


async def test_the_reschedule_calendar_offers_the_saturdays_of_a_master_who_works_them(
    frozen_clock, demo_salon, make_user
):
    # Given a visit with Boris, who works Tuesday to Saturday; when the client moves it
    user = make_user()
    await _reschedule_a_visit_with(user, ("Hair", "Men's haircut"), "Boris")

    # Then December's Saturdays are free (5, 12, 19) or a holiday (26)
    assert _saturday_cells(user) == ["5", "12", "19", "★"]


async def test_the_reschedule_calendar_says_the_master_is_off_on_the_salons_open_saturdays(
    frozen_clock, demo_salon, make_user
):
    # Given a visit with Anna, who works Monday to Friday in a salon open on Saturdays
    user = make_user()
    await _reschedule_a_visit_with(user, ("Hair", "Women's haircut"), "Anna")

    # Then the Saturdays are her days off, not "— closed" (the salon is open); Sundays are closed
    assert _saturday_cells(user) == ["○", "○", "○", "★"]
    assert "○ master not working" in user.text and "— closed" in user.text
    keyboard = user.keyboard_message().inline_keyboard
    assert {row[6]["text"] for row in keyboard[2:] if len(row) == 7 and row[6]["text"].strip()} == {"—"}


def _book(telegram_id: int, service: str, master: str, day: date) -> None:
    """A visit booked through the salon services, as the bot would (its first free time)."""
    service_id = Service.objects.get(name=service).pk
    master_id = Master.objects.get(name=master).pk
    slots = services.day_slots([service_id], master_id, day)
    services.book_visit(telegram_id, [service_id], master_id, day, slots[0])


def _assert_russian_day_governs_nothing(text: str, day: str) -> None:
    """Babel's full Russian date is nominative ("пятница, 4 декабря 2026 г."): it may open a
    line or stand after "(", ": " or "— ", never after a word that would need another case."""
    assert day in text, text
    for before in text.split(day)[:-1]:
        assert before == "" or before.endswith(("(", ": ", "— ", "\n")), text


async def test_russian_visit_screens_put_no_word_before_the_nominative_date(
    frozen_clock, demo_salon, make_user
):
    # Given a Russian-speaking client with a visit on Thursday 3 December
    user = make_user("ru")
    await give_phone(user)
    await sync_to_async(_book)(user.user_id, "Men's haircut", "Boris", date(2026, 12, 3))
    day = format_date(date(2026, 12, 3), "full", locale="ru")  # "четверг, 3 декабря 2026 г."
    await user.send_text("/start")

    # When they open it, start cancelling it, and start moving it
    await user.press("🗂 Мои записи")
    await user.press(user.buttons()[0])
    opened = user.text
    await user.press("❌ Отменить визит")
    cancelling = user.text
    await user.send_text("/start")
    await user.press("🗂 Мои записи")
    await user.press(user.buttons()[0])
    await user.press("🔁 Перенести")
    moving = user.text
    await user.press("⚡ Ближайшая свободная дата")
    await user.press(times(user)[-1])
    summary = user.text

    # Then the date never follows a preposition or a noun it would have to agree with
    for text in (opened, cancelling, moving, summary):
        _assert_russian_day_governs_nothing(text, day)
