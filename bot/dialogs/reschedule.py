"""Rescheduling a visit: [day and time: the picker sub-dialog] → summary → done.

The same services and master as the visit; only the time changes. The dialog opens the picker
at once; Back from the picker's calendar closes the reschedule (back to the screen that
started it), a visit that cannot be moved closes it with the reason for the caller.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import Button, Row
from aiogram_dialog.widgets.text import Format

from booking.localtime import slot_token
from bot.dialogs.booking import CLIENT_OVERLAP, SLOT_GONE, SLOT_TAKEN
from bot.dialogs.common import cancel_button, client_id, facade, screen
from bot.dialogs.done import after_booking, done_buttons, done_getter
from bot.dialogs.selection import SUMMARY_TEXT, chosen_day, selection_getter, visit_ref
from bot.dialogs.slot_picker import intro_getter, is_picker_request, pick_slot, picked_slot, show_fresh_times
from bot.dialogs.states import RescheduleSG, SlotPickerSG
from bot.facade import (
    BookingEngineError,
    ClientOverlapError,
    SlotAlreadyBookedError,
    TooLateToChangeError,
    VisitNotFoundError,
)
from bot.texts import VISIT_GONE, T


def reschedule_start_data(visit: Any) -> dict[str, Any]:
    """What a reschedule needs to know about the visit, JSON-plain."""
    masters = set(visit.master_ids)
    return {
        "ref": visit.ref,
        "service_ids": list(visit.service_ids),
        "master_id": next(iter(masters)) if len(masters) == 1 else None,
        "old_day": visit.starts_at.date().isoformat(),
        "old_time": slot_token(visit.starts_at),
    }


async def start_reschedule(manager: DialogManager, visit: Any, show_mode: ShowMode | None = None) -> None:
    """Reschedule ``visit`` (just loaded by the caller) on top of the current dialog."""
    await manager.start(RescheduleSG.summary, data=reschedule_start_data(visit), show_mode=show_mode)


async def on_reschedule_start(start_data: Any, manager: DialogManager) -> None:
    manager.dialog_data.update(start_data or {})
    await pick_slot(manager)


async def on_picker_result(start_data: Any, result: Any, manager: DialogManager) -> None:
    if slot := picked_slot(result):
        manager.dialog_data["day"], manager.dialog_data["time"] = slot
        await manager.switch_to(RescheduleSG.summary)
    elif is_picker_request(start_data):  # Back from the calendar: the reschedule is off
        await manager.done()


async def back_to_times(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await pick_slot(manager, at=SlotPickerSG.time)


async def on_reschedule_confirm(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    day, slot, ref = chosen_day(manager), manager.dialog_data.get("time"), visit_ref(manager)
    if day is None or not slot or not ref:
        await pick_slot(manager)
        return
    try:
        visit = await facade(manager).reschedule_visit(client_id(manager), ref, day, slot)
    except SlotAlreadyBookedError:
        await show_fresh_times(manager, reason=SLOT_TAKEN)
        return
    except ClientOverlapError:
        await show_fresh_times(manager, reason=CLIENT_OVERLAP)
        return
    except TooLateToChangeError:
        await manager.done({"too_late": True})
        return
    except VisitNotFoundError:
        await manager.done({"notice": VISIT_GONE})
        return
    except BookingEngineError:
        await show_fresh_times(manager, reason=SLOT_GONE)
        return
    await after_booking(manager, visit, RescheduleSG.done)


def reschedule_dialog() -> Dialog:
    return Dialog(
        screen(
            T("Move your visit from {old_day_text} at {old_time} to the new time?"),
            *SUMMARY_TEXT[1:],
            Button(T("✅ Confirm"), id="ok", on_click=on_reschedule_confirm),
            Row(Button(T("◀ Back"), id="bk", on_click=back_to_times), cancel_button()),
            state=RescheduleSG.summary,
            getter=[intro_getter, selection_getter],
        ),
        screen(
            T("✅ Your visit has been moved."),
            Format("{services_text}"),
            T("Date: {day_text}"),
            T("Time: {time_text}"),
            done_buttons(),
            state=RescheduleSG.done,
            getter=done_getter,
        ),
        on_start=on_reschedule_start,
        on_process_result=on_picker_result,
    )
