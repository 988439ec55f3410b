"""The month calendar, customised to the salon's availability.

aiogram-dialog's ``Calendar`` keeps the paging state (offset) and the callback plumbing; this
subclass draws one view only (days, Monday first), marks each day from the window getter's
``days`` mapping, names months and weekdays with Babel in the client's language, keeps ◀ ▶
inside the booking window, and ignores any other callback (zoom levels, forged data).
A pressed day is a *suggestion*: the ``on_click`` handler re-validates it, and the booking
transaction validates it once more.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from aiogram.types import CallbackQuery, InlineKeyboardButton
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.api.internal import RawKeyboard
from aiogram_dialog.api.protocols import DialogProtocol
from aiogram_dialog.widgets.kbd import Calendar, CalendarScope, CalendarUserConfig
from aiogram_dialog.widgets.kbd.calendar_kbd import (
    CALLBACK_NEXT_MONTH,
    CALLBACK_PREV_MONTH,
    CalendarConfig,
    CalendarDaysView,
    CalendarScopeView,
    date_from_raw,
    month_begin,
    next_month_begin,
    prev_month_begin,
    raw_from_date,
)
from babel.dates import format_date, get_day_names

from bot.middlewares import answer_quietly
from bot.texts import N_, _, current_locale

log = logging.getLogger(__name__)

NOOP = "n"
# A fully booked day's cell: "f" and the day, handed to ``on_full_day`` (the waitlist offer).
FULL_DAY = "f"
INERT_DAY = N_("This day cannot be booked. Days shown with a number have free times.")


class DayStatus(StrEnum):
    FREE = "free"
    FULL = "full"
    CLOSED = "closed"
    OFF = "off"  # the salon is open, but not the master(s) the visit needs
    HOLIDAY = "holiday"
    PAST = "past"
    OUT_OF_RANGE = "out"


# How each kind of day looks: a free day shows its number, every other kind one glyph.
MARKS = {
    DayStatus.FULL: "✕",
    DayStatus.CLOSED: "—",
    DayStatus.OFF: "○",
    DayStatus.HOLIDAY: "★",
    DayStatus.PAST: "·",
    DayStatus.OUT_OF_RANGE: "·",
}

_SYNONYMS = {
    "available": DayStatus.FREE,
    "open": DayStatus.FREE,
    "busy": DayStatus.FULL,
    "booked": DayStatus.FULL,
    "day_off": DayStatus.CLOSED,
    "out_of_range": DayStatus.OUT_OF_RANGE,
    "too_far": DayStatus.OUT_OF_RANGE,
}


def day_status(value: Any) -> DayStatus:
    """Normalise one value of ``month_availability`` (a status string or enum, an object with
    ``.status``, a count of free slots, or a bool) to a ``DayStatus``."""
    value = getattr(value, "status", value)
    value = getattr(value, "value", value)
    if isinstance(value, bool):
        return DayStatus.FREE if value else DayStatus.FULL
    if isinstance(value, int):
        return DayStatus.FREE if value > 0 else DayStatus.FULL
    if isinstance(value, list | tuple | set):
        return DayStatus.FREE if value else DayStatus.FULL
    text = str(value).lower()
    try:
        return DayStatus(text)
    except ValueError:
        return _SYNONYMS.get(text, DayStatus.CLOSED)


def classify_month(
    availability: dict[date, Any], month: date, today: date, window: tuple[date, date]
) -> dict[str, str]:
    """Every day of ``month`` as an ISO date -> status; the range and the past win over
    whatever the core says, so nothing outside the window is ever pressable."""
    result: dict[str, str] = {}
    day = month_begin(month)
    end = next_month_begin(month)
    while day < end:
        if day < today:
            status = DayStatus.PAST
        elif not window[0] <= day <= window[1]:
            status = DayStatus.OUT_OF_RANGE
        elif day in availability:
            status = day_status(availability[day])
        else:
            status = DayStatus.CLOSED
        result[day.isoformat()] = status.value
        day += timedelta(days=1)
    return result


class _DaysView(CalendarDaysView):
    """One month: [◀ month ▶], weekday names, then the days marked by status."""

    async def render(
        self, config: CalendarConfig, offset: date, data: dict, manager: DialogManager
    ) -> list[list[InlineKeyboardButton]]:
        locale = current_locale()
        noop = self.callback_generator(NOOP)
        prev_ok = prev_month_begin(offset) <= config.max_date and month_begin(offset) > config.min_date
        next_ok = next_month_begin(offset) <= config.max_date
        header = [
            InlineKeyboardButton(
                text="◀" if prev_ok else " ",
                callback_data=self.callback_generator(CALLBACK_PREV_MONTH) if prev_ok else noop,
            ),
            InlineKeyboardButton(text=format_date(offset, "LLLL y", locale=locale), callback_data=noop),
            InlineKeyboardButton(
                text="▶" if next_ok else " ",
                callback_data=self.callback_generator(CALLBACK_NEXT_MONTH) if next_ok else noop,
            ),
        ]
        names = get_day_names("short", context="stand-alone", locale=locale)
        weekdays = [
            InlineKeyboardButton(text=names[(config.firstweekday + i) % 7], callback_data=noop)
            for i in range(7)
        ]
        days: dict[str, str] = data.get("days", {})
        first = month_begin(offset)
        start = first - timedelta(days=(first.weekday() - config.firstweekday) % 7)
        end = next_month_begin(offset)
        rows: list[list[InlineKeyboardButton]] = []
        day = start
        while day < end:
            row = []
            for _column in range(7):
                if day.month != offset.month:
                    row.append(InlineKeyboardButton(text=" ", callback_data=noop))
                else:
                    status = DayStatus(days.get(day.isoformat(), DayStatus.CLOSED.value))
                    if status is DayStatus.FREE:
                        row.append(
                            InlineKeyboardButton(
                                text=str(day.day),
                                callback_data=self.callback_generator(str(raw_from_date(day))),
                            )
                        )
                    else:
                        inert = f"{NOOP}{status.value}"
                        full = f"{FULL_DAY}{raw_from_date(day)}" if status is DayStatus.FULL else inert
                        row.append(
                            InlineKeyboardButton(
                                text=MARKS[status], callback_data=self.callback_generator(full)
                            )
                        )
                day += timedelta(days=1)
            rows.append(row)
        return [header, weekdays, *rows]


class AvailabilityCalendar(Calendar):
    """The booking calendar. Its getter provides ``days`` (ISO date -> status for the shown
    month), ``window_min``/``window_max`` (dates) and ``tz`` (the salon's IANA zone).
    ``on_full_day(callback, manager, day)``, when given, hears taps on fully booked days (✕);
    without it they are inert like the other marked days."""

    def __init__(self, *args: Any, on_full_day: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_full_day = on_full_day

    def _init_views(self) -> dict[CalendarScope, CalendarScopeView]:
        return {CalendarScope.DAYS: _DaysView(self._item_callback_data)}

    async def _get_user_config(self, data: dict, manager: DialogManager) -> CalendarUserConfig:
        return CalendarUserConfig(
            firstweekday=0,  # Monday first (6 would be Sunday)
            timezone=zoneinfo.ZoneInfo(data["tz"]),
            min_date=data["window_min"],
            max_date=data["window_max"],
        )

    def get_scope(self, manager: DialogManager) -> CalendarScope:
        return CalendarScope.DAYS

    async def _render_keyboard(self, data: dict, manager: DialogManager) -> RawKeyboard:
        if self.get_offset(manager) is None:
            self.set_offset(month_begin(data["window_min"]), manager)
        return await super()._render_keyboard(data, manager)

    async def _process_item_callback(
        self, callback: CallbackQuery, data: str, dialog: DialogProtocol, manager: DialogManager
    ) -> bool:
        """Paging, a free day, or nothing: an inert cell (title, weekday, blank, a day that
        cannot be booked) or forged data only answers the callback (a closed day with a toast
        saying why): redrawing the same screen is a request Telegram refuses as not modified."""
        offset = self.get_offset(manager) or date.today()
        if data in (CALLBACK_PREV_MONTH, CALLBACK_NEXT_MONTH):
            target = prev_month_begin(offset) if data == CALLBACK_PREV_MONTH else next_month_begin(offset)
            low, high = await manager.middleware_data["facade"].booking_window()
            if month_begin(low) <= target <= high:
                self.set_offset(target, manager)
            else:
                manager.show_mode = ShowMode.NO_UPDATE
            return True
        if data.startswith(FULL_DAY) and data[1:].isdigit() and len(data) <= 13:
            try:
                full = date_from_raw(int(data[1:]))
            except (OverflowError, ValueError):
                full = None
            if full is not None and self.on_full_day is not None:
                await self.on_full_day(callback, manager, full)
            else:  # no waitlist here (a reschedule): a full day is inert, the toast says why
                await answer_quietly(manager.middleware_data["bot"], callback.id, _(INERT_DAY))
                manager.show_mode = ShowMode.NO_UPDATE
            return True
        if data.startswith(NOOP):
            if data != NOOP:
                await answer_quietly(manager.middleware_data["bot"], callback.id, _(INERT_DAY))
            manager.show_mode = ShowMode.NO_UPDATE
            return True
        if data.isdigit() and len(data) <= 12:
            try:
                day = date_from_raw(int(data))
            except (OverflowError, ValueError):
                day = None
            if day is not None:
                await self.on_click.process_event(callback, self.managed(manager), manager, day)
                return True
        log.warning("ignored calendar callback %r from user %s", data, callback.from_user.id)
        manager.show_mode = ShowMode.NO_UPDATE
        return True
