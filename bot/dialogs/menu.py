"""The main menu, the salon's contacts and the language switch (the bot's settings, with
"Delete my data": ``bot/dialogs/privacy.py``)."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager
from aiogram_dialog.widgets.kbd import Column, Row, Start, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.dialogs.common import cancel_button, choice, client_id, facade, screen, set_success
from bot.dialogs.privacy import erase_button, erase_window
from bot.dialogs.states import BookingSG, MenuSG, MyBookingsSG
from bot.i18n import LANGUAGE_NAMES, SUPPORTED_LANGUAGES
from bot.texts import N_, T


async def salon_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    info = await facade(dialog_manager).salon_info()
    return {
        "salon_name": info.name,
        "address": info.address,
        "phone": info.phone,
        "has_address": bool(info.address),
        "has_phone": bool(info.phone),
    }


async def language_getter(**_kwargs: Any) -> dict[str, Any]:
    return {"languages": [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES]}


async def on_language(callback: CallbackQuery, _widget: Any, manager: DialogManager, code: str) -> None:
    """Store the choice on the client; the very next rendering (this one) is in the new language."""
    if code not in SUPPORTED_LANGUAGES:  # forged item: ignore, the screen re-renders
        return
    await facade(manager).set_client_language(client_id(manager), code)
    middleware = manager.middleware_data.get("i18n_middleware")
    if middleware is not None:
        middleware.remember(client_id(manager), code)
        middleware.i18n.current_locale = code
    set_success(manager, N_("Language saved."))
    await manager.switch_to(MenuSG.main)


def menu_dialog() -> Dialog:
    return Dialog(
        screen(
            T("Welcome to {salon_name}!"),
            T("Book a visit in a few taps, or manage your bookings."),
            Start(T("📅 Book"), id="book", state=BookingSG.category),
            Start(T("🗂 My bookings"), id="mine", state=MyBookingsSG.visits),
            Row(
                SwitchTo(T("🌐 Language"), id="lang", state=MenuSG.language),
                SwitchTo(T("📍 Contacts"), id="info", state=MenuSG.contacts),
            ),
            state=MenuSG.main,
            getter=salon_getter,
        ),
        screen(
            Format("{salon_name}"),
            T("Address: {address}", when="has_address"),
            T("Phone: {phone}", when="has_phone"),
            Row(SwitchTo(T("◀ Back"), id="bk", state=MenuSG.main), cancel_button()),
            state=MenuSG.contacts,
            getter=salon_getter,
        ),
        screen(
            T("Choose your language:"),
            Column(
                choice("lng", "languages", on_language),
            ),
            erase_button(),
            Row(SwitchTo(T("◀ Back"), id="bk", state=MenuSG.main), cancel_button()),
            state=MenuSG.language,
            getter=language_getter,
        ),
        erase_window(),
    )
