"""Per-user throttling: a token bucket per Telegram user, checked before anything else runs.

Why: polling and the webhook run every update as its own task, so one user (or a script with
their account) who fires 300 ``/start`` gets 300 menus sent; Telegram then puts the bot's
token under flood control, and every client waits. With a bucket of ``capacity`` updates that
refills at ``refill_per_second``, a person tapping at human speed never notices; a flood is
cut to ``capacity`` updates at once plus the refill rate.

- An update over the limit is dropped before the FSM lock, the dialogs and the database: a
  message silently; a callback query is still answered (no spinner), and the first one in
  ``notice_interval`` seconds carries a short translated toast ("Too many taps").
- ``MemoryBuckets`` for one process; ``RedisBuckets`` (one atomic Lua script per update)
  when ``REDIS_URL`` is set, so several bot processes share each user's bucket.
- The clock is injected: tests move it instead of sleeping.
- Redis unreachable: the update passes (fail open) — the storage guard then tells the client
  that booking is briefly unavailable, which is the true state of things.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import redis.exceptions
from aiogram import BaseMiddleware, Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import CallbackQuery, TelegramObject, Update, User
from aiogram.utils.i18n import I18n
from redis.asyncio import Redis

from bot.i18n import telegram_language
from bot.middlewares import answer_quietly
from bot.texts import N_

log = logging.getLogger(__name__)

Clock = Callable[[], float]
LocaleOf = Callable[[TelegramObject, dict[str, Any]], Awaitable[str]]

SLOW_DOWN = N_("Too many taps — please slow down a little.")

# Defaults: ten updates at once, then two a second; one toast per user in ten seconds.
CAPACITY = 10
REFILL_PER_SECOND = 2.0
NOTICE_INTERVAL = 10.0


class Verdict(NamedTuple):
    allowed: bool
    notify: bool  # refused, and the user has not been told so for ``notice_interval`` seconds


class Buckets(Protocol):
    async def take(self, user_id: int) -> Verdict:
        """Take one token from the user's bucket."""
        ...


@dataclass(frozen=True)
class Limits:
    capacity: int = CAPACITY
    refill_per_second: float = REFILL_PER_SECOND
    notice_interval: float = NOTICE_INTERVAL

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.refill_per_second <= 0:
            raise ValueError("a bucket needs a capacity of at least 1 and a positive refill rate")

    @property
    def seconds_to_fill(self) -> float:
        return self.capacity / self.refill_per_second


@dataclass
class _Bucket:
    tokens: float
    updated: float
    noticed: float | None = None


class MemoryBuckets:
    """The buckets of one process. ``clock`` defaults to ``time.monotonic``."""

    def __init__(
        self, limits: Limits | None = None, *, clock: Clock = time.monotonic, max_users: int = 10_000
    ):
        self.limits = limits or Limits()
        self.clock = clock
        self.max_users = max_users
        self._buckets: dict[int, _Bucket] = {}

    async def take(self, user_id: int) -> Verdict:
        now = self.clock()
        limits = self.limits
        bucket = self._buckets.get(user_id)
        if bucket is None:
            self._forget_idle(now)
            bucket = self._buckets[user_id] = _Bucket(float(limits.capacity), now)
        if now > bucket.updated:
            bucket.tokens = min(
                limits.capacity, bucket.tokens + (now - bucket.updated) * limits.refill_per_second
            )
            bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict(allowed=True, notify=False)
        if bucket.noticed is None or now - bucket.noticed >= limits.notice_interval:
            bucket.noticed = now
            return Verdict(allowed=False, notify=True)
        return Verdict(allowed=False, notify=False)

    def _forget_idle(self, now: float) -> None:
        """Keep memory bounded: drop the buckets that have refilled (they start full anyway)."""
        if len(self._buckets) < self.max_users:
            return
        idle = now - max(self.limits.seconds_to_fill, self.limits.notice_interval)
        for user_id in [u for u, b in self._buckets.items() if b.updated <= idle]:
            del self._buckets[user_id]


# KEYS[1] the user's bucket; ARGV: capacity, refill per second, now, notice interval, ttl (ms).
# Returns {allowed, notify, microseconds until the next token when refused}. Reading,
# refilling and taking happen in one step, so concurrent updates of one user in several
# processes never take the same token twice.
TAKE_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local interval = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated', 'noticed')
local tokens = tonumber(state[1]) or capacity
local updated = tonumber(state[2]) or now
local noticed = tonumber(state[3])
if now > updated then
  tokens = math.min(capacity, tokens + (now - updated) * rate)
  updated = now
end
local allowed, notify = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
elseif noticed == nil or now - noticed >= interval then
  noticed = now
  notify = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(updated))
if noticed ~= nil then
  redis.call('HSET', KEYS[1], 'noticed', tostring(noticed))
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
local wait_us = 0
if allowed == 0 then
  wait_us = math.ceil((1 - tokens) / rate * 1000000)
end
return {allowed, notify, wait_us}
"""


class RedisBuckets:
    """Buckets in Redis, shared by every bot process using the same ``prefix``.

    ``clock`` defaults to ``time.time``: the processes must agree on "now", which a monotonic
    clock (its origin differs per process) would not.

    A flood must not flood Redis in turn (redis-py's pool holds 100 connections, shared with
    the storage): at most ``max_concurrency`` scripts run at once, and a refusal is remembered
    in-process until the bucket's next token is due, so the rest of a flood is refused
    without asking Redis. That is safe across processes: other processes only ever take
    tokens, so none can appear earlier.
    """

    def __init__(
        self,
        redis: Redis,
        limits: Limits | None = None,
        *,
        prefix: str = "fsm",
        clock: Clock = time.time,
        max_concurrency: int = 20,
    ) -> None:
        self.redis = redis
        self.limits = limits or Limits()
        self.prefix = prefix
        self.clock = clock
        self._script = redis.register_script(TAKE_SCRIPT)
        self._running = asyncio.Semaphore(max_concurrency)
        self._empty_until: dict[int, float] = {}
        # A bucket left alone this long is full again: Redis may forget it. Generous, so the
        # key never expires mid-flood even when the injected clock and Redis's disagree.
        longest = max(self.limits.seconds_to_fill, self.limits.notice_interval)
        self._ttl_ms = math.ceil(max(60.0, 2 * longest) * 1000)

    def key(self, user_id: int) -> str:
        return f"{self.prefix}:throttle:{user_id}"

    async def take(self, user_id: int) -> Verdict:
        if self._known_empty(user_id):
            return Verdict(allowed=False, notify=False)
        async with self._running:
            if self._known_empty(user_id):  # learnt while this update waited its turn
                return Verdict(allowed=False, notify=False)
            now = self.clock()
            allowed, notify, wait_us = await self._script(keys=[self.key(user_id)], args=self._args(now))
        if not allowed:
            if len(self._empty_until) >= 10_000:
                self._empty_until.clear()  # a bound, not a loss: Redis still knows
            self._empty_until[user_id] = now + wait_us / 1_000_000
        return Verdict(allowed=bool(allowed), notify=bool(notify))

    def _known_empty(self, user_id: int) -> bool:
        until = self._empty_until.get(user_id)
        if until is None:
            return False
        if self.clock() < until:
            return True
        del self._empty_until[user_id]
        return False

    def _args(self, now: float) -> list[Any]:
        limits = self.limits
        return [
            limits.capacity,
            repr(float(limits.refill_per_second)),
            repr(now),
            repr(float(limits.notice_interval)),
            self._ttl_ms,
        ]


def buckets_for(storage: BaseStorage, limits: Limits | None = None) -> Buckets:
    """Redis buckets beside a Redis storage (same server and key prefix), memory otherwise."""
    if isinstance(storage, RedisStorage):
        prefix = getattr(storage.key_builder, "prefix", "fsm")
        return RedisBuckets(storage.redis, limits, prefix=prefix)
    return MemoryBuckets(limits)


class ThrottlingMiddleware(BaseMiddleware):
    """Outer middleware on updates: drops a user's updates over their bucket's limit.

    ``locale_of`` gives the language of the toast (the bot's language middleware knows the
    client's choice); without it, or when it fails, Telegram's language of the user.
    """

    def __init__(self, buckets: Buckets, i18n: I18n, locale_of: LocaleOf | None = None) -> None:
        self.buckets = buckets
        self.i18n = i18n
        self.locale_of = locale_of

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        try:
            verdict = await self.buckets.take(user.id)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
            log.warning("throttle unavailable, letting the update of user %s pass: %r", user.id, error)
            return await handler(event, data)
        if verdict.allowed:
            return await handler(event, data)
        if verdict.notify:
            log.info("throttling user %s", user.id)
        callback = event.callback_query if isinstance(event, Update) else None
        if isinstance(callback, CallbackQuery):
            text = await self._slow_down(callback, user, data) if verdict.notify else None
            await answer_quietly(data["bot"], callback.id, text)
        return None

    async def _slow_down(self, event: TelegramObject, user: User, data: dict[str, Any]) -> str:
        locale = telegram_language(user.language_code)
        if self.locale_of is not None:
            try:
                locale = await self.locale_of(event, data)
            except Exception:
                log.exception("could not find the language of user %s", user.id)
        return self.i18n.gettext(SLOW_DOWN, locale=locale)


def install_before_fsm(dp: Dispatcher, middleware: BaseMiddleware) -> None:
    """Run ``middleware`` on every update after aiogram has found its user and chat, but before
    the FSM middleware takes the user's event-isolation lock: a dropped update then never waits
    behind the user's other updates, nor makes them wait."""
    outer = dp.update.outer_middleware
    fsm_registered = dp.fsm in outer
    if fsm_registered:
        outer.unregister(dp.fsm)
    outer.register(middleware)
    if fsm_registered:
        outer.register(dp.fsm)


def setup_throttling(
    dp: Dispatcher, buckets: Buckets, i18n: I18n, locale_of: LocaleOf | None = None
) -> ThrottlingMiddleware:
    middleware = ThrottlingMiddleware(buckets, i18n, locale_of)
    install_before_fsm(dp, middleware)
    return middleware
