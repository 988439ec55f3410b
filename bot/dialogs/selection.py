"""The visit being chosen, as JSON-plain dialog data shared by booking, the day-and-time
picker and rescheduling, and the summary that shows it.

Keys (RedisStorage json-dumps dialog data): ``service_ids`` (ints), ``master_id`` (int or
None: any master), ``ref`` (the visit being rescheduled, else absent), ``day`` (ISO date),
``time`` (a slot token: "HH:MM", or "HH:MM+1" for the second of a time the clocks show twice,
see ``booking.localtime``), ``old_day``/``old_time`` (where a rescheduled visit is now).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram_dialog import DialogManager
from aiogram_dialog.widgets.text import Format

from bot import texts
from bot.dialogs.common import facade, slot_label
from bot.texts import T, _

# What a sub-dialog needs to know about the visit being chosen (its start data).
REQUEST_KEYS = ("service_ids", "master_id", "ref", "day", "old_day", "old_time")


def service_ids(manager: DialogManager) -> list[int]:
    return list(manager.dialog_data.get("service_ids", []))


def master_id(manager: DialogManager) -> int | None:
    return manager.dialog_data.get("master_id")


def visit_ref(manager: DialogManager) -> str | None:
    return manager.dialog_data.get("ref")


def chosen_day(manager: DialogManager) -> date | None:
    value = manager.dialog_data.get("day")
    return date.fromisoformat(value) if value else None


def request_data(manager: DialogManager) -> dict[str, Any]:
    """The part of this dialog's data a sub-dialog is started with."""
    return {key: manager.dialog_data[key] for key in REQUEST_KEYS if key in manager.dialog_data}


async def fresh_slots(manager: DialogManager, day: date) -> list[str]:
    """The day's free slot tokens for the chosen services and master, now."""
    return await facade(manager).day_slots(
        service_ids(manager), master_id(manager), day, reschedule_ref=visit_ref(manager)
    )


async def selection_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The chosen services, master, day and time as the summary and the cart show them."""
    ids = service_ids(dialog_manager)
    services = {s.id: s for s in await facade(dialog_manager).list_services(None)}
    chosen = [services[i] for i in ids if i in services]
    master = master_id(dialog_manager)
    master_name = _("Any master")
    if master is not None:
        masters = await facade(dialog_manager).list_masters(ids)
        master_name = next((m.name for m in masters if m.id == master), master_name)
    day = chosen_day(dialog_manager)
    token = dialog_manager.dialog_data.get("time", "")
    plan = await _plan(dialog_manager, day, token)
    if plan:  # the truth at this slot: who does what, and when
        by_id = {s.id: s for s in chosen}
        lines = [
            f"• {texts.clock(item.starts_at)} {item.service_name} · {item.master_name}"
            + (f" · {_cost(by_id[item.service_id])}" if item.service_id in by_id else "")
            for item in plan
        ]
        master_name = ", ".join(dict.fromkeys(item.master_name for item in plan))
    else:
        lines = [f"• {s.name} · {texts.duration(s.duration)} · {texts.price(s.price)}" for s in chosen]
    return {
        "services_text": "\n".join(lines),
        "total_duration": texts.duration(sum(s.duration for s in chosen)),
        "total_price": texts.price(sum((s.price for s in chosen), 0)),
        "master_name": master_name,
        "day_text": texts.day(day) if day else "",
        "time_text": await slot_label(dialog_manager, day, token),
        "multi": len(chosen) > 1,
    }


def _cost(service: Any) -> str:
    return f"{texts.duration(service.duration)} · {texts.price(service.price)}"


async def _plan(manager: DialogManager, day: date | None, token: str) -> list[Any]:
    if day is None or not token:
        return []
    return await facade(manager).plan_visit(
        service_ids(manager), master_id(manager), day, token, reschedule_ref=visit_ref(manager)
    )


SUMMARY_TEXT = (
    T("Please check your booking:"),
    Format("{services_text}"),
    T("Master: {master_name}"),
    T("Date: {day_text}"),
    T("Time: {time_text}"),
    T("Duration: {total_duration}"),
    T("Price: {total_price}"),
)
