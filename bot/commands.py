"""The commands menu (set at start-up, per language) and the command handlers: /start and
/cancel reset from anywhere, /help explains."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, Message
from aiogram.utils.i18n import I18n
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot.dialogs.states import MenuSG
from bot.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from bot.texts import N_, _

log = logging.getLogger(__name__)

COMMANDS = [
    ("start", N_("Main menu")),
    ("cancel", N_("Cancel and go to the main menu")),
    ("help", N_("How to use this bot")),
]

HELP = N_(
    "Press 📅 Book to choose services, a master, a day and a time; you confirm before anything "
    "is booked. Under 🗂 My bookings you can cancel or reschedule a visit. "
    "/start or /cancel brings you back to the main menu at any time."
)


async def set_commands(bot: Bot, i18n: I18n) -> None:
    """One commands list per language we speak (Telegram shows the client's own), the
    default list in English."""
    scope = BotCommandScopeAllPrivateChats()
    for language in SUPPORTED_LANGUAGES:
        with i18n.context(), i18n.use_locale(language):
            commands = [BotCommand(command=name, description=_(text)) for name, text in COMMANDS]
        await bot.set_my_commands(
            commands, scope=scope, language_code=None if language == DEFAULT_LANGUAGE else language
        )


def commands_router() -> Router:
    router = Router(name="commands")

    # The client's menu lives in private chats; in the staff group these commands do nothing.
    router.message.filter(F.chat.type == "private")

    @router.message(CommandStart())
    @router.message(Command("cancel"))
    async def reset(message: Message, dialog_manager: DialogManager) -> None:
        await dialog_manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)

    @router.message(Command("help"))
    async def help_(message: Message, dialog_manager: DialogManager) -> None:
        await message.answer(_(HELP))
        if dialog_manager.has_context():
            await dialog_manager.show(ShowMode.SEND)
        else:
            await dialog_manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)

    return router


def fallback_router() -> Router:
    """Anything no dialog took (no dialog open, e.g. after the storage was lost): the menu."""
    router = Router(name="fallback")

    @router.message(F.chat.type == "private")
    async def any_message(message: Message, dialog_manager: DialogManager) -> None:
        await dialog_manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)

    @router.callback_query()
    async def any_callback(callback: object, dialog_manager: DialogManager) -> None:
        log.info("callback outside any dialog: restarting the menu")
        await dialog_manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)

    return router
