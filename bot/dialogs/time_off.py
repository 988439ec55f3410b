"""A master's time-off request, started by ``/off`` (``bot/time_off.py``) with the days the
salon core allows (``{"days": [ISO dates]}``, the next 30 days):

day → "Whole day" or "Part of the day" → from (hour buttons) → until (later hours) → reason
(typed, or "Send without a reason") → sent. The request is made by ``facade.request_off``,
which checks the day and hours again; the staff chat decides (``bot/time_off.py``).

Dialog data is JSON-plain: ISO dates and whole hours. Every pressed id is checked against
what the screen offered.
"""

from __future__ import annotations

import logging
from datetime import date, time
from typing import Any

from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, ShowMode
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Group, Row, SwitchTo
from babel.dates import format_date

from bot import texts
from bot.dialogs.common import cancel_button, choice, client_id, facade, nav_row, screen, set_notice
from bot.dialogs.states import OffSG
from bot.facade import NotAllowedError, OffRequestRefusedError
from bot.texts import N_, T
from bot.time_off import span_text

log = logging.getLogger(__name__)

# The hours the buttons offer (the salon core accepts any block in order within the day).
FIRST_HOUR, LAST_HOUR = 7, 22
MAX_REASON = 200

REFUSED = N_("Sorry, that time off cannot be requested. Please choose again.")


def _day(manager: DialogManager) -> date | None:
    value = manager.dialog_data.get("day")
    return date.fromisoformat(value) if value else None


def _span(manager: DialogManager) -> tuple[time | None, time | None]:
    start, end = manager.dialog_data.get("start"), manager.dialog_data.get("end")
    if start is None or end is None:
        return None, None
    return time(int(start)), time(int(end))


async def on_start(start_data: Any, manager: DialogManager) -> None:
    if isinstance(start_data, dict):
        manager.dialog_data["days"] = [str(day) for day in start_data.get("days", [])]


# --- the day -----------------------------------------------------------------------------------


async def days_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    locale = texts.current_locale()
    days = [date.fromisoformat(day) for day in dialog_manager.dialog_data.get("days", [])]
    return {"days": [(day.strftime("%Y%m%d"), format_date(day, "EEE d MMM", locale=locale)) for day in days]}


async def on_day(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    offered = {day.replace("-", "") for day in manager.dialog_data.get("days", [])}
    if item not in offered:
        log.warning("ignored time-off day %r from user %s", item, callback.from_user.id)
        return
    manager.dialog_data["day"] = date(int(item[:4]), int(item[4:6]), int(item[6:])).isoformat()
    manager.dialog_data.pop("start", None)
    manager.dialog_data.pop("end", None)
    await manager.switch_to(OffSG.span)


# --- whole day or from–until ---------------------------------------------------------------------


async def summary_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    day = _day(dialog_manager)
    start, end = _span(dialog_manager)
    return {"day_text": texts.day(day) if day else "", "span": span_text(start, end)}


async def on_whole_day(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    manager.dialog_data.pop("start", None)
    manager.dialog_data.pop("end", None)
    await manager.switch_to(OffSG.reason)


def _hours(first: int, last: int) -> list[tuple[str, str]]:
    return [(str(hour), f"{hour:02d}:00") for hour in range(first, last + 1)]


async def start_hours_getter(dialog_manager: DialogManager, **kwargs: Any) -> dict[str, Any]:
    return {**await summary_getter(dialog_manager, **kwargs), "hours": _hours(FIRST_HOUR, LAST_HOUR - 1)}


async def end_hours_getter(dialog_manager: DialogManager, **kwargs: Any) -> dict[str, Any]:
    start = int(dialog_manager.dialog_data.get("start_hour", FIRST_HOUR))
    return {
        **await summary_getter(dialog_manager, **kwargs),
        "start_text": f"{start:02d}:00",
        "hours": _hours(start + 1, LAST_HOUR),
    }


async def on_start_hour(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    if item not in {key for key, _label in _hours(FIRST_HOUR, LAST_HOUR - 1)}:
        log.warning("ignored time-off hour %r from user %s", item, callback.from_user.id)
        return
    manager.dialog_data["start_hour"] = int(item)
    await manager.switch_to(OffSG.end)


async def on_end_hour(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    start = int(manager.dialog_data.get("start_hour", FIRST_HOUR))
    if item not in {key for key, _label in _hours(start + 1, LAST_HOUR)}:
        log.warning("ignored time-off hour %r from user %s", item, callback.from_user.id)
        return
    manager.dialog_data["start"], manager.dialog_data["end"] = start, int(item)
    await manager.switch_to(OffSG.reason)


# --- the reason, and sending ---------------------------------------------------------------------


async def _send(manager: DialogManager, reason: str) -> None:
    day = _day(manager)
    if day is None:
        return
    start, end = _span(manager)
    try:
        await facade(manager).request_off(client_id(manager), day, start, end, reason[:MAX_REASON])
    except (OffRequestRefusedError, NotAllowedError) as error:
        log.info("time off refused for user %s: %s", client_id(manager), error)
        set_notice(manager, REFUSED)
        await manager.switch_to(OffSG.day)
        return
    await manager.switch_to(OffSG.sent)


async def on_no_reason(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await _send(manager, "")


async def on_reason(message: Message, _widget: Any, manager: DialogManager) -> None:
    manager.show_mode = ShowMode.SEND  # below the master's message, in view
    await _send(manager, (message.text or "").strip())


def time_off_dialog() -> Dialog:
    return Dialog(
        screen(
            T("🏖 Time off: which day?"),
            Group(choice("day", "days", on_day), width=4),
            cancel_button(),
            state=OffSG.day,
            getter=days_getter,
        ),
        screen(
            T("🏖 {day_text}: the whole day or part of it?"),
            Button(T("Whole day"), id="whole", on_click=on_whole_day),
            SwitchTo(T("Part of the day"), id="part", state=OffSG.start),
            nav_row(OffSG.day),
            state=OffSG.span,
            getter=summary_getter,
        ),
        screen(
            T("🏖 {day_text}: from what time?"),
            Group(choice("from", "hours", on_start_hour), width=5),
            nav_row(OffSG.span),
            state=OffSG.start,
            getter=start_hours_getter,
        ),
        screen(
            T("🏖 {day_text}: from {start_text} until what time?"),
            Group(choice("until", "hours", on_end_hour), width=5),
            nav_row(OffSG.start),
            state=OffSG.end,
            getter=end_hours_getter,
        ),
        screen(
            T("🏖 {day_text}, {span}."),
            T("Type the reason (optional) and send it, or send the request without one."),
            MessageInput(on_reason, content_types=[ContentType.TEXT]),
            Button(T("📨 Send without a reason"), id="send", on_click=on_no_reason),
            nav_row(OffSG.span),
            state=OffSG.reason,
            getter=summary_getter,
        ),
        screen(
            T("📨 Your request for {day_text}, {span}, has gone to the salon's staff."),
            T("You will hear here when they decide."),
            Row(cancel_button()),
            state=OffSG.sent,
            getter=summary_getter,
        ),
        on_start=on_start,
    )
