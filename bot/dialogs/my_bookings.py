"""My bookings: the client's upcoming visits; cancel one (within the cutoff) or reschedule it.

Every action passes the client's own Telegram id to the salon services, which only ever touch
that client's visits: a forged visit reference finds nothing (VisitNotFoundError) and the
client just sees their list again.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager
from aiogram_dialog.widgets.kbd import Button, Column, Row, Start, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot import texts
from bot.dialogs.common import cancel_button, choice, client_id, facade, nav_row, screen, set_notice
from bot.dialogs.reschedule import start_reschedule
from bot.dialogs.states import BookingSG, MyBookingsSG, WaitlistSG
from bot.dialogs.waitlist import WAITLIST_REMOVED, entry_line
from bot.facade import VISIT_REF_RE, TooLateToChangeError, VisitNotFoundError
from bot.texts import VISIT_GONE, T

log = logging.getLogger(__name__)


def _visit_line(visit: Any) -> str:
    names = ", ".join(item.service_name for item in visit.items)
    return f"{texts.short_day(visit.starts_at.date())} {texts.clock(visit.starts_at)} · {names}"


async def visits_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    visits = await facade(dialog_manager).upcoming_visits(client_id(dialog_manager))
    entries = await facade(dialog_manager).waitlist_entries(client_id(dialog_manager))
    return {
        "visits": [(v.ref, _visit_line(v)) for v in visits],
        "no_visits": not visits,
        "entries": [(e.id, entry_line(e)) for e in entries],
        "waiting": bool(entries),
    }


async def on_entry(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    """A waitlist entry: its screen, with Remove (``bot/dialogs/waitlist.py``)."""
    if not item.isdigit() or len(item) > 18:
        log.warning("ignored waitlist entry %r from user %s", item, callback.from_user.id)
        return
    await manager.start(WaitlistSG.entry, data={"entry": int(item)})


async def _load_visit(manager: DialogManager) -> Any | None:
    ref = manager.dialog_data.get("ref", "")
    try:
        return await facade(manager).get_visit(client_id(manager), ref)
    except VisitNotFoundError:
        return None


async def visit_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    visit = await _load_visit(dialog_manager)
    if visit is None:
        return {
            "missing": True,
            "found": False,
            "can_change": False,
            "details": "",
            "day_text": "",
            "time_text": "",
            "total_price": "",
        }
    details = "\n".join(
        f"• {texts.clock(item.starts_at)} {item.service_name} · {item.master_name}" for item in visit.items
    )
    return {
        "missing": False,
        "found": True,
        "can_change": bool(visit.can_change),
        "details": details,
        "day_text": texts.day(visit.starts_at.date()),
        "time_text": texts.clock(visit.starts_at),
        "total_price": texts.price(visit.total_price),
    }


async def salon_phone_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    salon = await facade(dialog_manager).salon_info()
    return {"phone": salon.phone or "—", "salon_name": salon.name}


async def on_visit(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    if not VISIT_REF_RE.match(item):
        log.warning("ignored visit ref %r from user %s", item, callback.from_user.id)
        return
    manager.dialog_data["ref"] = item
    if await _load_visit(manager) is None:
        set_notice(manager, VISIT_GONE)
        return
    await manager.switch_to(MyBookingsSG.visit)


async def _changeable_visit(manager: DialogManager) -> Any | None:
    """The chosen visit if it may still be changed; else the screen that says why, and None."""
    visit = await _load_visit(manager)
    if visit is None:
        set_notice(manager, VISIT_GONE)
        await manager.switch_to(MyBookingsSG.visits)
        return None
    if not visit.can_change:
        await manager.switch_to(MyBookingsSG.too_late)
        return None
    return visit


async def on_cancel_pressed(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    if await _changeable_visit(manager) is not None:
        await manager.switch_to(MyBookingsSG.confirm_cancel)


async def on_cancel_confirmed(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    try:
        await facade(manager).cancel_visit(client_id(manager), manager.dialog_data.get("ref", ""))
    except TooLateToChangeError:
        await manager.switch_to(MyBookingsSG.too_late)
        return
    except VisitNotFoundError:
        set_notice(manager, VISIT_GONE)
        await manager.switch_to(MyBookingsSG.visits)
        return
    await manager.switch_to(MyBookingsSG.cancelled)


async def on_reschedule_pressed(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    if (visit := await _changeable_visit(manager)) is not None:
        await start_reschedule(manager, visit)


async def on_my_bookings_start(start_data: Any, manager: DialogManager) -> None:
    """Opened on one visit (the buttons of a reminder, ``bot/staff.py``): remember which."""
    if isinstance(start_data, dict) and VISIT_REF_RE.match(str(start_data.get("ref", ""))):
        manager.dialog_data["ref"] = start_data["ref"]


async def on_reschedule_result(_start_data: Any, result: Any, manager: DialogManager) -> None:
    """A reschedule that could not happen comes back here with the reason."""
    if not isinstance(result, dict):
        return
    if "removed" in result:  # back from a waitlist entry the client took off the list
        set_notice(manager, WAITLIST_REMOVED, days=str(result["removed"]))
    elif result.get("too_late"):
        await manager.switch_to(MyBookingsSG.too_late)
    elif result.get("notice"):
        set_notice(manager, str(result["notice"]))
        await manager.switch_to(MyBookingsSG.visits)


def my_bookings_dialog() -> Dialog:
    return Dialog(
        screen(
            T("Your upcoming visits:", when="visits"),
            T("You have no upcoming visits.", when="no_visits"),
            Column(choice("vis", "visits", on_visit)),
            T("🔔 On the waitlist (tap one to remove it):", when="waiting"),
            Column(choice("wle", "entries", on_entry)),
            Start(T("📅 Book"), id="book", state=BookingSG.category, when="no_visits"),
            nav_row(None),
            state=MyBookingsSG.visits,
            getter=visits_getter,
        ),
        screen(
            T("This visit is not in your upcoming bookings.", when="missing"),
            T("Your visit on {day_text} at {time_text}:", when="found"),
            Format("{details}", when="found"),
            T("Price: {total_price}", when="found"),
            Row(
                Button(T("❌ Cancel visit"), id="cancel", on_click=on_cancel_pressed),
                Button(T("🔁 Reschedule"), id="move", on_click=on_reschedule_pressed),
                when="found",
            ),
            nav_row(MyBookingsSG.visits),
            state=MyBookingsSG.visit,
            getter=visit_getter,
        ),
        screen(
            T("Cancel your visit on {day_text} at {time_text}?"),
            Row(
                Button(T("Yes, cancel it"), id="yes", on_click=on_cancel_confirmed),
                SwitchTo(T("No, keep it"), id="no", state=MyBookingsSG.visit),
            ),
            nav_row(MyBookingsSG.visit),
            state=MyBookingsSG.confirm_cancel,
            getter=visit_getter,
        ),
        screen(
            T("Your visit has been cancelled. We hope to see you another time."),
            SwitchTo(T("🗂 My bookings"), id="mine", state=MyBookingsSG.visits),
            Row(SwitchTo(T("◀ Back"), id="bk", state=MyBookingsSG.visits), cancel_button()),
            state=MyBookingsSG.cancelled,
        ),
        screen(
            T("Sorry, this visit is too close to change online. Please call {salon_name}: {phone}."),
            nav_row(MyBookingsSG.visits),
            state=MyBookingsSG.too_late,
            getter=salon_phone_getter,
        ),
        on_start=on_my_bookings_start,
        on_process_result=on_reschedule_result,
    )
