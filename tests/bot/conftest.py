"""Fixtures for conversation tests: the real dispatcher and bot, Telegram simulated at the
Bot API boundary (``tests.bot.simulator.RecordingTelegram``), and users who tap and type."""

from __future__ import annotations

import gc
import io
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram_dialog.test_tools.memory_storage import JsonMemoryStorage
from asgiref.sync import sync_to_async
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.core.management import call_command
from django.db import connections

from bot.app import OFFLINE_TOKEN, build_bot
from bot.i18n import LOCALES_DIR
from bot.local_session import SimulatedUser
from bot.orm_threads import default_pool
from bot.outbox import OutboxSender, build_sender_bot
from tests.bot.flows import conversation_dispatcher
from tests.bot.simulator import RecordingTelegram

_user_ids = itertools.count(700_001)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """``make messages`` compiles the catalogues; do it here too when they are missing or
    older than their .po, so ``pytest tests/bot`` works on its own."""
    for po in Path(LOCALES_DIR).glob("*/LC_MESSAGES/bot.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)


@pytest.fixture(autouse=True)
async def close_thread_connections() -> AsyncIterator[None]:
    """The facade's queries run on the ORM pool's threads (``bot.orm_threads``), the tests' own
    in asgiref's executor thread: their connections would outlive the test and keep the test
    database from being dropped."""
    yield
    await default_pool().close_all()
    await sync_to_async(connections.close_all)()


@pytest.fixture(autouse=True)
def unfrozen_heap() -> Iterator[None]:
    """A dispatcher's start-up freezes the heap (``bot.heap``); each test starts with none
    frozen, so that what one test made can still be collected in the next (the garbage
    collector's own tests rely on it)."""
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.fixture
def telegram() -> RecordingTelegram:
    return RecordingTelegram()


@pytest.fixture
async def bot(telegram: RecordingTelegram) -> AsyncIterator[Bot]:
    bot = build_bot(session=telegram)
    yield bot
    await bot.session.close()


@pytest.fixture
def dp() -> Dispatcher:
    # JsonMemoryStorage round-trips dialog data through JSON, as RedisStorage would. A test
    # user taps far faster than a person: their bucket is one no conversation empties
    # (tests/bot/test_throttling.py tests the real limits).
    return conversation_dispatcher(storage=JsonMemoryStorage())


@pytest.fixture
def demo_salon(transactional_db: None) -> None:
    """The demo salon (Salon Aurora: 3 categories, 10 services, 4 masters)."""
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def make_user(dp: Dispatcher, bot: Bot, telegram: RecordingTelegram) -> Callable[..., SimulatedUser]:
    def make(language_code: str | None = "en", first_name: str = "Anna") -> SimulatedUser:
        return SimulatedUser(
            dp, bot, telegram, next(_user_ids), first_name=first_name, language_code=language_code
        )

    return make


@pytest.fixture
async def make_sender() -> AsyncIterator[Callable[..., OutboxSender]]:
    """Notification senders on a given simulated Telegram; each closes its database thread
    (and that thread's connection) at the end of the test."""
    senders: list[OutboxSender] = []

    def make(telegram: RecordingTelegram, **options: Any) -> OutboxSender:
        options.setdefault("name", f"sender-{len(senders)}")
        sender = OutboxSender(build_sender_bot(OFFLINE_TOKEN, session=telegram), **options)
        senders.append(sender)
        return sender

    yield make
    for sender in senders:
        await sender.close()


@pytest.fixture
def sender(make_sender: Callable[..., OutboxSender], telegram: RecordingTelegram) -> OutboxSender:
    """A sender on the same simulated Telegram as the users and the dispatcher."""
    return make_sender(telegram)
