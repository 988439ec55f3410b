"""Privacy in the bot (issue 11 §4): "Delete my data" cancels the client's upcoming visits
(masters told through the outbox), anonymises the client row and deletes the conversation's
keys in Redis; conversation keys expire on their own; old delivered notifications are purged."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.utils import timezone

from bot.local_session import SimulatedUser
from bot.storage import CONVERSATION_TTL, build_storage
from djproject.salon.models import Appointment, Client, Master, Notification
from tests.bot.flows import conversation_dispatcher, give_phone, times, to_times_of_a_later_day, visits_of

N = Notification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    prefix = f"test-privacy-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = aioredis.Redis.from_url(redis_url)
    async for key in client.scan_iter(f"{prefix}:*"):
        await client.delete(key)
    await client.aclose()


async def keys_of(redis_url: str, prefix: str, user_id: int) -> list[str]:
    client = aioredis.Redis.from_url(redis_url)
    try:
        return [k.decode() async for k in client.scan_iter(f"{prefix}:*:{user_id}:*")]
    finally:
        await client.aclose()


async def ttl_of(redis_url: str, key: str) -> int:
    client = aioredis.Redis.from_url(redis_url)
    try:
        return await client.ttl(key)
    finally:
        await client.aclose()


def _rows_of(telegram_id: int) -> list[Appointment]:
    return list(Appointment.objects.filter(client__telegram_id=telegram_id))


@pytest.mark.redis
async def test_delete_my_data_cancels_visits_tells_masters_anonymises_and_forgets_redis_keys(
    demo_salon, bot, telegram, redis_url, redis_prefix
):
    storage, isolation = build_storage(redis_url, prefix=redis_prefix)
    dp = conversation_dispatcher(storage=storage, events_isolation=isolation)
    user = SimulatedUser(dp, bot, telegram, 830_001, first_name="Greta")
    try:
        await sync_to_async(lambda: Master.objects.filter(name="Anna").update(telegram_id=555))()
        await give_phone(user)
        await to_times_of_a_later_day(user, ("Hair", "Women's haircut"), master="Anna")
        await user.press(times(user)[0])
        await user.press("✅ Confirm")
        (visit,) = await visits_of(user)
        client_pk = (await sync_to_async(_rows_of)(user.user_id))[0].client_id
        await user.send_text("/start")
        assert await keys_of(redis_url, redis_prefix, user.user_id)

        await user.press("🌐 Language")
        await user.press("🗑 Delete my data")
        assert "cannot be undone" in user.text
        assert "Your upcoming visits (1) will be cancelled." in user.text
        await user.press("🗑 Yes, delete my data")

        assert "Your data has been deleted" in user.text
        assert "Upcoming visits cancelled: 1" in user.text
        assert await keys_of(redis_url, redis_prefix, user.user_id) == []
        client = await sync_to_async(Client.objects.get)(pk=client_pk)
        assert (client.name, client.phone, client.telegram_id) == ("", "", None)
        statuses = await sync_to_async(
            lambda: set(Appointment.objects.filter(client_id=client_pk).values_list("status", flat=True))
        )()
        assert statuses == {Appointment.STATUS_CANCELLED}
        told = await sync_to_async(
            lambda: list(
                Notification.objects.filter(
                    kind=N.KIND_CANCELLED, booking_ref=uuid.UUID(visit.ref)
                ).values_list("audience", flat=True)
            )
        )()
        assert N.AUDIENCE_MASTER in told and N.AUDIENCE_CLIENT not in told
        left = await sync_to_async(lambda: Notification.objects.filter(chat_id=user.user_id).count())()
        assert left == 0  # the reminders and the booking messages to the client are gone
    finally:
        await storage.close()


async def test_going_back_from_delete_my_data_keeps_everything(demo_salon, make_user):
    user = make_user()
    await give_phone(user)
    await user.send_text("/start")
    await user.press("🌐 Language")
    await user.press("🗑 Delete my data")
    await user.press("◀ Back")
    assert user.text.startswith("Choose your language:")
    client = await sync_to_async(Client.objects.get)(telegram_id=user.user_id)
    assert client.phone == "+491515550000"


@pytest.mark.redis
async def test_conversation_keys_in_redis_expire(demo_salon, bot, telegram, redis_url, redis_prefix):
    storage, isolation = build_storage(redis_url, prefix=redis_prefix)
    user = SimulatedUser(
        conversation_dispatcher(storage=storage, events_isolation=isolation), bot, telegram, 830_002
    )
    try:
        await user.send_text("/start")
        keys = [k for k in await keys_of(redis_url, redis_prefix, user.user_id) if not k.endswith(":lock")]
        assert keys
        for key in keys:
            assert 0 < await ttl_of(redis_url, key) <= CONVERSATION_TTL.total_seconds()
    finally:
        await storage.close()


def _notifications() -> dict[str, int]:
    now = timezone.now()
    rows = {
        "old_sent": (N.STATUS_SENT, now - timedelta(days=31)),
        "recent_sent": (N.STATUS_SENT, now - timedelta(days=29)),
        "old_pending": (N.STATUS_PENDING, None),
    }
    made = {}
    for name, (status, sent_at) in rows.items():
        made[name] = Notification.objects.create(
            kind=N.KIND_BOOKED,
            audience=N.AUDIENCE_MASTER,
            chat_id=501,
            booking_ref=uuid.uuid4(),
            due_at=now + timedelta(days=1),  # not due: the sender only purges
            status=status,
            sent_at=sent_at,
        ).pk
    return made


async def test_the_sender_purges_delivered_notifications_older_than_30_days(demo_salon, sender):
    made = await sync_to_async(_notifications)()

    await sender.run_once()

    left = await sync_to_async(lambda: set(Notification.objects.values_list("pk", flat=True)))()
    assert left == {made["recent_sent"], made["old_pending"]}
