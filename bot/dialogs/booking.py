"""Booking: category → service (→ add another) → master → [day and time: the picker
sub-dialog] → summary → [phone, once ever: the phone sub-dialog] → done.

Dialog data stays JSON-plain (see ``selection``), plus ``category_id``, ``one_category`` and
``idempotency_key`` (hex, made when a summary is shown: every Confirm of that summary — a
double tap, a retry after a crash — books the same one visit). Every pressed id is checked
against what the salon offers *now*: aiogram-dialog passes item ids through as strings, and a
forged or stale one must change nothing.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, ShowMode
from aiogram_dialog.widgets.kbd import Button, Column, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot import texts
from bot.dialogs.common import (
    cancel_button,
    choice,
    client_id,
    facade,
    int_or_none,
    nav_row,
    screen,
    set_notice,
)
from bot.dialogs.done import after_booking, done_buttons, done_getter
from bot.dialogs.phone import phone_result
from bot.dialogs.selection import SUMMARY_TEXT, chosen_day, master_id, selection_getter, service_ids
from bot.dialogs.slot_picker import is_picker_request, pick_slot, picked_slot, show_fresh_times
from bot.dialogs.states import BookingSG, PhoneSG, SlotPickerSG
from bot.facade import (
    BookingEngineError,
    ClientOverlapError,
    SlotAlreadyBookedError,
    UnbookableRequestError,
    VisitLimitReachedError,
)
from bot.texts import N_, T

log = logging.getLogger(__name__)

IDEMPOTENCY_KEY = "idempotency_key"
WAITLIST_ENTRY = "waitlist_entry"  # the waitlist entry a booking started from (its offer)
REBOOK = "rebook"  # started on the master step by "Choose another time" (``bot/rebook.py``)

SLOT_TAKEN = N_("Sorry, {time} on {day} was taken a moment ago. Here are the free times of that day.")
SLOT_GONE = N_("Sorry, {time} on {day} can no longer be booked. Here are the free times of that day.")
SLOT_SKIPPED = N_(
    "{time} does not exist on {day}: the clocks jump forward an hour that night. "
    "Here are the free times of that day."
)
VISIT_LIMIT = N_(
    "You already have as many upcoming visits as we can hold for one client ({limit}). "
    "Cancel one in My bookings to book another."
)
CLIENT_OVERLAP = N_("You already have a visit at that time. Please choose another time.")
OFFER_WITHDRAWN = N_(
    "Sorry, the service or master you chose is no longer available. Please choose your services again."
)


def _idempotency_key(manager: DialogManager) -> str:
    """The summary's key (a dialog saved before keys existed gets one now)."""
    return manager.dialog_data.setdefault(IDEMPOTENCY_KEY, uuid.uuid4().hex)


# --- getters ---------------------------------------------------------------------------------


async def categories_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    categories = await facade(dialog_manager).list_categories()
    return {"categories": [(c.id, c.name) for c in categories], "no_categories": not categories}


async def services_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    chosen = set(service_ids(dialog_manager))
    services = await facade(dialog_manager).list_services(dialog_manager.dialog_data.get("category_id"))
    items = [
        (s.id, f"{s.name} · {texts.duration(s.duration)} · {texts.price(s.price)}")
        for s in services
        if s.id not in chosen
    ]
    return {"services": items, "no_services": not items}


async def masters_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    masters = await facade(dialog_manager).list_masters(service_ids(dialog_manager))
    return {"masters": [(m.id, m.name) for m in masters], "no_masters": not masters}


# --- choosing services and the master ----------------------------------------------------------


async def on_booking_start(start_data: Any, manager: DialogManager) -> None:
    """Skip the category step when the salon has one category. Started on the summary by a
    waitlist offer (``bot/waitlist.py``): the visit is filled in already."""
    if isinstance(start_data, dict) and (start_data.get(WAITLIST_ENTRY) or start_data.get(REBOOK)):
        manager.dialog_data.update(start_data)
        return
    manager.dialog_data.setdefault("service_ids", [])
    categories = await facade(manager).list_categories()
    if len(categories) == 1:
        manager.dialog_data["category_id"] = categories[0].id
        manager.dialog_data["one_category"] = True
        await manager.switch_to(BookingSG.service)


async def on_category(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    category_id = int_or_none(item)
    if category_id not in {c.id for c in await facade(manager).list_categories()}:
        log.warning("ignored category %r from user %s", item, callback.from_user.id)
        return
    manager.dialog_data["category_id"] = category_id
    await manager.switch_to(BookingSG.service)


async def on_service(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    service_id = int_or_none(item)
    offered = {s.id for s in await facade(manager).list_services(manager.dialog_data.get("category_id"))}
    if service_id not in offered or service_id in service_ids(manager):
        log.warning("ignored service %r from user %s", item, callback.from_user.id)
        return
    manager.dialog_data["service_ids"] = [*service_ids(manager), service_id]
    await manager.switch_to(BookingSG.cart)


async def back_from_services(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    if service_ids(manager):
        await manager.switch_to(BookingSG.cart)
    elif manager.dialog_data.get("one_category"):
        await manager.done()
    else:
        await manager.switch_to(BookingSG.category)


async def add_another(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    one = manager.dialog_data.get("one_category")
    await manager.switch_to(BookingSG.service if one else BookingSG.category)


async def back_from_cart(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """Back undoes the last service added."""
    manager.dialog_data["service_ids"] = service_ids(manager)[:-1]
    await manager.switch_to(BookingSG.service)


async def on_master(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    chosen = int_or_none(item)
    if chosen not in {m.id for m in await facade(manager).list_masters(service_ids(manager))}:
        log.warning("ignored master %r from user %s", item, callback.from_user.id)
        return
    manager.dialog_data["master_id"] = chosen
    await pick_slot(manager)


async def on_any_master(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    manager.dialog_data["master_id"] = None
    await pick_slot(manager)


# --- what the sub-dialogs return ---------------------------------------------------------------


async def on_subdialog_result(start_data: Any, result: Any, manager: DialogManager) -> None:
    """A picked day and time: the summary (a new summary, a new idempotency key); Back from the
    picker's calendar: the master step; a saved phone: book now."""
    if phone_result(result):
        await _book(manager, show_mode=ShowMode.DELETE_AND_SEND)
    elif slot := picked_slot(result):
        manager.dialog_data["day"], manager.dialog_data["time"] = slot
        manager.dialog_data[IDEMPOTENCY_KEY] = uuid.uuid4().hex
        await manager.switch_to(BookingSG.summary)
    elif is_picker_request(start_data):
        manager.dialog_data.pop("time", None)
        await manager.switch_to(BookingSG.master)


async def back_to_times(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """Back from the summary: the times of the chosen day again."""
    await pick_slot(manager, at=SlotPickerSG.time)


# --- confirming ----------------------------------------------------------------------------------


async def on_confirm(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """Book now when the client's phone is known; otherwise ask for it first (once ever)."""
    client = await facade(manager).ensure_client(client_id(manager))
    if not client.phone:
        await manager.start(PhoneSG.phone)
        return
    await _book(manager)


async def _book(manager: DialogManager, show_mode: ShowMode | None = None) -> None:
    day = chosen_day(manager)
    slot = manager.dialog_data.get("time")
    if day is None or not slot:
        await pick_slot(manager, show_mode=show_mode)
        return
    try:
        visit = await facade(manager).book_visit(
            client_id(manager),
            service_ids(manager),
            master_id(manager),
            day,
            slot,
            idempotency_key=_idempotency_key(manager),
            waitlist_entry_id=manager.dialog_data.get(WAITLIST_ENTRY),
        )
    except SlotAlreadyBookedError:
        await show_fresh_times(manager, show_mode=show_mode, reason=SLOT_TAKEN)
        return
    except VisitLimitReachedError as error:
        set_notice(manager, VISIT_LIMIT, limit=error.limit)
        await manager.switch_to(BookingSG.summary, show_mode=show_mode)
        return
    except ClientOverlapError:
        await show_fresh_times(manager, show_mode=show_mode, reason=CLIENT_OVERLAP)
        return
    except UnbookableRequestError as error:
        log.info("offer withdrawn before user %s confirmed: %s", client_id(manager), error)
        await _choose_services_again(manager, show_mode=show_mode)
        return
    except BookingEngineError as error:
        log.info("booking refused for user %s: %s", client_id(manager), error)
        await show_fresh_times(manager, show_mode=show_mode, reason=SLOT_GONE)
        return
    await after_booking(manager, visit, BookingSG.done, show_mode=show_mode or ShowMode.SEND)


async def _choose_services_again(manager: DialogManager, show_mode: ShowMode | None = None) -> None:
    """A service or master was deactivated after the summary: no time of that choice can be
    booked, so the client says so and starts the choice again (not an empty calendar)."""
    for key in ("service_ids", "master_id", "day", "time", IDEMPOTENCY_KEY):
        manager.dialog_data.pop(key, None)
    manager.dialog_data["service_ids"] = []
    set_notice(manager, OFFER_WITHDRAWN)
    one = manager.dialog_data.get("one_category")
    await manager.switch_to(BookingSG.service if one else BookingSG.category, show_mode=show_mode)


# --- the dialog ------------------------------------------------------------------------------------


def booking_dialog() -> Dialog:
    return Dialog(
        screen(
            T("What would you like to book?"),
            T("Nothing can be booked online at the moment.", when="no_categories"),
            Column(choice("ctg", "categories", on_category)),
            nav_row(None),
            state=BookingSG.category,
            getter=categories_getter,
        ),
        screen(
            T("Choose a service:"),
            T("There is nothing more to add here.", when="no_services"),
            Column(choice("svc", "services", on_service)),
            Row(Button(T("◀ Back"), id="bk", on_click=back_from_services), cancel_button()),
            state=BookingSG.service,
            getter=services_getter,
        ),
        screen(
            T("Your selection:"),
            Format("{services_text}"),
            T("Total: {total_duration} · {total_price}"),
            Button(T("➕ Add another service"), id="more", on_click=add_another),
            SwitchTo(T("Continue ▶"), id="next", state=BookingSG.master),
            Row(Button(T("◀ Back"), id="bk", on_click=back_from_cart), cancel_button()),
            state=BookingSG.cart,
            getter=selection_getter,
        ),
        screen(
            T("Choose a master:"),
            T(
                "No single master does all of these services, but the salon can combine masters.",
                when="no_masters",
            ),
            Column(
                choice("mst", "masters", on_master),
                Button(T("Any master"), id="any", on_click=on_any_master),
            ),
            nav_row(BookingSG.cart),
            state=BookingSG.master,
            getter=masters_getter,
        ),
        screen(
            *SUMMARY_TEXT,
            Button(T("✅ Confirm"), id="ok", on_click=on_confirm),
            Row(Button(T("◀ Back"), id="bk", on_click=back_to_times), cancel_button()),
            state=BookingSG.summary,
            getter=selection_getter,
        ),
        screen(
            T("✅ You are booked!", when="booked"),
            T(
                "📝 Your booking request is in. The salon will confirm it shortly; we will message you.",
                when="pending",
            ),
            Format("{services_text}"),
            T("Master: {master_name}"),
            T("Date: {day_text}"),
            T("Time: {time_text}"),
            T("Duration: {total_duration}"),
            T("Price: {total_price}"),
            T("We look forward to seeing you."),
            done_buttons(),
            state=BookingSG.done,
            getter=done_getter,
        ),
        on_start=on_booking_start,
        on_process_result=on_subdialog_result,
    )
