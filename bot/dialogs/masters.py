"""The masters' faces: "ℹ️ About the masters" on the master step sends each master's photo with
their name and short bio (in the client's language), then the master step again below them.

A photo is uploaded to Telegram once: the ``file_id`` Telegram gives back is stored on the
master (``services.remember_master_photo``) and sent instead of the file from then on, for every
client; replacing the photo in the admin clears it, so the new one is uploaded once in turn.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.types import CallbackQuery, FSInputFile
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import Button

from bot.dialogs.common import facade
from bot.dialogs.selection import service_ids
from bot.texts import T

log = logging.getLogger(__name__)

# Telegram's limit for a photo caption.
CAPTION_LIMIT = 1024


def about_masters_button() -> Button:
    """Shown when one of the offered masters has a photo or a bio (the getter's ``introduce``)."""
    return Button(T("ℹ️ About the masters"), id="about", on_click=on_about_masters, when="introduce")


def card_text(master: Any) -> str:
    return f"{master.name}\n{master.bio}".strip()


async def on_about_masters(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    bot: Bot = manager.middleware_data["bot"]
    chat_id = manager.middleware_data["event_chat"].id
    masters = await facade(manager).list_masters(service_ids(manager))
    without_photo = []
    for master in masters:
        if master.photo:
            await _send_photo(manager, bot, chat_id, master)
        elif master.bio:
            without_photo.append(card_text(master))
    if without_photo:
        await bot.send_message(chat_id, "\n\n".join(without_photo))
    manager.show_mode = ShowMode.SEND  # the master step again, below the cards


async def _send_photo(manager: DialogManager, bot: Bot, chat_id: int, master: Any) -> None:
    """By ``file_id`` once Telegram has the photo; else upload it and keep the id it returns.
    A file that cannot be read (deleted behind the admin's back) costs the client only the
    picture: the name and bio are sent as text."""
    caption = card_text(master)[:CAPTION_LIMIT]
    if master.photo_file_id:
        await bot.send_photo(chat_id, master.photo_file_id, caption=caption)
        return
    try:
        sent = await bot.send_photo(chat_id, FSInputFile(master.photo_path), caption=caption)
    except OSError:
        log.warning("photo of master %s is unreadable: %s", master.id, master.photo_path, exc_info=True)
        await bot.send_message(chat_id, caption)
        return
    if sent.photo:  # the largest size is last; any size's id sends the photo again
        await facade(manager).remember_master_photo(master.id, master.photo, sent.photo[-1].file_id)
