"""Booking and rescheduling: category → service (→ add another) → master → day → time →
summary → phone (once) → done, and for a reschedule: day → time → summary → done.

Dialog data stays JSON-plain (RedisStorage json-dumps it): ``service_ids`` (ints),
``master_id`` (int or None), ``day`` (ISO date), ``time`` (a slot token: "HH:MM", or
"HH:MM+1" for the second of a time the clocks show twice, see ``booking.localtime``), ``ref``
(the visit being rescheduled), ``idempotency_key`` (hex, made when a booking's summary is
shown: every Confirm of that summary — a double tap, a retry after a crash — books the same one
visit). Every pressed id is checked against what the salon offers *now*: aiogram-dialog passes
item ids through as strings, and a forged or stale one must change nothing.
"""

from __future__ import annotations

import logging
import re
import uuid
import zoneinfo
from datetime import date, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.types import BufferedInputFile, CallbackQuery, Message, ReplyKeyboardRemove
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import (
    Button,
    Column,
    Group,
    ManagedCalendar,
    RequestContact,
    Row,
    SwitchTo,
)
from aiogram_dialog.widgets.markup.reply_keyboard import ReplyKeyboardFactory
from aiogram_dialog.widgets.text import Format

from booking.localtime import SECOND_OCCURRENCE, in_utc, parse_slot, slot_token
from bot import texts
from bot.dialogs.calendar import AvailabilityCalendar, classify_month
from bot.dialogs.common import (
    back_button,
    cancel_button,
    choice,
    client_id,
    facade,
    go_home,
    nav_row,
    screen,
    set_notice,
)
from bot.dialogs.states import BookingSG, MenuSG, MyBookingsSG, RescheduleSG
from bot.facade import (
    BookingEngineError,
    ClientOverlapError,
    InvalidPhoneNumberError,
    SlotAlreadyBookedError,
    TooLateToChangeError,
    UnbookableRequestError,
    VisitLimitReachedError,
    VisitNotFoundError,
)
from bot.ics import visit_ics
from bot.texts import N_, VISIT_GONE, T, _

log = logging.getLogger(__name__)

# A time button's id: the slot token without its ":" (callback data allows none): "0230", and
# "0230+1" for the second 02:30 of the night the clocks go back.
SLOT_RE = re.compile(r"^([01]\d|2[0-3])([0-5]\d)(\+1)?$")
CALENDAR_ID = "cal"
IDEMPOTENCY_KEY = "idempotency_key"

SLOT_TAKEN = N_("Sorry, {time} on {day} was taken a moment ago. Here are the free times of that day.")
SLOT_GONE = N_("Sorry, {time} on {day} can no longer be booked. Here are the free times of that day.")
SLOT_SKIPPED = N_(
    "{time} does not exist on {day}: the clocks jump forward an hour that night. "
    "Here are the free times of that day."
)
REPEATED_HOUR = N_(
    "The clocks go back an hour this night, so some times come twice: "
    "(1st) is before the change, (2nd) after it."
)
NO_FREE_DATES = N_("No free dates in the booking window. Please try other services or another master.")
VISIT_LIMIT = N_(
    "You already have as many upcoming visits as we can hold for one client ({limit}). "
    "Cancel one in My bookings to book another."
)
CLIENT_OVERLAP = N_("You already have a visit at that time. Please choose another time.")
OFFER_WITHDRAWN = N_(
    "Sorry, the service or master you chose is no longer available. Please choose your services again."
)
NOT_A_PHONE = N_(
    "That does not look like a phone number. Please type it like +49 151 2345678, or use the button below."
)


# --- small helpers ---------------------------------------------------------------------------


def _int_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 19 else None


def _service_ids(manager: DialogManager) -> list[int]:
    return list(manager.dialog_data.get("service_ids", []))


def _master_id(manager: DialogManager) -> int | None:
    return manager.dialog_data.get("master_id")


def _ref(manager: DialogManager) -> str | None:
    return manager.dialog_data.get("ref")


def _idempotency_key(manager: DialogManager) -> str:
    """The summary's key (a dialog saved before keys existed gets one now)."""
    return manager.dialog_data.setdefault(IDEMPOTENCY_KEY, uuid.uuid4().hex)


def _chosen_day(manager: DialogManager) -> date | None:
    value = manager.dialog_data.get("day")
    return date.fromisoformat(value) if value else None


async def _salon_tz(manager: DialogManager) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo((await facade(manager).salon_info()).timezone)


def slot_text(day: date, token: str, tz: zoneinfo.ZoneInfo) -> str:
    """A slot token as the client reads it: "02:30", or "02:30 (2nd)" on the night the clocks
    go back (a token that names no time is shown as it is)."""
    try:
        return texts.clock(parse_slot(day, token, tz))
    except ValueError:
        return token


async def _slot_text(manager: DialogManager, day: date | None, token: str) -> str:
    return slot_text(day, token, await _salon_tz(manager)) if day and token else token


async def _fresh_slots(manager: DialogManager, day: date) -> list[str]:
    return await facade(manager).day_slots(
        _service_ids(manager), _master_id(manager), day, reschedule_ref=_ref(manager)
    )


# --- getters ---------------------------------------------------------------------------------


async def categories_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    categories = await facade(dialog_manager).list_categories()
    return {"categories": [(c.id, c.name) for c in categories], "no_categories": not categories}


async def services_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    chosen = set(_service_ids(dialog_manager))
    services = await facade(dialog_manager).list_services(dialog_manager.dialog_data.get("category_id"))
    items = [
        (s.id, f"{s.name} · {texts.duration(s.duration)} · {texts.price(s.price)}")
        for s in services
        if s.id not in chosen
    ]
    return {"services": items, "no_services": not items}


async def selection_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The chosen services, master, day and time as the summary and the cart show them."""
    ids = _service_ids(dialog_manager)
    services = {s.id: s for s in await facade(dialog_manager).list_services(None)}
    chosen = [services[i] for i in ids if i in services]
    master_id = _master_id(dialog_manager)
    master_name = _("Any master")
    if master_id is not None:
        masters = await facade(dialog_manager).list_masters(ids)
        master_name = next((m.name for m in masters if m.id == master_id), master_name)
    day = _chosen_day(dialog_manager)
    return {
        "services_text": "\n".join(
            f"• {s.name} · {texts.duration(s.duration)} · {texts.price(s.price)}" for s in chosen
        ),
        "total_duration": texts.duration(sum(s.duration for s in chosen)),
        "total_price": texts.price(sum((s.price for s in chosen), 0)),
        "master_name": master_name,
        "day_text": texts.day(day) if day else "",
        "time_text": await _slot_text(dialog_manager, day, dialog_manager.dialog_data.get("time", "")),
        "multi": len(chosen) > 1,
    }


async def masters_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    masters = await facade(dialog_manager).list_masters(_service_ids(dialog_manager))
    return {"masters": [(m.id, m.name) for m in masters], "no_masters": not masters}


async def calendar_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The shown month's days by status, the booking window and the salon's time zone."""
    api = facade(dialog_manager)
    low, high = await api.booking_window()
    salon = await api.salon_info()
    calendar: ManagedCalendar = dialog_manager.find(CALENDAR_ID)
    offset = calendar.get_offset()
    if offset is None or not (low.replace(day=1) <= offset <= high):
        chosen = _chosen_day(dialog_manager)
        offset = (chosen if chosen and low <= chosen <= high else low).replace(day=1)
        calendar.set_offset(offset)
    availability = await api.month_availability(
        _service_ids(dialog_manager),
        _master_id(dialog_manager),
        offset.year,
        offset.month,
        reschedule_ref=_ref(dialog_manager),
    )
    today = datetime.now(zoneinfo.ZoneInfo(salon.timezone)).date()
    return {
        "days": classify_month(availability, offset, today, (low, high)),
        "window_min": low,
        "window_max": high,
        "tz": salon.timezone,
    }


async def slots_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    day = _chosen_day(dialog_manager)
    slots = await _fresh_slots(dialog_manager, day) if day else []
    tz = await _salon_tz(dialog_manager) if slots else None
    return {
        # Item ids are the core's tokens without ":" (see SLOT_RE); labels tell repeated times apart.
        "slots": [(s.replace(":", ""), slot_text(day, s, tz)) for s in slots],
        "no_slots": not slots,
        "repeated_hour": any(s.endswith(SECOND_OCCURRENCE) for s in slots),
        "day_text": texts.day(day) if day else "",
    }


# --- booking: choosing services and the master -------------------------------------------------


async def on_booking_start(_start_data: Any, manager: DialogManager) -> None:
    """Skip the category step when the salon has one category."""
    manager.dialog_data.setdefault("service_ids", [])
    categories = await facade(manager).list_categories()
    if len(categories) == 1:
        manager.dialog_data["category_id"] = categories[0].id
        manager.dialog_data["one_category"] = True
        await manager.switch_to(BookingSG.service)


async def on_category(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    category_id = _int_or_none(item)
    if category_id not in {c.id for c in await facade(manager).list_categories()}:
        log.warning("ignored category %r from user %s", item, callback.from_user.id)
        return
    manager.dialog_data["category_id"] = category_id
    await manager.switch_to(BookingSG.service)


async def on_service(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    service_id = _int_or_none(item)
    offered = {s.id for s in await facade(manager).list_services(manager.dialog_data.get("category_id"))}
    if service_id not in offered or service_id in _service_ids(manager):
        log.warning("ignored service %r from user %s", item, callback.from_user.id)
        return
    manager.dialog_data["service_ids"] = [*_service_ids(manager), service_id]
    await manager.switch_to(BookingSG.cart)


async def back_from_services(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    if _service_ids(manager):
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
    manager.dialog_data["service_ids"] = _service_ids(manager)[:-1]
    await manager.switch_to(BookingSG.service)


async def on_master(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    master_id = _int_or_none(item)
    if master_id not in {m.id for m in await facade(manager).list_masters(_service_ids(manager))}:
        log.warning("ignored master %r from user %s", item, callback.from_user.id)
        return
    manager.dialog_data["master_id"] = master_id
    await manager.switch_to(BookingSG.day)


async def on_any_master(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    manager.dialog_data["master_id"] = None
    await manager.switch_to(BookingSG.day)


# --- day and time (shared by booking and rescheduling) -----------------------------------------


def _time_state(manager: DialogManager) -> State:
    return RescheduleSG.time if _ref(manager) else BookingSG.time


def _day_state(manager: DialogManager) -> State:
    return RescheduleSG.day if _ref(manager) else BookingSG.day


async def _choose_day(manager: DialogManager, day: date) -> None:
    low, high = await facade(manager).booking_window()
    if not low <= day <= high or not await _fresh_slots(manager, day):
        set_notice(
            manager,
            N_("There are no free times on {day} any more. Please choose another day."),
            day=texts.day(day),
        )
        return
    manager.dialog_data["day"] = day.isoformat()
    manager.dialog_data.pop("time", None)
    await manager.switch_to(_time_state(manager))


async def on_day(callback: CallbackQuery, _widget: Any, manager: DialogManager, day: date) -> None:
    await _choose_day(manager, day)


async def on_nearest(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    day = await facade(manager).nearest_date(
        _service_ids(manager), _master_id(manager), reschedule_ref=_ref(manager)
    )
    if day is None:
        set_notice(manager, NO_FREE_DATES)
        return
    manager.find(CALENDAR_ID).set_offset(day.replace(day=1))
    await _choose_day(manager, day)


async def on_slot(callback: CallbackQuery, _widget: Any, manager: DialogManager, item: str) -> None:
    match = SLOT_RE.match(item)
    day = _chosen_day(manager)
    slot = f"{match[1]}:{match[2]}{match[3] or ''}" if match else ""
    if not match or day is None or slot not in await _fresh_slots(manager, day):
        set_notice(manager, N_("That time is no longer free. Here are the free times now."))
        return
    manager.dialog_data["time"] = slot
    if _ref(manager):
        await manager.switch_to(RescheduleSG.summary)
        return
    manager.dialog_data[IDEMPOTENCY_KEY] = uuid.uuid4().hex  # a new summary, a new booking
    await manager.switch_to(BookingSG.summary)


async def show_fresh_times(manager: DialogManager, *, reason: str, show_mode: ShowMode | None = None) -> None:
    """The slot went (someone else booked it): the same day's free times, or the calendar if
    the day is now full. ``reason`` is the msgid that explains what happened."""
    day = _chosen_day(manager)
    taken = manager.dialog_data.pop("time", "")
    slots = await _fresh_slots(manager, day) if day else []
    params = {"time": await _slot_text(manager, day, taken), "day": texts.day(day) if day else ""}
    if slots:
        set_notice(manager, reason, **params)
        await manager.switch_to(_time_state(manager), show_mode=show_mode)
    else:
        set_notice(
            manager,
            N_(
                "{time} on {day} was just taken, and that day is now fully booked. Please choose another day."
            ),
            **params,
        )
        await manager.switch_to(_day_state(manager), show_mode=show_mode)


# --- confirming, the phone, done ------------------------------------------------------------------


async def on_confirm(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """Book now when the client's phone is known; otherwise ask for it first (once ever)."""
    client = await facade(manager).ensure_client(client_id(manager))
    if not client.phone:
        await manager.switch_to(BookingSG.phone)
        return
    await _book(manager)


async def _book(manager: DialogManager, show_mode: ShowMode | None = None) -> None:
    day = _chosen_day(manager)
    slot = manager.dialog_data.get("time")
    if day is None or not slot:
        await manager.switch_to(BookingSG.day, show_mode=show_mode)
        return
    api = facade(manager)
    try:
        visit = await api.book_visit(
            client_id(manager),
            _service_ids(manager),
            _master_id(manager),
            day,
            slot,
            idempotency_key=_idempotency_key(manager),
        )
    except SlotAlreadyBookedError:
        await show_fresh_times(
            manager,
            show_mode=show_mode,
            reason=SLOT_TAKEN,
        )
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
        await show_fresh_times(
            manager,
            show_mode=show_mode,
            reason=SLOT_GONE,
        )
        return
    await _after_booking(manager, visit, show_mode=show_mode or ShowMode.SEND)


async def _choose_services_again(manager: DialogManager, show_mode: ShowMode | None = None) -> None:
    """A service or master was deactivated after the summary: no time of that choice can be
    booked, so the client says so and starts the choice again (not an empty calendar)."""
    for key in ("service_ids", "master_id", "day", "time", IDEMPOTENCY_KEY):
        manager.dialog_data.pop(key, None)
    manager.dialog_data["service_ids"] = []
    set_notice(manager, OFFER_WITHDRAWN)
    one = manager.dialog_data.get("one_category")
    await manager.switch_to(BookingSG.service if one else BookingSG.category, show_mode=show_mode)


async def _after_booking(manager: DialogManager, visit: Any, show_mode: ShowMode = ShowMode.SEND) -> None:
    """The visit is committed: from here on nothing may report a failure. The .ics file is a
    courtesy (sent best-effort, a failure logged), then the done screen below it."""
    manager.dialog_data["visit"] = _visit_summary(visit)
    await _send_calendar_file(manager, visit)
    done = RescheduleSG.done if _ref(manager) else BookingSG.done
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
        "services": [item.service_name for item in visit.items],
        "masters": sorted({item.master_name for item in visit.items}),
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
    return {
        "pending": bool(visit.get("pending")),
        "booked": not visit.get("pending"),
        "services_text": "\n".join(f"• {name}" for name in visit["services"]),
        "master_name": ", ".join(visit["masters"]),
        "day_text": texts.day(date.fromisoformat(visit["day"])),
        "time_text": await _slot_text(dialog_manager, date.fromisoformat(visit["day"]), visit["time"]),
        "total_duration": texts.duration(visit["minutes"]),
        "total_price": texts.price(visit["price"]),
    }


async def on_contact(message: Message, _widget: Any, manager: DialogManager) -> None:
    contact = message.contact
    if contact is None or (contact.user_id is not None and contact.user_id != message.from_user.id):
        set_notice(manager, N_("Please share your own phone number with the button below, or type it."))
        return
    await _save_phone_and_book(message, manager, contact.phone_number, shared=True)


async def on_phone_text(message: Message, _widget: Any, manager: DialogManager) -> None:
    await _save_phone_and_book(message, manager, message.text or "")


async def _save_phone_and_book(
    message: Message, manager: DialogManager, phone: str, *, shared: bool = False
) -> None:
    """The core normalises every number (typed or shared) to E.164 or refuses it."""
    try:
        await facade(manager).set_client_phone(client_id(manager), phone, shared=shared)
    except InvalidPhoneNumberError:
        set_notice(manager, NOT_A_PHONE)
        return
    # The contact button lives in a reply keyboard, which only a message can take away.
    await message.answer(_("Thank you! We saved your phone number."), reply_markup=ReplyKeyboardRemove())
    # Delete the prompt that carried the reply keyboard rather than let the library send a
    # "..." message to remove it.
    await _book(manager, show_mode=ShowMode.DELETE_AND_SEND)


async def start_booking(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await manager.start(BookingSG.category)


async def to_my_bookings(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """From a finished flow to My bookings, with the main menu underneath for Back."""
    await manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.NO_UPDATE)
    await manager.start(MyBookingsSG.visits, show_mode=ShowMode.EDIT)


def done_buttons() -> Row:
    return Row(
        Button(T("🗂 My bookings"), id="mine", on_click=to_my_bookings),
        Button(T("🏠 Main menu"), id="home", on_click=go_home),
    )


# --- rescheduling -------------------------------------------------------------------------------


async def on_reschedule_start(start_data: Any, manager: DialogManager) -> None:
    """Same services and master as the visit; only the time changes. ``start_data`` comes from
    the visit screen, which has just loaded the visit (see ``reschedule_start_data``)."""
    manager.dialog_data.update(start_data or {})


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


async def reschedule_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    old_day = date.fromisoformat(data["old_day"]) if data.get("old_day") else None
    return {
        "old_day_text": texts.day(old_day) if old_day else "",
        "old_time": await _slot_text(dialog_manager, old_day, data.get("old_time", "")),
    }


async def on_reschedule_confirm(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    day, slot, ref = _chosen_day(manager), manager.dialog_data.get("time"), _ref(manager)
    if day is None or not slot or not ref:
        await manager.switch_to(RescheduleSG.day)
        return
    try:
        visit = await facade(manager).reschedule_visit(client_id(manager), ref, day, slot)
    except SlotAlreadyBookedError:
        await show_fresh_times(
            manager,
            reason=SLOT_TAKEN,
        )
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
        await show_fresh_times(
            manager,
            reason=SLOT_GONE,
        )
        return
    await _after_booking(manager, visit)


# --- windows --------------------------------------------------------------------------------------

SUMMARY_TEXT = (
    T("Please check your booking:"),
    Format("{services_text}"),
    T("Master: {master_name}"),
    T("Date: {day_text}"),
    T("Time: {time_text}"),
    T("Duration: {total_duration}"),
    T("Price: {total_price}"),
)


def day_screen(state: State, back: State | None, *intro: Any, getter: Any = None) -> Any:
    return screen(
        *intro,
        T("Choose a day. Days with a number have free times."),
        T("✕ fully booked · — closed · ★ holiday · · past or out of range"),
        AvailabilityCalendar(CALENDAR_ID, on_click=on_day),
        Button(T("⚡ Nearest free date"), id="near", on_click=on_nearest),
        nav_row(back),
        state=state,
        getter=[getter, calendar_getter] if getter else calendar_getter,
    )


def time_screen(state: State, back: State) -> Any:
    return screen(
        T("Free times on {day_text} (salon time):"),
        T(REPEATED_HOUR, when="repeated_hour"),
        T("No free times are left on this day. Please go back and choose another day.", when="no_slots"),
        Group(
            choice("slot", "slots", on_slot),
            width=4,
        ),
        nav_row(back),
        state=state,
        getter=slots_getter,
    )


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
        day_screen(BookingSG.day, BookingSG.master),
        time_screen(BookingSG.time, BookingSG.day),
        screen(
            *SUMMARY_TEXT,
            Button(T("✅ Confirm"), id="ok", on_click=on_confirm),
            nav_row(BookingSG.time),
            state=BookingSG.summary,
            getter=selection_getter,
        ),
        screen(
            T(
                "Almost done! Please share your phone number so the salon can reach you: "
                "press the button below, or type the number."
            ),
            RequestContact(T("📱 Share my phone number")),
            MessageInput(on_contact, content_types=["contact"]),
            MessageInput(on_phone_text, content_types=["text"]),
            Row(back_button(BookingSG.summary), cancel_button()),
            markup_factory=ReplyKeyboardFactory(resize_keyboard=True, one_time_keyboard=True),
            state=BookingSG.phone,
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
    )


def reschedule_dialog() -> Dialog:
    return Dialog(
        day_screen(
            RescheduleSG.day,
            None,
            T(
                "Rescheduling your visit on {old_day_text} at {old_time}. It stays booked until "
                "the new time is confirmed."
            ),
            getter=reschedule_getter,
        ),
        time_screen(RescheduleSG.time, RescheduleSG.day),
        screen(
            T("Move your visit from {old_day_text} at {old_time} to the new time?"),
            *SUMMARY_TEXT[1:],
            Button(T("✅ Confirm"), id="ok", on_click=on_reschedule_confirm),
            nav_row(RescheduleSG.time),
            state=RescheduleSG.summary,
            getter=[reschedule_getter, selection_getter],
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
    )
