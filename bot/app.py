"""The one place where the bot is assembled: polling, the webhook, the local terminal chat,
the tests and the benchmark all build the same dispatcher and bot from here."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.utils.i18n import I18n
from aiogram_dialog import setup_dialogs

from bot import intent_ids
from bot.commands import commands_router, fallback_router, set_commands
from bot.dialogs import all_dialogs
from bot.dialogs.privacy import ForgetConversation
from bot.errors import StorageDownGuard, errors_router
from bot.facade import BookingFacade
from bot.heap import on_startup as freeze_startup_heap
from bot.i18n import ClientLanguageMiddleware, build_i18n
from bot.middlewares import (
    AnswerTracker,
    CallbackAnswerGuard,
    PrivateChatsOnly,
    QuietMessageManager,
    RetryAfterMiddleware,
)
from bot.rebook import rebook_router
from bot.response_models import ResponseModelKeeper
from bot.staff import staff_router, works_in_groups
from bot.stray_buttons import stray_buttons_router
from bot.throttling import Buckets, buckets_for, install_before_fsm, setup_throttling
from bot.time_off import time_off_router
from bot.waitlist import waitlist_router

# A syntactically valid token for sessions that never reach Telegram (local mode, tests).
OFFLINE_TOKEN = "4242:offline-token-for-local-mode-and-tests"


def build_dispatcher(
    *,
    storage: BaseStorage | None = None,
    events_isolation: BaseEventIsolation | None = None,
    facade: BookingFacade | None = None,
    i18n: I18n | None = None,
    set_commands_on_startup: bool = True,
    throttle: Buckets | None = None,
) -> Dispatcher:
    """The dispatcher with every router, the dialogs and the middlewares, in the order that
    matters: commands and the notifications' buttons and /today (``staff.py``) before dialogs
    (so /start wins over a dialog's text input), then buttons that belong to no current screen
    (``stray_buttons.py``), the fallback after them, the language
    middleware after ``setup_dialogs`` (so the dialogs' internal updates are translated too).
    Before all of them: the per-user throttle (``throttle``: Redis buckets beside a Redis
    storage, memory ones otherwise) and the gate that keeps the client's side to private chats."""
    intent_ids.install()
    storage = storage or MemoryStorage()
    events_isolation = events_isolation or SimpleEventIsolation()
    facade = facade or BookingFacade()
    i18n = i18n or build_i18n()

    dp = Dispatcher(storage=storage, events_isolation=events_isolation, facade=facade)
    language = ClientLanguageMiddleware(i18n, facade)
    setup_throttling(dp, throttle or buckets_for(storage), i18n, language.get_locale)
    install_before_fsm(dp, PrivateChatsOnly(works_in_groups))
    dp.update.outer_middleware(ForgetConversation())  # "Delete my data": keys go after the update
    dp.callback_query.outer_middleware(CallbackAnswerGuard())
    dp.errors.outer_middleware(StorageDownGuard(i18n))
    dp.include_router(errors_router())
    dp.include_router(commands_router())
    dp.include_router(staff_router())
    dp.include_router(time_off_router())
    dp.include_router(waitlist_router())
    dp.include_router(rebook_router())
    dp.include_router(stray_buttons_router())
    for dialog in all_dialogs():
        dp.include_router(dialog)
    dp.include_router(fallback_router())
    setup_dialogs(dp, events_isolation=events_isolation, message_manager=QuietMessageManager())
    language.setup(dp)

    if set_commands_on_startup:

        async def _commands(bot: Bot) -> None:
            await set_commands(bot, i18n)

        dp.startup.register(_commands)
    # Registered last of the dispatcher's own handlers: what they build is frozen too.
    dp.startup.register(freeze_startup_heap)
    return dp


def build_bot(token: str = OFFLINE_TOKEN, *, session: BaseSession | None = None, api_url: str = "") -> Bot:
    """A bot whose session waits out flood control, tracks callback answers and keeps the
    response models it validates answers with; ``api_url`` points it at a self-hosted Bot API
    server."""
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else AiohttpSession()
    session.middleware(RetryAfterMiddleware())
    session.middleware(AnswerTracker())
    session.middleware(ResponseModelKeeper())
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=None))
