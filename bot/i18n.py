"""Languages: gettext catalogues ``locales/<lang>/LC_MESSAGES/bot.po`` through aiogram's I18n.

The language is the one the client picked (stored on the client record), else Telegram's
``language_code`` when we speak it, else English. aiogram's ``FSMI18nMiddleware`` would keep
it in FSM data, which a dialog reset wipes; the client record survives everything.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from django.db import InterfaceError, OperationalError

from djproject import paths

if TYPE_CHECKING:
    from bot.facade import BookingFacade

log = logging.getLogger(__name__)

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "ru", "de")
DEFAULT_LANGUAGE = "en"
# Each language named in itself: a client who cannot read the current one still finds theirs.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "ru": "Русский", "de": "Deutsch"}
LOCALES_DIR = paths.LOCALES_DIR  # the checkout's locales/, or the copy an installed wheel ships
DOMAIN = "bot"


def build_i18n(path: Path = LOCALES_DIR) -> I18n:
    """aiogram's I18n over the compiled catalogues (``make messages`` builds the .mo files)."""
    return I18n(path=path, default_locale=DEFAULT_LANGUAGE, domain=DOMAIN)


def telegram_language(language_code: str | None) -> str:
    """Telegram's IETF tag ("de-AT", "ru") reduced to a language we speak, else English."""
    base = (language_code or "").split("-")[0].lower()
    return base if base in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


class ClientLanguageMiddleware(I18nMiddleware):
    """Picks the locale of each update from the client record (cached briefly in-process).

    The cache keeps a chatty client from costing a query per tap; ``remember`` updates it when
    the client switches language in this process. Several bot processes may disagree for at
    most ``ttl`` seconds after a switch, which is harmless.
    """

    def __init__(self, i18n: I18n, facade: BookingFacade, ttl: float = 60.0) -> None:
        super().__init__(i18n=i18n)
        self.facade = facade
        self.ttl = ttl
        self._chosen: dict[int, tuple[str, float]] = {}

    def remember(self, user_id: int, language: str) -> None:
        self._chosen[user_id] = (language, time.monotonic() + self.ttl)

    def forget(self, user_id: int) -> None:
        self._chosen.pop(user_id, None)

    async def chosen_language(self, user: User) -> str:
        """The language stored on the client ("" until they pick one); creates the client."""
        cached = self._chosen.get(user.id)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        client = await self.facade.ensure_client(
            user.id, name=user.full_name, language_code=user.language_code
        )
        language = client.language if client.language in SUPPORTED_LANGUAGES else ""
        self.remember(user.id, language)
        return language

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        if user is None:
            return DEFAULT_LANGUAGE
        chat = data.get("event_chat")
        if chat is not None and chat.type != "private":
            # Staff in a group are not clients: no client record, Telegram's language.
            return telegram_language(user.language_code)
        try:
            chosen = await self.chosen_language(user)
        except (OperationalError, InterfaceError) as error:
            # The database is unreachable: speak Telegram's language rather than fail the
            # update (its error handler runs through this middleware too). One line per
            # update, not a traceback: the outage itself is reported by the error handler.
            log.warning("could not load the language of user %s: %s", user.id, error)
            chosen = ""
        except Exception:
            log.exception("could not load the language of user %s", user.id)
            chosen = ""
        return chosen or telegram_language(user.language_code)
