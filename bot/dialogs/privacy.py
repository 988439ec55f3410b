""" "Delete my data": the client erases themselves from the salon's records (issue 11 §4).

Reached from the language screen (the bot's settings). After a confirmation the core cancels
the client's upcoming visits (the masters hear of it through the outbox) and anonymises the
client row (``djproject.salon.services.erase_client``); then the conversation's own keys go:
every FSM and dialog key of that user in the storage (Redis in production).

The keys are deleted by ``ForgetConversation``, an update middleware, *after* the update is
handled: aiogram-dialog writes the dialog stack back at the very end of the update, so keys
deleted inside the handler would be written again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import CallbackQuery, TelegramObject
from aiogram_dialog import DialogManager, ShowMode, Window
from aiogram_dialog.widgets.kbd import Button, Row, SwitchTo

from bot.dialogs.common import cancel_button, client_id, facade, screen
from bot.dialogs.states import MenuSG
from bot.texts import T, _

log = logging.getLogger(__name__)

FORGET_KEY = "forget_conversation"


class ForgetRequest:
    """Handed to the handlers of one update: ``user_id`` set means "forget this user's keys"."""

    def __init__(self) -> None:
        self.user_id: int | None = None


class ForgetConversation(BaseMiddleware):
    """Outer update middleware (inside the FSM's event lock): after the update, delete every
    storage key of a user whose handler asked for it."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        request = ForgetRequest()
        data[FORGET_KEY] = request
        try:
            return await handler(event, data)
        finally:
            if request.user_id is not None:
                removed = await forget_user(data["fsm_storage"], data["bot"].id, request.user_id)
                log.info("forgot the conversation of an erased client (%d keys)", removed)


async def forget_user(storage: BaseStorage, bot_id: int, user_id: int) -> int:
    """Delete the user's private-chat keys (state, data, dialog stacks and contexts, every
    destiny); returns how many. Redis by key pattern, the memory storages by key."""
    if isinstance(storage, RedisStorage):
        builder = storage.key_builder
        prefix = getattr(builder, "prefix", "fsm")
        separator = getattr(builder, "separator", ":")
        pattern = separator.join((prefix, str(bot_id), str(user_id), str(user_id), "*"))
        keys = [key async for key in storage.redis.scan_iter(match=pattern, count=500)]
        if keys:
            await storage.redis.delete(*keys)
        return len(keys)
    records = getattr(storage, "storage", None)  # MemoryStorage, the tests' JsonMemoryStorage
    if not isinstance(records, dict):
        return 0
    mine = [k for k in records if k.bot_id == bot_id and k.user_id == user_id and k.chat_id == user_id]
    for key in mine:
        del records[key]
    return len(mine)


async def erase_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    visits = await facade(dialog_manager).upcoming_visits(client_id(dialog_manager))
    return {"count": len(visits), "has_visits": bool(visits)}


async def on_erase(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """Erase in the core, close the dialogs, say what happened, and have the keys forgotten."""
    user_id = client_id(manager)
    cancelled = await facade(manager).erase_client(user_id)
    language = manager.middleware_data.get("i18n_middleware")
    if language is not None:
        language.forget(user_id)
    manager.middleware_data[FORGET_KEY].user_id = user_id
    text = _("Your data has been deleted: your name, phone number and Telegram id are gone.")
    if cancelled:
        text += "\n" + _("Upcoming visits cancelled: {count}. The salon has been told.").format(
            count=cancelled
        )
    text += "\n" + _("Send /start whenever you would like to book again.")
    await manager.reset_stack(remove_keyboard=True)
    manager.show_mode = ShowMode.NO_UPDATE
    await callback.message.answer(text)


def erase_button() -> SwitchTo:
    return SwitchTo(T("🗑 Delete my data"), id="erase", state=MenuSG.erase)


def erase_window() -> Window:
    return screen(
        T(
            "Delete your data? The salon forgets your name, phone number and Telegram id, "
            "and our conversation. This cannot be undone."
        ),
        T("Your upcoming visits ({count}) will be cancelled.", when="has_visits"),
        Button(T("🗑 Yes, delete my data"), id="erase_yes", on_click=on_erase),
        Row(SwitchTo(T("◀ Back"), id="bk", state=MenuSG.language), cancel_button()),
        state=MenuSG.erase,
        getter=erase_getter,
    )
