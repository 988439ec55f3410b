"""The buttons of a waitlist offer (``bot/notifications.py``: ``WaitlistSlot``).

A tapped time that is still free opens the booking summary with that visit filled in
(services, master, day, time) and an idempotency key made from the entry and the slot, so the
ordinary Confirm books it — the phone step, the locks and the one-visit-per-key rule all apply
— and the entry goes with the booking. A time another client took first is answered with
"it has just gone" and the message shows what is still free that day; the client stays on the
waitlist (W2 in ``djproject/salon/waitlist.py``).
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot.dialogs.states import BookingSG, MenuSG
from bot.facade import BookingFacade, WaitlistSlotGoneError
from bot.notifications import WAITLIST_GONE, WaitlistSlot, slot_label, waitlist_keyboard, waitlist_text
from bot.texts import N_, _

log = logging.getLogger(__name__)

SLOT_RE = re.compile(r"^([01]\d|2[0-3])([0-5]\d)(\+1)?$")
ENTRY_GONE = N_("This waitlist entry is no longer active.")
JUST_GONE = N_("Sorry, this time has just gone.")


def _day(value: int) -> date | None:
    try:
        return date(value // 10_000, value // 100 % 100, value % 100)
    except ValueError:
        return None


def _token(slot: str) -> str | None:
    match = SLOT_RE.match(slot)
    return f"{match[1]}:{match[2]}{match[3] or ''}" if match else None


def booking_start_data(choice: Any) -> dict[str, Any]:
    """The booking dialog's data for a time chosen from an offer, JSON-plain."""
    return {
        "service_ids": list(choice.service_ids),
        "master_id": choice.master_id,
        "day": choice.day.isoformat(),
        "time": choice.time,
        "idempotency_key": choice.idempotency_key,
        "waitlist_entry": choice.entry_id,
    }


async def on_offer_slot(
    callback: CallbackQuery, callback_data: WaitlistSlot, facade: BookingFacade, dialog_manager: DialogManager
) -> None:
    day, token = _day(callback_data.day), _token(callback_data.slot)
    if day is None or token is None:
        log.warning("ignored waitlist slot %r from user %s", callback.data, callback.from_user.id)
        await callback.answer()
        return
    try:
        choice = await facade.choose_waitlist_slot(callback.from_user.id, callback_data.entry, day, token)
    except WaitlistSlotGoneError as gone:
        await _tell_gone(callback, facade, day, token, gone.offer)
        return
    await callback.answer()
    # The main menu underneath, so Back and Cancel of the booking end there.
    await dialog_manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.NO_UPDATE)
    await dialog_manager.start(BookingSG.summary, data=booking_start_data(choice), show_mode=ShowMode.SEND)


async def _tell_gone(
    callback: CallbackQuery, facade: BookingFacade, day: date, token: str, offer: Any | None
) -> None:
    """The time went to someone else: say so, and show the day's times still free (if any)."""
    if offer is None:
        await callback.answer(_(ENTRY_GONE), show_alert=True)
        await _quietly(callback.message, None, None)
        return
    await callback.answer(_(JUST_GONE))
    tz = ZoneInfo((await facade.salon_info()).timezone)
    text = waitlist_text(offer, intro=WAITLIST_GONE, time_text=slot_label(day, token, tz))
    await _quietly(callback.message, text, waitlist_keyboard(offer, tz) if offer.slots else None)


async def _quietly(message: Any, text: str | None, markup: Any) -> None:
    """Edit the offer in place; an old or unchanged message is left as it is (logged)."""
    if not isinstance(message, Message):
        return
    try:
        if text is None:
            await message.edit_reply_markup(reply_markup=None)
        else:
            await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        log.info("could not edit the waitlist offer: %s", error.message)


def waitlist_router() -> Router:
    """The offers' buttons; included beside the other notifications' buttons, before the dialogs."""
    router = Router(name="waitlist")
    router.callback_query.register(on_offer_slot, WaitlistSlot.filter())
    return router
