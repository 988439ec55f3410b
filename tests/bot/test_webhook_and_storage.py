"""Webhook mode through the real aiohttp app, and a restart with Redis storage mid-dialog."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_dispatcher
from bot.local_session import SimulatedUser
from bot.storage import build_storage
from bot.webhook import build_webhook_app
from tests.bot.flows import choose_services

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "webhook-secret-42"


def start_update(user_id: int) -> dict:
    return {
        "update_id": 1000,
        "message": {
            "message_id": 1,
            "date": 1_760_000_000,
            "text": "/start",
            "chat": {"id": user_id, "type": "private", "first_name": "Web"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Web", "language_code": "de"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def wait_for(condition, seconds: float = 5.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


@pytest.mark.parametrize("header", [None, "wrong-secret"])
async def test_webhook_refuses_updates_without_the_secret(demo_salon, dp, bot, telegram, header):
    app = build_webhook_app(dp, bot, secret=SECRET)
    headers = {"X-Telegram-Bot-Api-Secret-Token": header} if header else {}
    async with TestClient(TestServer(app)) as client:
        response = await client.post("/webhook", json=start_update(810_001), headers=headers)
        assert response.status == 401
        await asyncio.sleep(0.2)
    assert not telegram.calls_of("sendMessage")


async def test_webhook_processes_an_update_with_the_secret(demo_salon, bot, telegram):
    app = build_webhook_app(build_dispatcher(), bot, secret=SECRET)
    async with TestClient(TestServer(app)) as client:
        response = await client.post(
            "/webhook", json=start_update(810_002), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert response.status == 200
        assert await wait_for(lambda: bool(telegram.calls_of("sendMessage")))
    (call,) = telegram.calls_of("sendMessage")
    assert call.params["chat_id"] == "810002"
    assert call.params["text"].startswith("Willkommen bei Salon Aurora!")
    assert telegram.commands  # the app's start-up set the commands menu


@pytest.mark.redis
async def test_a_restart_with_redis_storage_continues_the_dialog(demo_salon, bot, telegram, redis_url):
    prefix = f"test-bot-{uuid.uuid4().hex[:8]}"
    storage, isolation = build_storage(redis_url, prefix=prefix)
    first = SimulatedUser(
        build_dispatcher(storage=storage, events_isolation=isolation, set_commands_on_startup=False),
        bot,
        telegram,
        820_001,
    )
    try:
        await first.send_text("/start")
        await choose_services(first, ("Hair", "Blow-dry"))
        assert first.text.startswith("Choose a master:")
        await storage.close()  # the process dies

        storage, isolation = build_storage(redis_url, prefix=prefix)
        after_restart = SimulatedUser(
            build_dispatcher(storage=storage, events_isolation=isolation, set_commands_on_startup=False),
            bot,
            telegram,
            820_001,
        )
        callback_id = await after_restart.press("Anna")

        assert telegram.callback_answered(callback_id)
        assert after_restart.text.startswith("Choose a day.")
        await after_restart.press("◀ Back")
        assert after_restart.text.startswith("Choose a master:")
    finally:
        await storage.close()
        client = aioredis.Redis.from_url(redis_url)
        async for key in client.scan_iter(f"{prefix}:*"):
            await client.delete(key)
        await client.aclose()


async def test_with_redis_down_the_client_is_told_in_their_language(demo_salon, bot, telegram):
    storage, isolation = build_storage("redis://127.0.0.1:9/0")  # nothing listens there
    dp = build_dispatcher(storage=storage, events_isolation=isolation)
    user = SimulatedUser(dp, bot, telegram, 810_009, language_code="de")

    await user.send_text("/start")

    assert "Buchen ist kurz nicht möglich" in user.text
    await user.send_callback("0000000:a")  # a button tap meets the same outage: answered too
    assert telegram.calls_of("answerCallbackQuery")
    await storage.close()
