"""After a visit is booked or moved: the .ics file (best-effort) and the done screen.

The visit is committed before anything here runs, so nothing here may report a failure: the
file is a courtesy whose failure is logged, and the done screen is rendered on the spot with
one retry rather than left to the library (see ``_show_done``).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from aiogram.fsm.state import State
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.widgets.kbd import Button, Row

from booking.localtime import in_utc, slot_token
from bot import texts
from bot.dialogs.common import facade, home_button, slot_label
from bot.dialogs.states import MenuSG, MyBookingsSG
from bot.ics import visit_ics
from bot.texts import T, _

log = logging.getLogger(__name__)


async def after_booking(
    manager: DialogManager, visit: Any, done: State, show_mode: ShowMode = ShowMode.SEND
) -> None:
    """The visit is committed: the .ics file, then the ``done`` screen below it."""
    manager.dialog_data["visit"] = _visit_summary(visit)
    await _send_calendar_file(manager, visit)
    await manager.switch_to(done, show_mode=show_mode)
    await _show_done(manager, visit)


async def _send_calendar_file(manager: DialogManager, visit: Any) -> None:
    try:
        salon = await facade(manager).salon_info()
        title = _("{salon}: {services}").format(
            salon=salon.name, services=", ".join(item.service_name for item in visit.items)
        )
        document = BufferedInputFile(visit_ics(visit, salon, title=title), filename="visit.ics")
        chat_id = manager.middleware_data["event_chat"].id
        await manager.middleware_data["bot"].send_document(
            chat_id, document, caption=_("Add the visit to your calendar.")
        )
    except Exception:  # the visit stands whatever happened to the file (Telegram, the database)
        log.warning("could not send the calendar file of visit %s", visit.ref, exc_info=True)


async def _show_done(manager: DialogManager, visit: Any) -> None:
    """Render the done screen here rather than after the handler returns: a failure there
    would reach the error handlers, which apologise and leave the dialog on the summary. One
    retry as a new message (the failure may have been removing the old keyboard); then the
    library is told not to render again."""
    try:
        await manager.show()
    except Exception:
        log.warning("could not show the done screen of visit %s; sending it anew", visit.ref, exc_info=True)
        try:
            await manager.show(ShowMode.SEND)
        except Exception:
            log.exception("could not show the done screen of visit %s", visit.ref)
    manager.show_mode = ShowMode.NO_UPDATE


def _visit_summary(visit: Any) -> dict[str, Any]:
    """What the done screen shows, JSON-plain (formatted again in the client's language)."""
    return {
        "ref": visit.ref,
        "day": visit.starts_at.date().isoformat(),
        "time": slot_token(visit.starts_at),
        # Who does what, and when: (slot token, service, master) per item, in visit order.
        "items": [[slot_token(item.starts_at), item.service_name, item.master_name] for item in visit.items],
        "minutes": int((in_utc(visit.ends_at) - in_utc(visit.starts_at)).total_seconds() // 60),
        "price": str(visit.total_price),
        "pending": visit.status == "pending",  # the salon confirms bookings (BookingSettings)
    }


async def done_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    visit = dialog_manager.dialog_data.get("visit") or {}
    if not visit:
        return {
            "services_text": "",
            "master_name": "",
            "day_text": "",
            "time_text": "",
            "total_duration": "",
            "total_price": "",
            "pending": False,
            "booked": True,
        }
    day = date.fromisoformat(visit["day"])
    items = visit.get("items", [])
    return {
        "pending": bool(visit.get("pending")),
        "booked": not visit.get("pending"),
        "services_text": "\n".join(
            [
                f"• {await slot_label(dialog_manager, day, token)} {service} · {master}"
                for token, service, master in items
            ]
        ),
        "master_name": ", ".join(dict.fromkeys(master for _token, _service, master in items)),
        "day_text": texts.day(day),
        "time_text": await slot_label(dialog_manager, day, visit["time"]),
        "total_duration": texts.duration(visit["minutes"]),
        "total_price": texts.price(visit["price"]),
    }


async def to_my_bookings(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """From a finished flow to My bookings, with the main menu underneath for Back."""
    await manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.NO_UPDATE)
    await manager.start(MyBookingsSG.visits, show_mode=ShowMode.EDIT)


def done_buttons() -> Row:
    return Row(
        Button(T("🗂 My bookings"), id="mine", on_click=to_my_bookings),
        home_button(T("🏠 Main menu"), "home"),
    )
