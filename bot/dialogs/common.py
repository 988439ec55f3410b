"""What every screen shares: the Back/Cancel row, the one-line notice, the hint for text
typed where a button is expected, and access to the facade and the client's id."""

from __future__ import annotations

import logging
import zoneinfo
from datetime import date
from typing import Any

from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Row, Select, Start, SwitchTo
from aiogram_dialog.widgets.text import Format, Text

from booking.localtime import parse_slot
from bot import texts
from bot.dialogs.states import MenuSG
from bot.facade import BookingFacade
from bot.texts import N_, T, _

log = logging.getLogger(__name__)

NOTICE_KEY = "notice"


def facade(manager: DialogManager) -> BookingFacade:
    """The facade handed to the dispatcher as workflow data (see ``bot/app.py``)."""
    return manager.middleware_data["facade"]


def client_id(manager: DialogManager) -> int:
    """The Telegram id of the client behind this update: the only owner a visit action may touch."""
    return manager.middleware_data["event_from_user"].id


def int_or_none(value: str) -> int | None:
    """An id pressed in a Select (aiogram-dialog passes it as a string), or None if it is none."""
    return int(value) if value.isdigit() and len(value) < 19 else None


async def salon_tz(manager: DialogManager) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo((await facade(manager).salon_info()).timezone)


def slot_text(day: date, token: str, tz: zoneinfo.ZoneInfo) -> str:
    """A slot token as the client reads it: "02:30", or "02:30 (2nd)" on the night the clocks
    go back (a token that names no time is shown as it is)."""
    try:
        return texts.clock(parse_slot(day, token, tz))
    except ValueError:
        return token


async def slot_label(manager: DialogManager, day: date | None, token: str) -> str:
    return slot_text(day, token, await salon_tz(manager)) if day and token else token


# The mark of a notice line: a warning (something did not happen) or a success.
WARNING_MARK = "⚠️"
SUCCESS_MARK = "✅"


def set_notice(manager: DialogManager, msgid: str, **params: Any) -> None:
    """Show one warning line above the next rendering of the current screen (then it is gone)."""
    manager.dialog_data[NOTICE_KEY] = [msgid, params]


def set_success(manager: DialogManager, msgid: str, **params: Any) -> None:
    """Like ``set_notice``, for something that went well (a different mark)."""
    manager.dialog_data[NOTICE_KEY] = [msgid, params, SUCCESS_MARK]


async def notice_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    stored = dialog_manager.dialog_data.pop(NOTICE_KEY, None)
    if not stored:
        return {"notice": ""}
    msgid, params, *mark = stored
    return {"notice": f"{mark[0] if mark else WARNING_MARK} " + _(msgid).format_map(params) + "\n"}


async def on_stray_input(message: Message, _widget: Any, manager: DialogManager) -> None:
    """Text (or a sticker, a photo ...) where a button is expected: hint, then the screen again
    as a new message below the client's, so the buttons are in view."""
    set_notice(manager, N_("Please use the buttons below."))
    manager.show_mode = ShowMode.SEND


def choice(widget_id: str, items: str, on_click: Any) -> Select:
    """Buttons for a getter's list of (id, label) pairs: what every picker in the bot shows."""
    return Select(
        Format("{item[1]}"),
        id=widget_id,
        item_id_getter=lambda item: item[0],
        items=items,
        on_click=on_click,
    )


def back_button(target: State | None) -> Button:
    """Back to ``target``; None: out of this dialog, to the screen that started it (a
    sub-dialog closed this way returns no result)."""
    if target is None:
        return Cancel(T("◀ Back"), id="bk")
    return SwitchTo(T("◀ Back"), id="bk", state=target)


def home_button(label: Text, widget_id: str) -> Button:
    """Drop whatever is in progress and show the main menu in place."""
    return Start(label, id=widget_id, state=MenuSG.main, mode=StartMode.RESET_STACK)


def cancel_button() -> Button:
    """Closes the flow (to the main menu); named apart from "❌ Cancel visit"."""
    return home_button(T("✖ Close"), "cx")


def nav_row(back: State | None) -> Row:
    """Back (to ``back``, or out of the flow when None) and Cancel (to the main menu)."""
    return Row(back_button(back), cancel_button())


class Screen(Window):
    """A window that logs callbacks none of its widgets took (forged or from an older layout)
    and leaves the message as it is: the query is only answered (aiogram-dialog would redraw
    the same screen, which Telegram refuses as "message is not modified")."""

    async def process_callback(self, callback: CallbackQuery, dialog: Any, manager: DialogManager) -> bool:
        processed = await super().process_callback(callback, dialog, manager)
        if not processed:
            log.warning("ignored callback data %r from user %s", callback.data, callback.from_user.id)
            manager.show_mode = ShowMode.NO_UPDATE
        return True


def screen(*widgets: Any, state: State, getter: Any = None, **kwargs: Any) -> Window:
    """A window with the notice line on top and the stray-input hint as its last input."""
    getters = [notice_getter] + (list(getter) if isinstance(getter, list) else [getter] if getter else [])
    return Screen(
        Format("{notice}", when="notice"),
        *widgets,
        MessageInput(on_stray_input),
        state=state,
        getter=getters,
        **kwargs,
    )
