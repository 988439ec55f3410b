"""What the client sees when something goes wrong: never a traceback, always a screen.

- A stale button of an older message: the callback is answered with a toast and that message
  loses its keyboard (``bot/stray_buttons.py``); the current screen stays as it is.
- A stale button on the current message (a dialog that is closed or not on top, a renamed
  state, state lost after a restart): the callback is answered and the current screen is shown
  anew (the main menu when nothing is open).
- A time the clocks skip (02:30 on the night they jump forward) reached a booking: the times
  screen shows that day's real times with a line that says why. The time buttons never offer
  such a time; a stale or forged choice, or a salon time zone changed meanwhile, can.
- "message is not modified": harmless, ignored (aiogram-dialog also handles it on its own path).
- The database failing (down, a dropped connection, a deadlock the core could not retry): the
  translated "briefly unavailable" above the screen the client was on, which the failed update
  did not change (aiogram-dialog saves the dialog only after a handler succeeded), so the same
  button can simply be pressed again.
- Anything else: logged with the traceback, the callback answered, a friendly "nothing was
  lost" and the main menu.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import redis.exceptions
from aiogram import BaseMiddleware, Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.api.exceptions import OutdatedIntent, UnknownIntent, UnknownState
from django.db import DatabaseError, InterfaceError, OperationalError

from bot.dialogs.booking import SLOT_SKIPPED
from bot.dialogs.common import set_notice
from bot.dialogs.slot_picker import show_fresh_times
from bot.dialogs.states import MenuSG
from bot.facade import BookingFacade, NonexistentLocalTimeError, VisitNotFoundError
from bot.i18n import telegram_language
from bot.middlewares import answer_quietly
from bot.stray_buttons import from_an_older_message, refuse_stale
from bot.texts import N_, VISIT_GONE, _

log = logging.getLogger(__name__)

STALE = N_("That button belongs to an older message. Here is where you are now.")
OOPS = N_("Sorry, something went wrong on our side. Nothing was lost; please try again.")
UNAVAILABLE = N_("Booking is briefly unavailable. Nothing was lost; please try again in a minute.")

# The database failed under the update: down, connection lost, or a conflict left after retries.
DATABASE_DOWN = (DatabaseError, InterfaceError)

# The conversation storage (Redis) cannot be reached: no dialog can load or save its state.
STORAGE_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class StorageDownGuard(BaseMiddleware):
    """Outer middleware on ``dp.errors``: when the conversation storage is unreachable, tell
    the client so, directly.

    The usual error path cannot help then: aiogram-dialog's error middleware loads the dialog
    stack from the same storage and fails itself (2.6 even raises a ``KeyError`` while cleaning
    up). So this guard answers the callback and sends a plain message in the user's Telegram
    language (the client record may be out of reach too), and ends the update.
    """

    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n

    async def __call__(
        self,
        handler: Callable[[ErrorEvent, dict[str, Any]], Awaitable[Any]],
        event: ErrorEvent,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event.exception, STORAGE_DOWN):
            try:
                return await handler(event, data)
            except STORAGE_DOWN:
                pass  # the storage went away while recovering from another error
        log.error("conversation storage unreachable: %r", event.exception)
        await self.tell(event, data["bot"])
        return None

    async def tell(self, event: ErrorEvent, bot: Bot) -> None:
        await _answer(event, bot)
        chat_id = _chat_id(event)
        user = event.update.event.from_user if hasattr(event.update.event, "from_user") else None
        if chat_id is None:
            return
        locale = telegram_language(user.language_code if user else None)
        try:
            await bot.send_message(chat_id, self.i18n.gettext(UNAVAILABLE, locale=locale))
        except Exception:  # Telegram is unreachable too: nothing more to do
            log.exception("could not tell chat %s that booking is unavailable", chat_id)


async def _answer(event: ErrorEvent, bot: Bot) -> None:
    if event.update.callback_query is not None:
        await answer_quietly(bot, event.update.callback_query.id)


async def _restart_menu(dialog_manager: DialogManager) -> None:
    await dialog_manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


def errors_router() -> Router:
    router = Router(name="errors")

    @router.error(ExceptionTypeFilter(UnknownIntent, OutdatedIntent, UnknownState))
    async def stale(event: ErrorEvent, bot: Bot, dialog_manager: DialogManager) -> None:
        log.info("stale dialog event: %s", event.exception)
        callback = event.update.callback_query
        stack = dialog_manager.current_stack() if dialog_manager.has_context() else None
        if callback is not None and from_an_older_message(callback, stack):
            await refuse_stale(callback, bot, stack)  # no copy of the current screen
            return
        await _answer(event, bot)
        if dialog_manager.has_context():
            set_notice(dialog_manager, STALE)
            await dialog_manager.show(ShowMode.SEND)
        else:
            await _restart_menu(dialog_manager)

    @router.error(ExceptionTypeFilter(VisitNotFoundError))
    async def visit_gone(event: ErrorEvent, bot: Bot, dialog_manager: DialogManager) -> None:
        """The visit being shown or moved was cancelled meanwhile (by staff, in another chat)."""
        await _answer(event, bot)
        await dialog_manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.NO_UPDATE)
        set_notice(dialog_manager, VISIT_GONE)
        dialog_manager.show_mode = ShowMode.SEND  # start() kept NO_UPDATE for the manager
        await dialog_manager.show()

    @router.error(ExceptionTypeFilter(NonexistentLocalTimeError))
    async def skipped_time(event: ErrorEvent, bot: Bot, dialog_manager: DialogManager) -> None:
        """Nothing was booked or moved: show the day's real times and say why."""
        log.info("refused a skipped local time: %s", event.exception)
        await _answer(event, bot)
        if not dialog_manager.has_context():
            await _restart_menu(dialog_manager)
            return
        shown = dialog_manager.current_context().id
        await show_fresh_times(dialog_manager, reason=SLOT_SKIPPED, show_mode=ShowMode.SEND)
        if dialog_manager.current_context().id == shown:  # a switch, which no one renders here
            await dialog_manager.show()

    @router.error(ExceptionTypeFilter(*DATABASE_DOWN))
    async def database_down(
        event: ErrorEvent, bot: Bot, facade: BookingFacade, dialog_manager: DialogManager | None = None
    ) -> None:
        """Say "briefly unavailable" above the unchanged screen, so the client can press the
        same button again in a minute."""
        _log_database_error(event)
        await _answer(event, bot)
        if dialog_manager is not None and dialog_manager.has_context():
            set_notice(dialog_manager, UNAVAILABLE)
            try:
                await dialog_manager.show(ShowMode.SEND)
                return
            except DATABASE_DOWN:  # the screen needs the database too: say it in plain text
                log.warning("could not show the screen of update %s again", event.update.update_id)
        await _send_plain(event, bot, UNAVAILABLE)

    @router.error(
        ExceptionTypeFilter(TelegramBadRequest), F.exception.message.contains("message is not modified")
    )
    async def not_modified(event: ErrorEvent, bot: Bot) -> None:
        await _answer(event, bot)

    @router.error()
    async def unexpected(event: ErrorEvent, bot: Bot, dialog_manager: DialogManager | None = None) -> None:
        log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
        await _answer(event, bot)
        chat_id = _chat_id(event)
        if chat_id is None:
            return
        try:
            await bot.send_message(chat_id, _(OOPS))
            if dialog_manager is not None:
                await _restart_menu(dialog_manager)
        except Exception:  # the apology itself failed (network, blocked bot): log, give up
            log.exception("could not recover from the failure of update %s", event.update.update_id)

    return router


def _log_database_error(event: ErrorEvent) -> None:
    """One line for an outage (it repeats for every update while it lasts); the traceback for
    any other database error, which may be a bug."""
    error = event.exception
    if isinstance(error, (OperationalError, InterfaceError)):
        first_line = (str(error).strip().splitlines() or [""])[0]
        log.error(
            "database unavailable in update %s: %s: %s",
            event.update.update_id,
            type(error).__name__,
            first_line,
        )
    else:
        log.error("database error in update %s", event.update.update_id, exc_info=error)


async def _send_plain(event: ErrorEvent, bot: Bot, msgid: str) -> None:
    chat_id = _chat_id(event)
    if chat_id is None:
        return
    try:
        await bot.send_message(chat_id, _(msgid))
    except Exception:  # Telegram is unreachable too: nothing more to do
        log.exception("could not tell chat %s about update %s", chat_id, event.update.update_id)


def _chat_id(event: ErrorEvent) -> int | None:
    update = event.update
    if update.message is not None:
        return update.message.chat.id
    if update.callback_query is not None and update.callback_query.message is not None:
        return update.callback_query.message.chat.id
    return None
