"""Buttons that belong to no current screen: refused with one callback answer, nothing redrawn.

- A button of an older message (not the dialog's current one): the message loses its keyboard
  and the client gets a toast; the current screen stays where it is, below. Redrawing the
  current screen into the old message would leave two live copies of one screen.
- Callback data without a dialog id (a bare ``ok``, another bot's data): aiogram-dialog would
  route it to the current screen, where ``ok`` is Confirm. The staff buttons, which carry
  their own ``CallbackData``, are taken by ``staff.py`` before this router.

Stale dialog ids (``UnknownIntent``/``OutdatedIntent``) never reach a router; ``bot/errors.py``
refuses those the same way (``refuse_stale``) when they come from an older message.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery
from aiogram_dialog.api.entities import Stack
from aiogram_dialog.utils import CB_SEP

from bot.middlewares import answer_quietly
from bot.texts import N_, _

log = logging.getLogger(__name__)

STALE_TOAST = N_("That button belongs to an older message. Please use the newest one.")


def from_an_older_message(callback: CallbackQuery, stack: Stack | None) -> bool:
    """Whether the button is on a message other than the one showing the current screen
    (``stack``: the dialog stack aiogram-dialog loaded for this event, if any)."""
    current = stack.last_message_id if stack is not None else None
    return callback.message is not None and current is not None and callback.message.message_id != current


async def refuse_stale(callback: CallbackQuery, bot: Bot, stack: Stack | None) -> None:
    """Answer with a toast; an older message also loses its keyboard (never gains a screen)."""
    await answer_quietly(bot, callback.id, _(STALE_TOAST))
    if from_an_older_message(callback, stack):
        try:
            await bot.edit_message_reply_markup(
                chat_id=callback.message.chat.id, message_id=callback.message.message_id, reply_markup=None
            )
        except TelegramAPIError as error:  # deleted meanwhile, too old to edit: nothing to remove
            log.info("could not remove the keyboard of an older message: %s", error)


# Filters run before inner middlewares, so they see the stack the intent middleware (outer)
# loaded under its data key, not yet a DialogManager.


async def is_stray(callback: CallbackQuery, aiogd_stack: Stack | None = None) -> bool:
    if not callback.id:  # aiogram-dialog's stand-in for a reply-keyboard button: the client typed it
        return False
    return CB_SEP not in (callback.data or "") or from_an_older_message(callback, aiogd_stack)


async def on_stray(callback: CallbackQuery, bot: Bot, aiogd_stack: Stack | None = None) -> None:
    log.warning("ignored stray callback data %r from user %s", callback.data, callback.from_user.id)
    await refuse_stale(callback, bot, aiogd_stack)


def stray_buttons_router() -> Router:
    router = Router(name="stray-buttons")
    router.callback_query.register(on_stray, is_stray)
    return router
