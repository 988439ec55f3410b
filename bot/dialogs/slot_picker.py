"""The day-and-time picker: a sub-dialog shared by booking and rescheduling.

It is started with what is being chosen (``selection.request_data``: services, master, the
visit being moved) and shows the month calendar, then the chosen day's free times. A pressed
time ends it with ``manager.done({"day": ISO date, "time": slot token})``; Back from the
calendar ends it with no result. The caller reads either in its ``on_process_result``; nothing
here knows who asked. Every pressed day and time is checked against what the salon offers
*now*: a forged or stale one changes nothing.
"""

from __future__ import annotations

import logging
import re
import zoneinfo
from datetime import date, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import Button, Group, ManagedCalendar, Row

from booking.localtime import SECOND_OCCURRENCE
from bot import texts
from bot.dialogs.calendar import INERT_DAY, AvailabilityCalendar, classify_month
from bot.dialogs.common import (
    NOTICE_KEY,
    back_button,
    cancel_button,
    choice,
    facade,
    nav_row,
    salon_tz,
    screen,
    set_notice,
    slot_label,
    slot_text,
)
from bot.dialogs.selection import chosen_day, fresh_slots, master_id, request_data, service_ids, visit_ref
from bot.dialogs.states import SlotPickerSG, WaitlistSG
from bot.dialogs.waitlist import join_start_data
from bot.texts import N_, T

log = logging.getLogger(__name__)

# A time button's id: the slot token without its ":" (callback data allows none): "0230", and
# "0230+1" for the second 02:30 of the night the clocks go back.
SLOT_RE = re.compile(r"^([01]\d|2[0-3])([0-5]\d)(\+1)?$")
CALENDAR_ID = "cal"
PICKER = "picker"  # marks the start data of a picker request (see ``is_picker_request``)

REPEATED_HOUR = N_(
    "The clocks go back an hour this night, so some times come twice: "
    "(1st) is before the change, (2nd) after it."
)
CALENDAR_LEGEND = N_("✕ fully booked · ○ master not working · — closed · ★ holiday · · past or out of range")
NO_FREE_DATES = N_("No free dates in the booking window. Please try other services or another master.")
DAY_NOW_FULL = N_(
    "{time} on {day} was just taken, and that day is now fully booked. Please choose another day."
)


# --- the contract with the caller --------------------------------------------------------------


async def pick_slot(
    manager: DialogManager,
    *,
    at: State = SlotPickerSG.day,
    notice: tuple[str, dict[str, Any]] | None = None,
    show_mode: ShowMode | None = None,
) -> None:
    """Open the picker on top of the caller for the caller's selection (on the times of its
    chosen day with ``at=SlotPickerSG.time``), with an optional notice line."""
    data: dict[str, Any] = {**request_data(manager), PICKER: True}
    if notice:
        data[NOTICE_KEY] = [notice[0], notice[1]]
    await manager.start(at, data=data, show_mode=show_mode)


def is_picker_request(start_data: Any) -> bool:
    """Whether a sub-dialog result answers ``pick_slot`` (for the caller's ``on_process_result``)."""
    return isinstance(start_data, dict) and bool(start_data.get(PICKER))


def picked_slot(result: Any) -> tuple[str, str] | None:
    """(ISO day, slot token) from the picker's result, or None when the client went back."""
    if isinstance(result, dict) and result.get("day") and result.get("time"):
        return str(result["day"]), str(result["time"])
    return None


async def on_picker_start(start_data: Any, manager: DialogManager) -> None:
    data = dict(start_data or {})
    notice = data.pop(NOTICE_KEY, None)
    data.pop(PICKER, None)
    manager.dialog_data.update(data)
    if notice:
        set_notice(manager, notice[0], **notice[1])
    if manager.current_context().state == SlotPickerSG.time and chosen_day(manager) is None:
        await manager.switch_to(SlotPickerSG.day)


async def show_fresh_times(manager: DialogManager, *, reason: str, show_mode: ShowMode | None = None) -> None:
    """The slot went (someone else booked it): the picker on the same day's free times, or on
    the calendar if the day is now full. ``reason`` is the msgid that explains what happened.
    Called from the caller's summary (or the picker itself, which then just switches)."""
    day = chosen_day(manager)
    taken = manager.dialog_data.pop("time", "")
    slots = await fresh_slots(manager, day) if day else []
    params = {"time": await slot_label(manager, day, taken), "day": texts.day(day) if day else ""}
    state, msgid = (SlotPickerSG.time, reason) if slots else (SlotPickerSG.day, DAY_NOW_FULL)
    if manager.current_context().state.group is SlotPickerSG:
        set_notice(manager, msgid, **params)
        await manager.switch_to(state, show_mode=show_mode)
        return
    await pick_slot(manager, at=state, notice=(msgid, params), show_mode=show_mode)


# --- getters -----------------------------------------------------------------------------------


async def calendar_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The shown month's days by status, the booking window and the salon's time zone."""
    api = facade(dialog_manager)
    low, high = await api.booking_window()
    salon = await api.salon_info()
    calendar: ManagedCalendar = dialog_manager.find(CALENDAR_ID)
    offset = calendar.get_offset()
    if offset is None or not (low.replace(day=1) <= offset <= high):
        chosen = chosen_day(dialog_manager)
        offset = (chosen if chosen and low <= chosen <= high else low).replace(day=1)
        calendar.set_offset(offset)
    availability = await api.month_availability(
        service_ids(dialog_manager),
        master_id(dialog_manager),
        offset.year,
        offset.month,
        reschedule_ref=visit_ref(dialog_manager),
    )
    today = datetime.now(zoneinfo.ZoneInfo(salon.timezone)).date()
    return {
        "days": classify_month(availability, offset, today, (low, high)),
        "window_min": low,
        "window_max": high,
        "tz": salon.timezone,
    }


async def intro_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """Where a visit being rescheduled is now (the calendar says so above the month)."""
    data = dialog_manager.dialog_data
    old_day = date.fromisoformat(data["old_day"]) if data.get("old_day") else None
    return {
        "rescheduling": bool(data.get("ref")),
        "old_day_text": texts.day(old_day) if old_day else "",
        "old_time": await slot_label(dialog_manager, old_day, data.get("old_time", "")),
    }


async def slots_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    day = chosen_day(dialog_manager)
    slots = await fresh_slots(dialog_manager, day) if day else []
    tz = await salon_tz(dialog_manager) if slots else None
    return {
        # Item ids are the core's tokens without ":" (see SLOT_RE); labels tell repeated times apart.
        "slots": [(s.replace(":", ""), slot_text(day, s, tz)) for s in slots],
        "no_slots": not slots,
        "repeated_hour": any(s.endswith(SECOND_OCCURRENCE) for s in slots),
        "can_wait": not visit_ref(dialog_manager),  # the waitlist is for new bookings
        "day_text": texts.day(day) if day else "",
    }


# --- handlers ----------------------------------------------------------------------------------


async def _choose_day(manager: DialogManager, day: date) -> None:
    low, high = await facade(manager).booking_window()
    if not low <= day <= high or not await fresh_slots(manager, day):
        set_notice(
            manager,
            N_("There are no free times on {day} any more. Please choose another day."),
            day=texts.day(day),
        )
        return
    manager.dialog_data["day"] = day.isoformat()
    manager.dialog_data.pop("time", None)
    await manager.switch_to(SlotPickerSG.time)


async def on_day(callback: CallbackQuery, _widget: Any, manager: DialogManager, day: date) -> None:
    await _choose_day(manager, day)


async def on_full_day(callback: CallbackQuery, manager: DialogManager, day: date) -> None:
    """A fully booked day (✕) of a new booking: offer the waitlist for it (a reschedule's
    visit is booked already, so there its full days stay inert)."""
    low, high = await facade(manager).booking_window()
    if visit_ref(manager) or not low <= day <= high:
        set_notice(manager, INERT_DAY)
        return
    await manager.start(WaitlistSG.join, data=join_start_data(service_ids(manager), master_id(manager), day))


async def on_wait_for_day(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """The times screen's "Notify me": the waitlist for the chosen day (and later ones)."""
    day = chosen_day(manager)
    if day is not None and not visit_ref(manager):
        await manager.start(
            WaitlistSG.join, data=join_start_data(service_ids(manager), master_id(manager), day)
        )


async def on_nearest(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    day = await facade(manager).nearest_date(
        service_ids(manager), master_id(manager), reschedule_ref=visit_ref(manager)
    )
    if day is None:
        set_notice(manager, NO_FREE_DATES)
        return
    manager.find(CALENDAR_ID).set_offset(day.replace(day=1))
    await _choose_day(manager, day)


async def on_slot(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    match = SLOT_RE.match(item)
    day = chosen_day(manager)
    slot = f"{match[1]}:{match[2]}{match[3] or ''}" if match else ""
    if not match or day is None or slot not in await fresh_slots(manager, day):
        set_notice(manager, N_("That time is no longer free. Here are the free times now."))
        return
    await manager.done({"day": day.isoformat(), "time": slot})


# --- the dialog ----------------------------------------------------------------------------------


def slot_picker_dialog() -> Dialog:
    return Dialog(
        screen(
            T(
                "Rescheduling your visit on {old_day_text} at {old_time}. It stays booked until "
                "the new time is confirmed.",
                when="rescheduling",
            ),
            T("Choose a day. Days with a number have free times."),
            T(CALENDAR_LEGEND),
            AvailabilityCalendar(CALENDAR_ID, on_click=on_day, on_full_day=on_full_day),
            Button(T("⚡ Nearest free date"), id="near", on_click=on_nearest),
            Row(back_button(None), cancel_button()),
            state=SlotPickerSG.day,
            getter=[intro_getter, calendar_getter],
        ),
        screen(
            T("Free times on {day_text} (salon time):"),
            T(REPEATED_HOUR, when="repeated_hour"),
            T("No free times are left on this day. Please go back and choose another day.", when="no_slots"),
            Group(choice("slot", "slots", on_slot), width=4),
            Button(
                T("🔔 Notify me if something frees up"), id="wait", on_click=on_wait_for_day, when="can_wait"
            ),
            nav_row(SlotPickerSG.day),
            state=SlotPickerSG.time,
            getter=slots_getter,
        ),
        on_start=on_picker_start,
    )
