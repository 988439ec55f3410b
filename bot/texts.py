"""Translated texts and locale-aware formatting.

aiogram-dialog's ``Const``/``Format`` do not translate; ``T`` renders
``gettext(msgid).format_map(data)`` in the locale chosen by the i18n middleware for this
update. Every msgid the bot shows is a literal argument of ``T(...)``, ``_(...)`` or
``N_(...)``, so Babel's extractor (and the completeness test) finds all of them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from aiogram.utils.i18n import I18n
from aiogram_dialog.api.protocols import DialogManager
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.text import Text
from babel.dates import format_date
from babel.numbers import format_currency

from booking.localtime import occurs_twice
from bot.i18n import DEFAULT_LANGUAGE

# Prices are stored without a currency; the salon is in the euro area. One place to change.
CURRENCY = "EUR"


def current_locale() -> str:
    i18n = I18n.get_current(no_error=True)
    return i18n.current_locale if i18n else DEFAULT_LANGUAGE


def _(msgid: str) -> str:
    """gettext in the current update's locale (the msgid itself outside an update)."""
    i18n = I18n.get_current(no_error=True)
    return i18n.gettext(msgid) if i18n else msgid


def N_(msgid: str) -> str:
    """Marks a msgid for extraction; it is translated where it is shown."""
    return msgid


class T(Text):
    """A translated dialog text: ``T("Hello, {name}!")`` with ``name`` from the getter."""

    def __init__(self, msgid: str, when: WhenCondition = None) -> None:
        super().__init__(when=when)
        self.msgid = msgid

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        return _(self.msgid).format_map(data)


# Said wherever a visit reference leads nowhere the client may go (cancelled, past, not theirs).
VISIT_GONE = N_("This visit is not in your upcoming bookings.")


def price(amount: Decimal | int | str) -> str:
    return format_currency(Decimal(amount), CURRENCY, locale=current_locale())


def duration(minutes: int) -> str:
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=rest)
    if hours:
        return _("{hours} h").format(hours=hours)
    return _("{minutes} min").format(minutes=rest)


# On the night the clocks go back, 02:00–02:59 comes twice: which of the two a time is.
FIRST_OF_TWO = N_("{time} (1st)")
SECOND_OF_TWO = N_("{time} (2nd)")


def clock(moment: datetime) -> str:
    """A salon-local moment's "HH:MM"; a time the clocks show twice says which one it is."""
    label = f"{moment:%H:%M}"
    if not occurs_twice(moment):
        return label
    return _(SECOND_OF_TWO if moment.fold else FIRST_OF_TWO).format(time=label)


def day(value: date) -> str:
    """A visit's date in full, in the client's language ("Thursday, 26 November 2026")."""
    return format_date(value, format="full", locale=current_locale())


def short_day(value: date) -> str:
    return format_date(value, format="medium", locale=current_locale())
