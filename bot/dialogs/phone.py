"""The phone step: a sub-dialog that asks for the client's phone once, saves it and returns
``{"phone": ...}`` through ``manager.done()``; Back returns no result.

The contact button lives in a reply keyboard, which only a message can take away: the thanks
carries ``ReplyKeyboardRemove``, and the caller's next screen replaces the prompt
(``ShowMode.DELETE_AND_SEND``) rather than let the library send a "..." message to remove it.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import Message, ReplyKeyboardRemove
from aiogram_dialog import Dialog, DialogManager, ShowMode
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import RequestContact, Row
from aiogram_dialog.widgets.markup.reply_keyboard import ReplyKeyboardFactory

from bot.dialogs.common import back_button, cancel_button, client_id, facade, screen, set_notice
from bot.dialogs.states import PhoneSG
from bot.facade import InvalidPhoneNumberError
from bot.texts import N_, T, _

NOT_A_PHONE = N_(
    "That does not look like a phone number. Please type it like +49 151 2345678, or use the button below."
)


def phone_result(result: Any) -> str | None:
    """The saved phone from the step's result (for the caller's ``on_process_result``)."""
    return str(result["phone"]) if isinstance(result, dict) and result.get("phone") else None


async def on_contact(message: Message, _widget: Any, manager: DialogManager) -> None:
    contact = message.contact
    if contact is None or (contact.user_id is not None and contact.user_id != message.from_user.id):
        set_notice(manager, N_("Please share your own phone number with the button below, or type it."))
        return
    await _save(message, manager, contact.phone_number, shared=True)


async def on_phone_text(message: Message, _widget: Any, manager: DialogManager) -> None:
    await _save(message, manager, message.text or "")


async def _save(message: Message, manager: DialogManager, phone: str, *, shared: bool = False) -> None:
    """The core normalises every number (typed or shared) to E.164 or refuses it."""
    try:
        client = await facade(manager).set_client_phone(client_id(manager), phone, shared=shared)
    except InvalidPhoneNumberError:
        set_notice(manager, NOT_A_PHONE)
        return
    await message.answer(_("Thank you! We saved your phone number."), reply_markup=ReplyKeyboardRemove())
    await manager.done({"phone": client.phone}, show_mode=ShowMode.DELETE_AND_SEND)


def phone_dialog() -> Dialog:
    return Dialog(
        screen(
            T(
                "Almost done! Please share your phone number so the salon can reach you: "
                "press the button below, or type the number."
            ),
            RequestContact(T("📱 Share my phone number")),
            MessageInput(on_contact, content_types=["contact"]),
            MessageInput(on_phone_text, content_types=["text"]),
            Row(back_button(None), cancel_button()),
            markup_factory=ReplyKeyboardFactory(resize_keyboard=True, one_time_keyboard=True),
            state=PhoneSG.phone,
        ),
    )
