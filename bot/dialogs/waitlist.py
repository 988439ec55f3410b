"""The waitlist, the client's side: join from a full day, see and remove an entry.

- ``WaitlistSG.join`` is started by the booking's calendar (a fully booked day) or times
  screen with ``join_start_data``: the chosen services and master (None = any) and the day.
  The client picks "only this day" or "until <a later day>"; the entry is made
  (``facade.join_waitlist``) and ``WaitlistSG.joined`` says so. Back returns to the picker.
- ``WaitlistSG.entry`` is started by My bookings on one entry (``{"entry": id}``): its days,
  services and master, and Remove. The result tells My bookings what happened.

Dialog data is JSON-plain: ints and ISO dates. Every pressed id is checked against what the
screen offered; the salon core checks the days again.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode
from aiogram_dialog.widgets.kbd import Button, Cancel, Group, Row, Start
from aiogram_dialog.widgets.text import Format

from bot import texts
from bot.dialogs.common import cancel_button, choice, client_id, facade, screen, set_notice
from bot.dialogs.states import MenuSG, MyBookingsSG, WaitlistSG
from bot.facade import WaitlistRefusedError
from bot.texts import N_, T, _

log = logging.getLogger(__name__)

# How many later days the client may add to the one they chose ("until ...").
LATER_DAYS = 6

WAITLIST_REFUSED = N_("Sorry, we cannot put you on the waitlist for those days.")
WAITLIST_REMOVED = N_("You are off the waitlist for {days}.")


def join_start_data(service_ids: list[int], master_id: int | None, day: date) -> dict[str, Any]:
    """What ``WaitlistSG.join`` needs, JSON-plain."""
    return {"service_ids": [int(s) for s in service_ids], "master_id": master_id, "day": day.isoformat()}


def days_text(first: date, last: date) -> str:
    """One day in full, or a range of short days ("2 Dec 2026 – 5 Dec 2026")."""
    if first == last:
        return texts.day(first)
    return f"{texts.short_day(first)} – {texts.short_day(last)}"


def entry_line(entry: Any) -> str:
    """An entry as My bookings lists it: "🔔 2 Dec 2026 · Women's haircut · Any master"."""
    services = ", ".join(entry.service_names)
    master = entry.master_name or _("Any master")
    return f"🔔 {days_text(entry.date_from, entry.date_to)} · {services} · {master}"


# --- joining -------------------------------------------------------------------------------------


def _day(manager: DialogManager) -> date | None:
    value = manager.dialog_data.get("day")
    return date.fromisoformat(value) if value else None


async def on_join_start(start_data: Any, manager: DialogManager) -> None:
    if isinstance(start_data, dict):
        manager.dialog_data.update(start_data)


async def join_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The chosen day and the later days the entry may reach (inside the booking window)."""
    day = _day(dialog_manager)
    if day is None:
        return {"day_text": "", "until": []}
    _low, high = await facade(dialog_manager).booking_window()
    later = [day + timedelta(days=n) for n in range(1, LATER_DAYS + 1) if day + timedelta(days=n) <= high]
    until = [(d.strftime("%Y%m%d"), _("until {day}").format(day=texts.short_day(d))) for d in later]
    return {"day_text": texts.day(day), "until": until}


async def _join(manager: DialogManager, last: date) -> None:
    first = _day(manager)
    if first is None or last < first:
        return
    try:
        await facade(manager).join_waitlist(
            client_id(manager),
            list(manager.dialog_data.get("service_ids", [])),
            manager.dialog_data.get("master_id"),
            first,
            last,
        )
    except WaitlistRefusedError as error:
        log.info("waitlist refused for user %s: %s", client_id(manager), error)
        set_notice(manager, WAITLIST_REFUSED)
        return
    manager.dialog_data["last"] = last.isoformat()
    await manager.switch_to(WaitlistSG.joined)


async def on_only_this_day(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    day = _day(manager)
    if day is not None:
        await _join(manager, day)


async def on_until(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    offered = {key for key, _label in (await join_getter(manager))["until"]}
    if item not in offered:
        log.warning("ignored waitlist day %r from user %s", item, callback.from_user.id)
        return
    await _join(manager, date(int(item[:4]), int(item[4:6]), int(item[6:])))


async def joined_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    first, last = _day(dialog_manager), dialog_manager.dialog_data.get("last")
    if first is None or not last:
        return {"days": ""}
    return {"days": days_text(first, date.fromisoformat(last))}


async def to_my_bookings(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """My bookings on a fresh stack, the main menu underneath for Back."""
    await manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.NO_UPDATE)
    await manager.start(MyBookingsSG.visits, show_mode=ShowMode.EDIT)


# --- one entry, from My bookings -----------------------------------------------------------------


async def _entry(manager: DialogManager) -> Any | None:
    wanted = manager.start_data.get("entry") if isinstance(manager.start_data, dict) else None
    entries = await facade(manager).waitlist_entries(client_id(manager))
    return next((e for e in entries if e.id == wanted), None)


async def entry_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    entry = await _entry(dialog_manager)
    if entry is None:
        return {"found": False, "missing": True, "days": "", "services": "", "master_name": ""}
    return {
        "found": True,
        "missing": False,
        "days": days_text(entry.date_from, entry.date_to),
        "services": "\n".join(f"• {name}" for name in entry.service_names),
        "master_name": entry.master_name or _("Any master"),
    }


async def on_remove(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    entry = await _entry(manager)
    if entry is not None:
        await facade(manager).remove_waitlist_entry(client_id(manager), entry.id)
    days = days_text(entry.date_from, entry.date_to) if entry else ""
    await manager.done({"removed": days})


def waitlist_dialog() -> Dialog:
    return Dialog(
        screen(
            T("Notify me if a time frees up on {day_text}: for this day only, or until a later day?"),
            T("We will message you with the free times; the first client to confirm gets one."),
            Button(T("🔔 Only this day"), id="one", on_click=on_only_this_day),
            Group(choice("until", "until", on_until), width=2),
            Row(Cancel(T("◀ Back")), cancel_button()),
            state=WaitlistSG.join,
            getter=join_getter,
        ),
        screen(
            T("🔔 You are on the waitlist for {days}. We will message you when a time frees up."),
            Row(
                Button(T("🗂 My bookings"), id="mine", on_click=to_my_bookings),
                Start(T("🏠 Main menu"), id="home", state=MenuSG.main, mode=StartMode.RESET_STACK),
            ),
            state=WaitlistSG.joined,
            getter=joined_getter,
        ),
        screen(
            T("This waitlist entry is no longer active.", when="missing"),
            T("🔔 You are on the waitlist for {days}:", when="found"),
            Format("{services}", when="found"),
            T("Master: {master_name}", when="found"),
            Button(T("🗑 Remove from the waitlist"), id="rm", on_click=on_remove, when="found"),
            Row(Cancel(T("◀ Back")), cancel_button()),
            state=WaitlistSG.entry,
            getter=entry_getter,
        ),
        on_start=on_join_start,
    )
