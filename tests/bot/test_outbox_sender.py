"""The notification sender: each due row is sent once, stale reminders never, failures retried
without a storm. Telegram is simulated (``RecordingTelegram``); the outbox is the real one."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.utils import timezone

from bot.local_session import SimulatedUser
from bot.outbox import OutboxSender, attach_sender
from djproject.salon import outbox, services, staff
from djproject.salon.models import Client, Notification
from tests import factories as f
from tests.bot.flows import drain
from tests.bot.simulator import RecordingTelegram
from tests.moments import NOW, WEDNESDAY

pytestmark = pytest.mark.django_db(transaction=True)

N = Notification
STAFF_CHAT = -100_123
ANNA = 501  # the master's Telegram id


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def setup(salon: Any, clock: Any) -> tuple[Any, Any, Any]:
    """Anna (on Telegram, in Russian) does cuts on Wednesdays; a German staff chat; Maria books."""
    f.site_settings(staff_chat_id=STAFF_CHAT, staff_language="de", salon_name="Aurora")
    cut = f.service(category=salon, name="Cut", duration=60)
    anna = f.master(
        name="Anna", categories=[salon], hours={2: ("09:00", "13:00")}, telegram_id=ANNA, language="ru"
    )
    maria = f.client(name="Maria", phone="+49 151 7654321", language="en")
    return cut, anna, maria


def sends_to(telegram: RecordingTelegram, chat_id: int) -> list[str]:
    """The texts of every sendMessage request to a chat, including the refused ones."""
    return [c.params["text"] for c in telegram.calls_of("sendMessage") if int(c.params["chat_id"]) == chat_id]


book = sync_to_async(services.book_visit)


def status_of(**filters: Any) -> Counter[str]:
    return Counter(N.objects.filter(**filters).values_list("status", flat=True))


# --- exactly once ------------------------------------------------------------------------------


class SlowTelegram(RecordingTelegram):
    """A round trip of a few milliseconds, so that two senders really overlap."""

    async def make_request(self, bot: Any, method: Any, timeout: int | None = None) -> Any:  # noqa: ASYNC109
        await asyncio.sleep(0.002)
        return await super().make_request(bot, method, timeout)


def _due_rows(count: int) -> list[int]:
    refs = [
        f.appointment(master=f.master(), service=f.service(), start=timezone.now()).booking_ref
        for _ in range(3)
    ]
    rows = N.objects.bulk_create(
        N(
            kind=N.KIND_BOOKED,
            audience=N.AUDIENCE_STAFF,
            chat_id=-1_000_000 - n,
            booking_ref=refs[n % 3],
            payload={"starts_at": timezone.now().isoformat(), "status": "confirmed"},
            due_at=timezone.now(),
        )
        for n in range(count)
    )
    return [row.chat_id for row in rows]


async def test_two_senders_claiming_at_once_send_every_due_row_exactly_once(salon, make_sender):
    chats = await sync_to_async(_due_rows)(240)
    first, second = SlowTelegram(), SlowTelegram()
    senders = [make_sender(first, batch_size=7), make_sender(second, batch_size=7)]
    threads: set[str] = set()

    async def drain_noting_thread(sender: OutboxSender) -> None:
        threads.add(await sender.db._run(lambda: threading.current_thread().name))
        await drain(sender)

    await asyncio.gather(*(drain_noting_thread(sender) for sender in senders))

    sent = [[int(c.params["chat_id"]) for c in t.calls_of("sendMessage")] for t in (first, second)]
    assert sorted(sent[0] + sent[1]) == sorted(chats)  # every row, none twice
    assert sent[0] and sent[1]  # both senders did real work, side by side
    assert len(threads) == 2  # each on its own database thread
    assert await sync_to_async(status_of)() == {N.STATUS_SENT: 240}


# --- reminders that no longer apply --------------------------------------------------------------


async def test_a_reminder_for_a_cancelled_visit_is_never_sent(setup, clock, make_sender):
    cut, anna, maria = setup
    visit = await book(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    telegram = RecordingTelegram()
    sender = make_sender(telegram)
    await drain(sender)  # the salon hears of the booking
    await sync_to_async(services.cancel_visit)(maria.telegram_id, visit.ref)

    clock.move_to(visit.starts_at - timedelta(minutes=30))  # past both reminders' due times
    await drain(sender)

    assert sends_to(telegram, maria.telegram_id) == []
    assert len(sends_to(telegram, STAFF_CHAT)) == 2  # new, then cancelled
    assert await sync_to_async(status_of)(kind=N.KIND_REMINDER) == {N.STATUS_DROPPED: 2}


def _stale_reminder(ref: str, chat_id: int, starts_at: Any) -> None:
    """A reminder row the booking change did not drop (written by hand, an older release)."""
    N.objects.create(
        kind=N.KIND_REMINDER,
        audience=N.AUDIENCE_CLIENT,
        chat_id=chat_id,
        booking_ref=uuid.UUID(hex=ref),
        payload={"starts_at": starts_at.isoformat(), "offset_minutes": 60},
        due_at=timezone.now(),
    )


def _stale_reminder_fates() -> list[tuple[str, str]]:
    rows = N.objects.filter(kind=N.KIND_REMINDER, payload__offset_minutes=60)
    return sorted(rows.values_list("status", "last_error"))


async def test_a_surviving_reminder_of_a_cancelled_or_moved_visit_is_dropped_not_sent(
    setup, clock, make_sender
):
    cut, anna, maria = setup
    cancelled = await book(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    moved = await book(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "11:00")
    await sync_to_async(services.cancel_visit)(maria.telegram_id, cancelled.ref)
    await sync_to_async(services.reschedule_visit)(maria.telegram_id, moved.ref, WEDNESDAY, "12:00")
    await sync_to_async(_stale_reminder)(cancelled.ref, maria.telegram_id, cancelled.starts_at)
    await sync_to_async(_stale_reminder)(moved.ref, maria.telegram_id, moved.starts_at)
    await sync_to_async(_stale_reminder)(uuid.uuid4().hex, maria.telegram_id, moved.starts_at)  # no visit
    telegram = RecordingTelegram()

    await drain(make_sender(telegram))

    assert sends_to(telegram, maria.telegram_id) == []
    assert await sync_to_async(_stale_reminder_fates)() == [
        (N.STATUS_DROPPED, "reminder of a visit that is cancelled"),
        (N.STATUS_DROPPED, "reminder of a visit that was moved"),
        (N.STATUS_DROPPED, "the visit no longer exists"),
    ]


async def test_a_reminder_of_a_moved_visit_is_sent_only_for_the_new_time(setup, clock, make_sender):
    cut, anna, maria = setup
    visit = await book(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    moved = await sync_to_async(services.reschedule_visit)(maria.telegram_id, visit.ref, WEDNESDAY, "12:00")
    telegram = RecordingTelegram()
    sender = make_sender(telegram)

    for offset in (timedelta(hours=24), timedelta(hours=2)):
        clock.move_to(moved.starts_at - offset + timedelta(minutes=1))
        await drain(sender)

    reminders = sends_to(telegram, maria.telegram_id)
    assert len(reminders) == 2
    assert all("⏰" in text and "Time: 12:00" in text and "10:00" not in text for text in reminders)


# --- reminders carry the client's buttons ----------------------------------------------------------


async def test_a_reminder_has_cancel_and_reschedule_before_the_cutoff_and_the_phone_after(
    setup, clock, make_sender
):
    cut, anna, maria = setup
    await sync_to_async(f.booking_settings)(cancellation_cutoff_minutes=180)
    visit = await book(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    telegram = RecordingTelegram()
    sender = make_sender(telegram)

    clock.move_to(visit.starts_at - timedelta(hours=24))
    await drain(sender)
    clock.move_to(visit.starts_at - timedelta(hours=2))
    await drain(sender)

    early, late = telegram.sent_to(maria.telegram_id)
    assert "A reminder of your visit to Aurora" in early.text and "• Cut · Anna" in early.text
    labels = [b["text"] for row in early.inline_keyboard for b in row]
    assert labels == ["❌ Cancel visit", "🔁 Reschedule"]
    assert early.inline_keyboard[0][0]["callback_data"] == f"va:cx:{visit.ref}"
    assert late.inline_keyboard is None
    assert "To change it, please call Aurora: +49 1." in late.text


# --- what the salon side reads ------------------------------------------------------------------


async def test_the_salon_hears_of_a_booking_in_its_own_language_in_salon_time(setup, make_sender):
    cut, anna, maria = setup
    await sync_to_async(f.booking_settings)(requires_confirmation=True)
    visit = await book(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    telegram = RecordingTelegram()

    await drain(make_sender(telegram))

    (to_staff,) = telegram.sent_to(STAFF_CHAT)
    assert to_staff.text.splitlines() == [
        "🆕 Neue Buchung — bitte bestätigen oder ablehnen:",
        "• Cut · Anna",
        "Datum: Mittwoch, 2. Dezember 2026",
        "Uhrzeit: 10:00",
        "Kunde: Maria",
        "Telefon: +49 151 7654321",
    ]
    buttons = [b for row in to_staff.inline_keyboard for b in row]
    assert [b["callback_data"] for b in buttons] == [f"sd:ok:{visit.ref}:de", f"sd:no:{visit.ref}:de"]
    (to_master,) = telegram.sent_to(ANNA)
    assert to_master.text.startswith("🆕 Новая запись") and "10:00" in to_master.text
    assert to_master.inline_keyboard[0][0]["callback_data"] == f"sd:ok:{visit.ref}:ru"


async def test_a_move_by_the_client_tells_the_salon_the_old_and_the_new_time(setup, make_sender):
    cut, anna, maria = setup
    await sync_to_async(f.site_settings)(staff_language="en")
    visit = await book(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    telegram = RecordingTelegram()
    sender = make_sender(telegram)
    await drain(sender)

    await sync_to_async(services.reschedule_visit)(maria.telegram_id, visit.ref, WEDNESDAY, "12:00")
    await drain(sender)

    new, moved = telegram.sent_to(STAFF_CHAT)
    assert new.text.startswith("🆕 New booking:") and new.inline_keyboard is None
    assert moved.text.splitlines()[:2] == [
        "🔁 Moved by the client:",
        "Was: Wednesday, December 2, 2026 at 10:00",
    ]
    assert "Time: 12:00" in moved.text


# --- a client who blocked the bot -----------------------------------------------------------------


async def test_a_403_fails_the_row_drops_the_chats_other_rows_and_stops_until_the_client_returns(
    setup, clock, make_sender, dp, bot, telegram
):
    cut, anna, maria = setup
    await sync_to_async(f.booking_settings)(requires_confirmation=True)
    visit = await book(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    await sync_to_async(staff.confirm_visit)(visit.ref)  # "confirmed" for Maria, due now
    telegram.blocked.add(maria.telegram_id)
    sender = make_sender(telegram)

    await drain(sender)
    clock.move_to(visit.starts_at - timedelta(minutes=30))  # both reminders would be due
    await drain(sender)

    assert len(sends_to(telegram, maria.telegram_id)) == 1  # one attempt, no retries
    assert await sync_to_async(status_of)(chat_id=maria.telegram_id) == {
        N.STATUS_FAILED: 1,
        N.STATUS_DROPPED: 2,
    }
    flagged = await sync_to_async(lambda: Client.objects.get(pk=maria.pk).bot_blocked_at)()
    assert flagged is not None
    assert len(sends_to(telegram, STAFF_CHAT)) == 1  # the salon still hears everything

    # Maria unblocks the bot and writes to it: messages flow again.
    telegram.blocked.discard(maria.telegram_id)
    await SimulatedUser(dp, bot, telegram, maria.telegram_id, first_name="Maria").send_text("/start")
    other = await book(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "12:00")
    await sync_to_async(staff.confirm_visit)(other.ref)
    await drain(sender)
    assert sends_to(telegram, maria.telegram_id)[-1].startswith("✅ The salon has confirmed your visit")


async def test_chat_not_found_is_treated_like_a_blocked_chat(setup, make_sender):
    cut, anna, maria = setup
    telegram = RecordingTelegram()
    telegram.fail("sendMessage", "Bad Request: chat not found", chat_id=STAFF_CHAT)
    await book(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")

    await drain(make_sender(telegram))

    assert await sync_to_async(status_of)(chat_id=STAFF_CHAT) == {N.STATUS_FAILED: 1}
    assert len(sends_to(telegram, ANNA)) == 1


# --- flood control and network errors ----------------------------------------------------------------


async def test_flood_control_retries_the_row_after_retry_after_and_sends_it_once(setup, clock, make_sender):
    cut, anna, maria = setup
    telegram = RecordingTelegram()
    telegram.fail("sendMessage", "Too Many Requests: retry after 7", status=429, retry_after=7, chat_id=ANNA)
    await book(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")  # to Anna, then the staff chat
    sender = make_sender(telegram)

    await drain(sender)
    assert telegram.sent_to(ANNA) == [] and telegram.sent_to(STAFF_CHAT) == []  # the batch waits
    clock.shift(timedelta(seconds=6))
    assert await sender.run_once() == 0
    clock.shift(timedelta(seconds=2))
    await drain(sender)

    assert len(telegram.sent_to(ANNA)) == 1 and len(telegram.sent_to(STAFF_CHAT)) == 1
    assert len(sends_to(telegram, ANNA)) == 2  # the refused request and the one that went through
    assert await sync_to_async(status_of)(kind=N.KIND_BOOKED) == {N.STATUS_SENT: 2}


@pytest.mark.parametrize(
    "failure",
    [
        {"description": "", "network": True},
        {"description": "Bad Gateway", "status": 502},
    ],
    ids=["network", "server-error"],
)
async def test_a_network_or_server_error_is_retried_with_backoff(setup, clock, make_sender, failure):
    cut, anna, maria = setup
    telegram = RecordingTelegram()
    telegram.fail("sendMessage", chat_id=ANNA, **failure)
    await book(maria.telegram_id, [cut.pk], anna.pk, WEDNESDAY, "10:00")
    sender = make_sender(telegram)

    await drain(sender)
    clock.shift(timedelta(seconds=outbox.backoff_seconds(1) - 1))
    assert await sender.run_once() == 0
    clock.shift(timedelta(seconds=2))
    await drain(sender)

    assert len(telegram.sent_to(ANNA)) == 1 and len(telegram.sent_to(STAFF_CHAT)) == 1
    assert len(sends_to(telegram, ANNA)) == 2


# --- the loop ------------------------------------------------------------------------------------


async def test_the_loop_sends_what_comes_due_sleeps_between_and_stops_promptly(salon, make_sender):
    telegram = RecordingTelegram()
    sender = make_sender(telegram, poll_interval=0.2)
    claims = 0
    claim_due = sender.db.claim_due

    async def counting_claim_due(*args: Any, **kwargs: Any) -> Any:
        nonlocal claims
        claims += 1
        return await claim_due(*args, **kwargs)

    sender.db.claim_due = counting_claim_due  # type: ignore[method-assign]
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run_forever(stop))

    await asyncio.sleep(0.5)  # nothing due: a claim per poll interval, no busy loop
    assert 1 <= claims <= 4
    chats = await sync_to_async(_due_rows)(3)
    for _ in range(50):
        if len(telegram.calls_of("sendMessage")) == 3:
            break
        await asyncio.sleep(0.05)
    assert sorted(int(c.params["chat_id"]) for c in telegram.calls_of("sendMessage")) == sorted(chats)

    stop.set()
    await asyncio.wait_for(task, timeout=1)


async def test_the_sender_starts_and_stops_with_the_dispatcher(salon, make_sender, dp, bot):
    telegram = RecordingTelegram()
    sender = make_sender(telegram, poll_interval=0.1)
    attach_sender(dp, sender)

    await dp.emit_startup(bot=bot)  # polling and the webhook server emit these
    chats = await sync_to_async(_due_rows)(2)
    for _ in range(50):
        if len(telegram.calls_of("sendMessage")) == 2:
            break
        await asyncio.sleep(0.05)
    await asyncio.wait_for(dp.emit_shutdown(bot=bot), timeout=2)

    assert sorted(int(c.params["chat_id"]) for c in telegram.calls_of("sendMessage")) == sorted(chats)
    assert sender._executor._shutdown  # its database thread is gone, its connection closed
