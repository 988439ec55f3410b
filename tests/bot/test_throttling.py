"""Per-user throttling: the buckets on their own (memory and real Redis), then floods through
the real dispatcher with Telegram simulated at the Bot API boundary.

The buckets read an injected clock that only the test moves: "5 s later" is one call, not a
sleep. Latency of the other user is measured with ``perf_counter`` (a stopwatch, not a date).
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import pytest
import redis
from aiogram import Bot, Dispatcher
from aiogram_dialog.test_tools.memory_storage import JsonMemoryStorage
from redis.asyncio import Redis

from bot.app import build_dispatcher
from bot.local_session import SimulatedUser
from bot.storage import build_storage
from bot.throttling import Buckets, Limits, MemoryBuckets, RedisBuckets
from tests.bot.simulator import RecordingTelegram

FLOOD = 300
MENU = ["📅 Book", "🗂 My bookings", "🌐 Language", "📍 Contacts"]
# Bot API methods that put or change something in a chat (answerCallbackQuery does not).
CHAT_METHODS = {"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup", "deleteMessage"}

_user_ids = itertools.count(760_001)


class FakeClock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A fresh key prefix on the real Redis; its keys are deleted afterwards. (A plain
    fixture: the parametrised ones below ask for it only in their Redis variant.)"""
    prefix = f"test-throttle-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture(params=["memory", "redis"])
async def make_buckets(request: pytest.FixtureRequest) -> AsyncIterator[Callable[..., Buckets]]:
    """Buckets of the parametrised kind; Redis ones each get their own client, as separate
    bot processes would, all on one key prefix."""
    clients: list[Redis] = []

    def make(clock: FakeClock, limits: Limits | None = None) -> Buckets:
        if request.param == "memory":
            return MemoryBuckets(limits, clock=clock)
        client = Redis.from_url(request.getfixturevalue("redis_url"))
        clients.append(client)
        return RedisBuckets(client, limits, prefix=request.getfixturevalue("redis_prefix"), clock=clock)

    yield make
    for client in clients:
        await client.aclose()


# --- the buckets ---------------------------------------------------------------------------------


async def takes(buckets: Buckets, user_id: int, n: int) -> list[tuple[bool, bool]]:
    return [tuple(await buckets.take(user_id)) for _ in range(n)]


async def test_a_burst_of_ten_passes_then_two_a_second(make_buckets):
    clock = FakeClock()
    buckets = make_buckets(clock)

    assert await takes(buckets, 1, 10) == [(True, False)] * 10
    assert await takes(buckets, 1, 3) == [(False, True), (False, False), (False, False)]  # told once
    clock.advance(0.5)
    assert await takes(buckets, 1, 2) == [(True, False), (False, False)]
    clock.advance(5)
    assert await takes(buckets, 1, 11) == [(True, False)] * 10 + [(False, False)]
    clock.advance(10)  # full again, and the notice interval has passed: told again
    assert await takes(buckets, 1, 12) == [(True, False)] * 10 + [(False, True), (False, False)]


async def test_each_user_has_a_bucket_of_their_own(make_buckets):
    buckets = make_buckets(FakeClock())
    await takes(buckets, 1, 10)
    assert await takes(buckets, 1, 1) == [(False, True)]
    assert await takes(buckets, 2, 10) == [(True, False)] * 10


async def test_limits_are_constructor_parameters(make_buckets):
    clock = FakeClock()
    buckets = make_buckets(clock, Limits(capacity=3, refill_per_second=1, notice_interval=60))
    assert [allowed for allowed, _ in await takes(buckets, 1, 4)] == [True, True, True, False]
    clock.advance(1)
    assert [allowed for allowed, _ in await takes(buckets, 1, 2)] == [True, False]


async def test_concurrent_takes_in_two_processes_never_share_a_token(make_buckets):
    clock = FakeClock()
    first, second = make_buckets(clock), make_buckets(clock)  # Redis: two clients, one bucket
    verdicts = await asyncio.gather(*(b.take(7) for _ in range(100) for b in (first, second)))
    allowed = sum(v.allowed for v in verdicts)
    # Memory buckets are per process: each process lets its own ten through.
    assert allowed == (20 if isinstance(first, MemoryBuckets) else 10)
    assert sum(v.notify for v in verdicts) == (2 if isinstance(first, MemoryBuckets) else 1)


async def test_a_flood_spread_over_three_seconds_is_held_to_the_refill_rate(make_buckets):
    clock = FakeClock()
    buckets = make_buckets(clock)
    allowed = 0
    for _ in range(FLOOD):  # one update every 10 ms
        allowed += (await buckets.take(1)).allowed
        clock.advance(0.01)
    assert allowed == 10 + 5  # the burst, then a token every 0.5 s of the remaining 2.9 s


# --- floods through the real dispatcher ------------------------------------------------------------


@dataclass
class Setup:
    dp: Dispatcher
    clock: FakeClock

    def user(self, bot: Bot, telegram: RecordingTelegram, language_code: str = "en") -> SimulatedUser:
        return SimulatedUser(self.dp, bot, telegram, next(_user_ids), language_code=language_code)


@pytest.fixture(params=["memory", "redis"])
async def setup(request: pytest.FixtureRequest, demo_salon: None, frozen_clock: None) -> AsyncIterator[Setup]:
    """The production dispatcher: memory storage and buckets, or Redis storage, isolation and
    buckets (what ``python -m bot`` runs with REDIS_URL); the buckets on a fake clock."""
    clock = FakeClock()
    if request.param == "memory":
        dp = build_dispatcher(
            storage=JsonMemoryStorage(), set_commands_on_startup=False, throttle=MemoryBuckets(clock=clock)
        )
        yield Setup(dp, clock)
        return
    prefix = request.getfixturevalue("redis_prefix")
    storage, isolation = build_storage(request.getfixturevalue("redis_url"), prefix=prefix)
    throttle = RedisBuckets(storage.redis, prefix=prefix, clock=clock)
    dp = build_dispatcher(
        storage=storage, events_isolation=isolation, set_commands_on_startup=False, throttle=throttle
    )
    yield Setup(dp, clock)
    await storage.close()


def chat_calls(telegram: RecordingTelegram, chat_id: int) -> int:
    return sum(
        1
        for call in telegram.calls
        if call.method in CHAT_METHODS and call.params.get("chat_id") == str(chat_id)
    )


async def test_a_flood_of_start_is_cut_and_others_stay_fast(setup: Setup, bot, telegram, request):
    flooder, other = setup.user(bot, telegram), setup.user(bot, telegram)
    await other.send_text("/start")  # the other user is a client already
    started = time.perf_counter()
    await other.send_text("/start")
    calm_latency = time.perf_counter() - started

    async def other_starts() -> float:
        await asyncio.sleep(0)  # once the flood is under way
        started = time.perf_counter()
        await other.send_text("/start")
        return time.perf_counter() - started

    started = time.perf_counter()
    *_, flood_latency = await asyncio.gather(
        *(flooder.send_text("/start") for _ in range(FLOOD)), other_starts()
    )
    flood_seconds = time.perf_counter() - started

    sent = len(telegram.sent_to(flooder.chat.id))
    touched = chat_calls(telegram, flooder.chat.id)
    assert sent <= 30 and touched <= 30, (sent, touched)
    assert sent == 10  # the burst; the clock stood still, so nothing refilled
    assert other.text.startswith("Welcome to Salon Aurora!") and other.buttons() == MENU
    assert flood_latency < 2.0

    setup.clock.advance(5)
    await flooder.send_text("/start")

    assert len(telegram.sent_to(flooder.chat.id)) == sent + 1
    assert flooder.text.startswith("Welcome to Salon Aurora!") and flooder.buttons() == MENU
    print(  # the figures for the report (pytest -s)
        f"\n[{request.node.callspec.id}] flood of {FLOOD}: {sent} messages sent, {touched} chat calls, "
        f"{flood_seconds:.2f} s; other user's /start {flood_latency * 1000:.0f} ms during the flood, "
        f"{calm_latency * 1000:.0f} ms calm; served again after 5 s (fake clock)"
    )


SLOW_DOWN = {
    "en": "Too many taps — please slow down a little.",
    "ru": "Слишком много нажатий — пожалуйста, чуть медленнее.",
    "de": "Zu viele Klicks — bitte etwas langsamer.",
}


@pytest.mark.parametrize("language", ["en", "ru", "de"])
async def test_every_dropped_tap_is_answered_and_one_says_slow_down(setup: Setup, bot, telegram, language):
    user = setup.user(bot, telegram, language_code=language)
    await user.send_text("/start")
    menu = user.keyboard_message()
    _kind, contacts = user.find_button(user.buttons()[-1])  # 📍 Contacts, in any language

    callback_ids = await asyncio.gather(
        *(user.send_callback(contacts["callback_data"], menu) for _ in range(40))
    )

    assert all(telegram.callback_answered(callback_id) for callback_id in callback_ids)  # no spinner
    toasts = [c.params.get("text") for c in telegram.calls_of("answerCallbackQuery") if c.params.get("text")]
    assert toasts == [SLOW_DOWN[language]]
    assert chat_calls(telegram, user.chat.id) <= 30


async def test_with_the_throttle_s_redis_down_updates_pass(demo_salon, bot, telegram, frozen_clock):
    """Fail open: an unreachable Redis must not silence the bot (the storage guard speaks
    when the conversation storage is down too)."""
    dead = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    dp = build_dispatcher(
        storage=JsonMemoryStorage(),
        set_commands_on_startup=False,
        throttle=RedisBuckets(dead, clock=FakeClock()),
    )
    user = SimulatedUser(dp, bot, telegram, next(_user_ids))
    try:
        await user.send_text("/start")
    finally:
        await dead.aclose()
    assert user.text.startswith("Welcome to Salon Aurora!") and user.buttons() == MENU
