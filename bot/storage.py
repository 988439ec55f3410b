"""FSM and dialog storage: Redis when ``REDIS_URL`` is set (survives restarts, shared by
several bot processes), memory otherwise (``make demo``, tests)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from datetime import timedelta

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.storage.redis import DefaultKeyBuilder, KeyBuilder, RedisEventIsolation, RedisStorage
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError

log = logging.getLogger(__name__)

# How long a user's event lock outlives the process holding it. A process killed mid-update
# leaves the lock behind: that user's next update waits at most this long (aiogram's default,
# 60 s, made them wait about a minute). A live update renews its lock, however long it runs.
EVENT_LOCK_TTL_SECONDS = 5.0
# How long an idle conversation (FSM state and dialog data) is kept: a client who comes back
# later starts afresh (/start, or the error handlers restart an expired dialog), and Redis does
# not keep every user's half-finished booking forever.
CONVERSATION_TTL = timedelta(days=30)


def build_storage(
    redis_url: str = "", prefix: str = "fsm", *, lock_ttl: float = EVENT_LOCK_TTL_SECONDS
) -> tuple[BaseStorage, BaseEventIsolation]:
    """The storage and the matching event isolation.

    aiogram-dialog keeps its stacks and contexts under storage *destinies*, which only the
    key builder with ``with_destiny=True`` keeps apart; the isolation serialises two quick
    taps of one user (polling runs every update as its own task).
    """
    if not redis_url:
        return MemoryStorage(), SimpleEventIsolation()
    key_builder = DefaultKeyBuilder(prefix=prefix, with_destiny=True)
    storage = RedisStorage.from_url(
        redis_url, key_builder=key_builder, state_ttl=CONVERSATION_TTL, data_ttl=CONVERSATION_TTL
    )
    return storage, RenewedEventIsolation(storage.redis, storage.key_builder, ttl=lock_ttl)


class RenewedEventIsolation(RedisEventIsolation):
    """aiogram's Redis event lock with a short TTL that the holder renews every third of it:
    a dead holder frees the user within ``ttl`` seconds, a slow live one keeps the lock."""

    def __init__(self, redis: Redis, key_builder: KeyBuilder, *, ttl: float = EVENT_LOCK_TTL_SECONDS) -> None:
        super().__init__(redis=redis, key_builder=key_builder, lock_kwargs={"timeout": ttl})
        self.ttl = ttl

    @contextlib.asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock = self.redis.lock(name=self.key_builder.build(key, "lock"), lock_class=Lock, **self.lock_kwargs)
        await lock.acquire()
        renewal = asyncio.create_task(self._renew(lock))
        try:
            yield None
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal
            await self._release(lock)

    async def _renew(self, lock: Lock) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            try:
                await lock.reacquire()
            except LockError:  # expired meanwhile (the loop was blocked longer than the TTL)
                log.warning("event lock %s expired while its update was running", lock.name)
                return

    @staticmethod
    async def _release(lock: Lock) -> None:
        try:
            await lock.release()
        except LockError:
            log.warning("event lock %s had expired before its update ended", lock.name)
