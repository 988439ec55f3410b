"""Cross-cutting guarantees, kept out of the handlers.

- ``RetryAfterMiddleware`` (on the Bot API session): flood control is waited out and the
  request repeated, whichever handler or library sent it.
- ``CallbackAnswerGuard`` (outer, on callback queries) with ``AnswerTracker`` (on the
  session): after the handlers ran, a callback query that nobody answered is answered, so the
  client's button never keeps spinning.
- ``QuietMessageManager`` (aiogram-dialog's message manager): a callback query a handler has
  already answered (with a toast) is not answered a second time, which Telegram refuses.
- ``PrivateChatsOnly`` (outer, on updates): in a group (the staff chat included) only the
  staff's own events reach the handlers; the client's menu and dialogs live in private chats.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.methods import AnswerCallbackQuery, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, Message, TelegramObject, Update
from aiogram_dialog.manager.message_manager import MessageManager

log = logging.getLogger(__name__)

# The callback query being handled in this task, and whether it has been answered yet.
_pending_answer: ContextVar[dict[str, Any] | None] = ContextVar("pending_callback_answer", default=None)


class RetryAfterMiddleware(BaseRequestMiddleware):
    """Sleep ``retry_after`` seconds and repeat the request (at most ``attempts`` times)."""

    def __init__(
        self,
        attempts: int = 3,
        max_wait: float = 60.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.attempts = attempts
        self.max_wait = max_wait
        self.sleep = sleep

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt == self.attempts or error.retry_after > self.max_wait:
                    raise
                log.warning("flood control on %s: waiting %s s", method.__api_method__, error.retry_after)
                await self.sleep(error.retry_after)
        raise AssertionError("unreachable")  # pragma: no cover


class AnswerTracker(BaseRequestMiddleware):
    """Marks the current callback query as answered when anyone answers it."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        pending = _pending_answer.get()
        if (
            pending is not None
            and isinstance(method, AnswerCallbackQuery)
            and method.callback_query_id == pending["id"]
        ):
            pending["answered"] = True
        return await make_request(bot, method)


def callback_answered() -> bool:
    pending = _pending_answer.get()
    return pending is None or bool(pending["answered"])


async def answer_quietly(bot: Bot, callback_query_id: str, text: str | None = None) -> None:
    """Answer a callback query unless that is impossible (already answered, too old)."""
    pending = _pending_answer.get()
    if pending is not None and pending["id"] == callback_query_id and pending["answered"]:
        return
    try:
        await bot.answer_callback_query(callback_query_id, text=text)
    except TelegramAPIError as error:
        log.info("could not answer callback %s: %s", callback_query_id, error)


class QuietMessageManager(MessageManager):
    """aiogram-dialog answers every callback it handled; a handler that answered with a toast
    (``answer_quietly(..., text=...)``) already did, and a second answer is an error."""

    async def answer_callback(self, bot: Bot, callback_query: CallbackQuery) -> None:
        pending = _pending_answer.get()
        if pending is not None and pending["id"] == callback_query.id and pending["answered"]:
            return
        await super().answer_callback(bot, callback_query)


class CallbackAnswerGuard(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, CallbackQuery) or not event.id:
            # No id: aiogram-dialog's stand-in for a reply-keyboard button (a text message),
            # which has no spinner to stop.
            return await handler(event, data)
        pending = {"id": event.id, "answered": False}
        token = _pending_answer.set(pending)
        try:
            result = await handler(event, data)
        except Exception:
            # The update's error handler runs later, outside this middleware, and answers.
            raise
        else:
            if not pending["answered"]:
                await answer_quietly(data["bot"], event.id)
            return result
        finally:
            _pending_answer.reset(token)


class PrivateChatsOnly(BaseMiddleware):
    """Outer middleware on updates: messages and callback queries from a group pass only when
    ``allowed_in_groups`` says they are the staff's (Confirm / Decline, /today).

    Filters on the client routers are not enough: aiogram-dialog's own middleware loads a
    dialog from a callback's intent id before any router filter runs, and an unknown intent
    ends in the error handler that restarts the client menu — in the group. A dropped callback
    is still answered, so nobody's button keeps spinning.
    """

    def __init__(self, allowed_in_groups: Callable[[Message | CallbackQuery, Bot], Awaitable[bool]]) -> None:
        self.allowed_in_groups = allowed_in_groups

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat = data.get("event_chat")
        inner = (event.message or event.callback_query) if isinstance(event, Update) else None
        if chat is None or chat.type == "private" or inner is None:
            return await handler(event, data)
        if await self.allowed_in_groups(inner, data["bot"]):
            return await handler(event, data)
        log.info("ignored a client event in %s chat %s", chat.type, chat.id)
        if isinstance(inner, CallbackQuery):
            await answer_quietly(data["bot"], inner.id)
        return None
