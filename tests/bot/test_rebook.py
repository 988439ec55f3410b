"""A day off over booked visits, confirmed with "tell the clients", through the real sender
and dispatcher (Telegram simulated at the Bot API): each client gets one message whose
"Choose another time" opens the booking with the cancelled visit's services chosen, another
master offered, and books a new time."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from asgiref.sync import sync_to_async

from bot.local_session import SimulatedUser
from djproject.salon import services
from djproject.salon.models import DayOff, Master, Notification
from djproject.salon.schedule_changes import ScheduleChange, apply_change
from tests import factories as f
from tests.bot.flows import visits_of
from tests.moments import NOW, WEDNESDAY

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def salon_with_two_masters(salon: Any) -> int:
    cut = f.service(category=salon, name="Cut", duration=60)
    hours = dict.fromkeys(range(5), ("09:00", "13:00"))
    f.master(name="Anna", categories=[salon], hours=hours)
    f.master(name="Bea", categories=[salon], hours=hours)
    return cut.pk


def book(user: SimulatedUser, cut: int, hhmm: str) -> services.Visit:
    f.client(telegram_id=user.user_id, name=user.first_name, phone="+49 30 1234567")
    return services.book_visit(user.user_id, [cut], Master.objects.get(name="Anna").pk, WEDNESDAY, hhmm)


def day_off_for_anna() -> int:
    change = ScheduleChange.saving(DayOff(master=Master.objects.get(name="Anna"), date=WEDNESDAY))
    return apply_change(change, cancel_affected=True, by="test").messages


async def test_the_clients_are_told_once_and_choose_another_time_in_one_tap(
    salon: Any, clock: Any, make_user: Any, sender: Any
) -> None:
    cut = await sync_to_async(salon_with_two_masters)(salon)
    maria, olga = make_user(first_name="Maria"), make_user(first_name="Olga")
    for user, hhmm in ((maria, "09:00"), (olga, "11:00")):
        await sync_to_async(book)(user, cut, hhmm)

    assert await sync_to_async(day_off_for_anna)() == 2
    await sender.run_once()

    for user, hhmm in ((maria, "09:00"), (olga, "11:00")):
        told = [m for m in user.bot_messages() if "cancel your visit" in (m.text or "")]
        assert len(told) == 1
        assert f"Wednesday, December 2, 2026 at {hhmm}" in told[0].text
        assert user.buttons() == ["🔁 Choose another time"]
    assert await sync_to_async(Notification.objects.filter(kind="cancelled").count)() == 2

    await maria.press("🔁 Choose another time")
    assert maria.text.startswith("Choose a master:")
    assert {"Anna", "Bea", "Any master"} <= set(maria.buttons())
    await maria.press("Bea")
    await maria.press("2")  # Wednesday 2 December: Bea still works
    await maria.press("09:00")
    assert maria.text.startswith("Please check your booking:")
    assert "Cut" in maria.text and "Bea" in maria.text
    await maria.press("✅ Confirm")
    assert "✅ You are booked!" in maria.text
    [visit] = await visits_of(maria)
    assert [item.master_name for item in visit.items] == ["Bea"]


async def test_a_forged_button_opens_the_ordinary_booking(salon: Any, clock: Any, make_user: Any) -> None:
    await sync_to_async(salon_with_two_masters)(salon)
    maria = make_user(first_name="Maria")
    await maria.send_text("/start")
    await maria.send_callback("rb:" + "0" * 32)
    assert maria.text.startswith("Choose a service:") or maria.text.startswith("What would you like to book?")
