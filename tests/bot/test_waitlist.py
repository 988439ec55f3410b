"""The waitlist through the real dispatcher and sender, Telegram simulated at the Bot API: a
client waits for a full day, hears of a cancellation within one sender cycle and books the
freed time; a second waiting client is told it has gone and stays on the list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from asgiref.sync import sync_to_async

from bot.local_session import SimulatedUser
from djproject.salon import services, staff, waitlist
from djproject.salon.models import Notification, WaitlistEntry
from tests import factories as f
from tests.bot.flows import give_phone, visits_of
from tests.moments import NOW, WEDNESDAY, local

pytestmark = pytest.mark.django_db(transaction=True)

N = Notification
WEDNESDAY_TEXT = "Wednesday, December 2, 2026"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def full_wednesday(salon: Any, clock: Any) -> list[services.Visit]:
    """Anna cuts hair on Wednesdays 09:00-13:00 and Thursdays 09:00-10:00; Wednesday 2 December
    and Thursday 3 December are fully booked."""
    cut = f.service(category=salon, name="Cut", duration=60)
    anna = f.master(name="Anna", categories=[salon], hours={2: ("09:00", "13:00"), 3: ("09:00", "10:00")})
    visits = []
    for day, hour in [(WEDNESDAY, h) for h in ("09:00", "10:00", "11:00", "12:00")] + [
        (WEDNESDAY + timedelta(days=1), "09:00")
    ]:
        visits.append(services.book_visit(f.client().telegram_id, [cut.pk], anna.pk, day, hour))
    return visits


async def wait_for_wednesday(user: SimulatedUser, *, master: str = "Anna", until: str | None = None) -> None:
    """Book → Cut → master → the ✕ of Wednesday → only that day, or until a later day."""
    await user.send_text("/start")
    await user.press("📅 Book")
    await user.press(next(label for label in user.buttons() if label.startswith("Cut · ")))
    await user.press("Continue ▶")
    await user.press(master)
    await user.press("✕")  # Wednesday 2 December: the first fully booked day
    assert f"Notify me if a time frees up on {WEDNESDAY_TEXT}" in user.text
    await user.press(until or "🔔 Only this day")
    assert user.text.startswith("🔔 You are on the waitlist for")


def _cancel(visit: services.Visit) -> None:
    owner = (
        services.Appointment.objects.filter(booking_ref=visit.ref)
        .values_list("client__telegram_id", flat=True)
        .first()
    )
    services.cancel_visit(owner, visit.ref)


def transcript(user: SimulatedUser) -> str:
    """What the client's chat shows, message by message, with the buttons under each."""
    lines = []
    for message in user.bot_messages():
        lines.append(f"bot> {message.text or message.caption or ''}")
        for row in message.inline_keyboard or []:
            lines.append("     " + " | ".join(f"[{button['text']}]" for button in row))
    return "\n".join(lines)


async def test_the_first_waiting_client_to_tap_books_the_freed_time_and_the_second_is_told_it_has_gone(
    full_wednesday, make_user, sender
):
    maria, olga = make_user(first_name="Maria"), make_user(first_name="Olga")
    await give_phone(maria)
    await wait_for_wednesday(maria)
    await wait_for_wednesday(olga, master="Any master", until="until Dec 3, 2026")
    assert "for Dec 2, 2026 – Dec 3, 2026" in olga.text

    await sync_to_async(_cancel)(full_wednesday[1])  # 10:00 on Wednesday is free again
    assert await sender.run_once() > 0  # one sender cycle

    for user in (maria, olga):
        assert user.text.startswith(f"🔔 A time has freed up on {WEDNESDAY_TEXT}!")
        assert user.buttons() == ["10:00"]
    olga_offer = olga.keyboard_message()

    await maria.press("10:00")
    assert maria.text.startswith("Please check your booking:")
    await maria.press("✅ Confirm")
    assert "✅ You are booked!" in maria.text
    [visit] = await visits_of(maria)
    assert visit.starts_at == local(WEDNESDAY, "10:00")

    await olga.press("10:00", olga_offer)
    assert olga.telegram.callback_answered(olga.last_callback_id)
    answer = olga.telegram.calls_of("answerCallbackQuery")[-1].params
    assert answer["text"] == "Sorry, this time has just gone."
    assert olga_offer.text.startswith(
        f"Sorry, 10:00 on {WEDNESDAY_TEXT} has just gone. You stay on the waitlist."
    )
    assert olga_offer.inline_keyboard in (None, [])
    assert await visits_of(olga) == []

    await olga.send_text("/start")
    await olga.press("🗂 My bookings")
    assert "🔔 Dec 2, 2026 – Dec 3, 2026 · Cut · Any master" in olga.buttons()
    assert (
        await sync_to_async(WaitlistEntry.objects.filter(client__telegram_id=maria.user_id).exists)() is False
    )
    print("\n--- Maria ---\n" + transcript(maria) + "\n--- Olga ---\n" + transcript(olga))


async def test_a_waitlist_entry_is_removed_from_my_bookings(full_wednesday, make_user):
    maria = make_user()
    await wait_for_wednesday(maria)

    await maria.press("🗂 My bookings")
    entry = f"🔔 {WEDNESDAY_TEXT} · Cut · Anna"
    assert "On the waitlist" in maria.text and entry in maria.buttons()
    await maria.press(entry)
    assert maria.text.startswith(f"🔔 You are on the waitlist for {WEDNESDAY_TEXT}:")
    await maria.press("🗑 Remove from the waitlist")

    assert f"You are off the waitlist for {WEDNESDAY_TEXT}." in maria.text
    assert entry not in maria.buttons()
    assert await sync_to_async(WaitlistEntry.objects.count)() == 0


async def test_an_entry_whose_days_have_passed_is_neither_listed_nor_offered(
    full_wednesday, make_user, sender, clock
):
    maria = make_user()
    await wait_for_wednesday(maria)
    before = len(maria.bot_messages())

    clock.move_to(NOW + timedelta(days=2))  # Thursday: Wednesday has passed
    await sync_to_async(staff.cancel_visit_by_staff)(full_wednesday[4].ref)  # Thursday 09:00 frees up
    await sender.run_once()
    await maria.send_text("/start")
    await maria.press("🗂 My bookings")

    assert not any(label.startswith("🔔") for label in maria.buttons())
    assert [m.text for m in maria.bot_messages()[before:] if m.text.startswith("🔔 A time")] == []
    assert await sync_to_async(lambda: WaitlistEntry.objects.get().expired)() == NOW + timedelta(days=2)


@pytest.fixture
def tight_notice(salon: Any, clock: Any) -> tuple[Any, int]:
    """Two hours' notice (now 08:00: nothing before 10:00 today); Anna works 09:00-10:00 today
    and on Wednesday, both hours booked. Returns today's visit and the service."""
    f.booking_settings(min_advance_minutes=120)
    cut = f.service(category=salon, name="Cut", duration=60)
    hours = {NOW.weekday(): ("09:00", "10:00"), 2: ("09:00", "10:00")}
    anna = f.master(name="Anna", categories=[salon], hours=hours)
    today = f.appointment(master=anna, service=cut, start=local(NOW.date(), "09:00"))
    services.book_visit(f.client().telegram_id, [cut.pk], anna.pk, WEDNESDAY, "09:00")
    return today.booking_ref, cut.pk


async def test_a_time_freed_inside_the_minimum_notice_is_never_offered(tight_notice, make_user, sender):
    today_ref, cut = tight_notice
    maria = make_user()
    await sync_to_async(waitlist.join)(maria.user_id, [cut], None, NOW.date(), WEDNESDAY)

    await sync_to_async(staff.cancel_visit_by_staff)(today_ref)  # today 09:00: inside the notice
    await sender.run_once()

    assert maria.bot_messages() == []
    assert await sync_to_async(N.objects.filter(kind=N.KIND_WAITLIST).count)() == 0
