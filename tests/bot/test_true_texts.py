"""Say what is true: summaries name who does what and when, success and warning notices look
different, the flow's closing button is not confused with cancelling a visit, and Russian
date phrases need no case the formatter cannot give."""

from __future__ import annotations

import pytest

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
