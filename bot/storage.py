"""FSM and dialog storage: Redis when ``REDIS_URL`` is set (survives restarts, shared by
several bot processes), memory otherwise (``make demo``, tests)."""

from __future__ import annotations

from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation


def build_storage(redis_url: str = "", prefix: str = "fsm") -> tuple[BaseStorage, BaseEventIsolation]:
    """The storage and the matching event isolation.

    aiogram-dialog keeps its stacks and contexts under storage *destinies*, which only the
    key builder with ``with_destiny=True`` keeps apart; the isolation serialises two quick
    taps of one user (polling runs every update as its own task).
    """
    if not redis_url:
        return MemoryStorage(), SimpleEventIsolation()
    from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisEventIsolation, RedisStorage

    key_builder = DefaultKeyBuilder(prefix=prefix, with_destiny=True)
    storage = RedisStorage.from_url(redis_url, key_builder=key_builder)
    return storage, RedisEventIsolation(redis=storage.redis, key_builder=storage.key_builder)
