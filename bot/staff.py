"""The buttons of the notifications, and /today for masters.

- Confirm / Decline under a pending booking (the staff chat, the visit's master): the salon core
  decides who may (``staff.may_act``: anyone in the staff chat, the master in their own chat);
  the message then shows the outcome and who decided, without buttons. A visit that is no
  longer pending (decided in the other chat or in the admin, cancelled) changes nothing.
- Cancel / Reschedule under a client's reminder open the client's own My bookings screens on
  that visit (the cancel question, or the reschedule flow), so every rule of those screens
  applies: the owner check, the cutoff, "Yes, cancel it".
- "Book another time" under a declined or cancelled visit opens the booking dialog.
- ``/today``: a master's visits today, salon time; ``/week``: the next seven days, grouped by
  day (services and the clients' first names; a day without visits says so), in private
  chats only. Neither is in the public commands menu.
- The staff chat's time-off buttons live in ``bot/time_off.py``; they pass the group gate here.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot import texts
from bot.dialogs.common import set_notice
from bot.dialogs.reschedule import start_reschedule
from bot.dialogs.states import BookingSG, MenuSG, MyBookingsSG
from bot.facade import VISIT_REF_RE, BookingFacade, NotAllowedError, VisitNotFoundError
from bot.notifications import (
    CANCEL_VISIT,
    CONFIRM,
    DECLINE,
    MOVE_VISIT,
    PENDING,
    BookAgain,
    StaffDecision,
    VisitAction,
    decision_text,
    language_of,
)
from bot.texts import N_, VISIT_GONE, _
from bot.time_off import OffDecision

log = logging.getLogger(__name__)


ONLY_STAFF = N_("Only the salon's staff can do this.")
NO_LONGER_PENDING = N_("This booking is no longer pending.")
MASTERS_ONLY = N_("This command is for the salon's masters.")

TODAY = Command("today")
WEEK = Command("week")


# --- Confirm / Decline ---------------------------------------------------------------------------


async def on_decision(
    callback: CallbackQuery, callback_data: StaffDecision, facade: BookingFacade, i18n: I18n
) -> None:
    message = callback.message
    if (
        message is None
        or not VISIT_REF_RE.match(callback_data.ref)
        or callback_data.action not in (CONFIRM, DECLINE)
    ):
        log.warning("ignored staff decision %r from user %s", callback.data, callback.from_user.id)
        await callback.answer()
        return
    confirm = callback_data.action == CONFIRM
    decide = facade.confirm_visit if confirm else facade.decline_visit
    try:
        visit = await decide(
            callback_data.ref,
            chat_id=message.chat.id,
            user_id=callback.from_user.id,
            language=language_of(callback_data.lang),
        )
    except NotAllowedError:
        log.info("user %s may not decide visit %s", callback.from_user.id, callback_data.ref)
        await callback.answer(_(ONLY_STAFF), show_alert=True)
        return
    except VisitNotFoundError:
        await callback.answer(_(NO_LONGER_PENDING), show_alert=True)
        if isinstance(message, Message):
            await _quietly(message.edit_reply_markup(reply_markup=None))
        return
    await callback.answer(_("Confirmed.") if confirm else _("Declined."))
    if isinstance(message, Message):  # an InaccessibleMessage (older than 48 h) cannot be edited
        # In the language the message was written in (the chat's), not the presser's.
        with i18n.use_locale(language_of(callback_data.lang)):
            text = decision_text(visit, confirmed=confirm, name=callback.from_user.full_name)
        await _quietly(message.edit_text(text, reply_markup=None))


async def _quietly(request: Any) -> None:
    """An edit that may fail harmlessly (not modified, too old to edit): logged, not raised."""
    try:
        await request
    except TelegramBadRequest as error:
        log.info("could not edit the staff message: %s", error.message)


# --- /today ----------------------------------------------------------------------------------------


async def on_today(message: Message, facade: BookingFacade) -> None:
    if message.from_user is None:
        return
    try:
        name, visits = await facade.master_day(message.from_user.id)
    except NotAllowedError:
        await message.answer(_(MASTERS_ONLY))
        return
    salon = await facade.salon_info()
    await message.answer(day_text(name, visits, datetime.now(ZoneInfo(salon.timezone)).date()))


def day_text(name: str, visits: list[Any], day: date) -> str:
    """A master's day: one block per visit (time, services, client and phone)."""
    day_text_ = texts.day(day)
    if not visits:
        return _("{name}, you have no appointments today ({day_text}).").format(name=name, day_text=day_text_)
    lines = [_("{name}, your appointments today ({day_text}):").format(name=name, day_text=day_text_)]
    for visit in visits:
        lines.append("")
        for item in visit.items:
            lines.append(f"{texts.clock(item.starts_at)}–{texts.clock(item.ends_at)} {item.service_name}")
        client = " · ".join(part for part in (visit.client_name, visit.client_phone) if part)
        lines.append(_("Client: {name}").format(name=client or "—"))
        if visit.status == PENDING:
            lines.append(_("⏳ Waiting for confirmation"))
    return "\n".join(lines)


# --- /week -----------------------------------------------------------------------------------------


async def on_week(message: Message, facade: BookingFacade) -> None:
    if message.from_user is None:
        return
    try:
        name, days = await facade.master_week(message.from_user.id)
    except NotAllowedError:
        await message.answer(_(MASTERS_ONLY))
        return
    await message.answer(week_text(name, days))


def week_text(name: str, days: list[tuple[date, list[Any]]]) -> str:
    """The master's next days: a heading per day, then one line per visit (time, services,
    the client's first name), or that the day is free."""
    lines = [_("{name}, your appointments in the next {count} days:").format(name=name, count=len(days))]
    for day, visits in days:
        lines += ["", f"📅 {texts.day(day)}"]
        if not visits:
            lines.append(_("No appointments."))
        for visit in visits:
            services = ", ".join(item.service_name for item in visit.items)
            first_name = (visit.client_name or "").split(" ")[0] or "—"
            pending = " ⏳" if visit.status == PENDING else ""
            when = f"{texts.clock(visit.starts_at)}–{texts.clock(visit.ends_at)}"
            lines.append(f"{when} {services} · {first_name}{pending}")
    return "\n".join(lines)


# --- the client's buttons --------------------------------------------------------------------------


async def _menu_underneath(manager: DialogManager) -> None:
    """The main menu at the bottom of a fresh stack: Back and Cancel of what opens next end there."""
    await manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.NO_UPDATE)


async def on_visit_action(
    callback: CallbackQuery, callback_data: VisitAction, facade: BookingFacade, dialog_manager: DialogManager
) -> None:
    ref = callback_data.ref
    if not VISIT_REF_RE.match(ref) or callback_data.action not in (CANCEL_VISIT, MOVE_VISIT):
        log.warning("ignored visit action %r from user %s", callback.data, callback.from_user.id)
        await callback.answer()
        return
    try:
        visit = await facade.get_visit(callback.from_user.id, ref)  # only the client's own visit
    except VisitNotFoundError:
        visit = None
    await _menu_underneath(dialog_manager)
    if visit is None:
        set_notice(dialog_manager, VISIT_GONE)
        dialog_manager.show_mode = ShowMode.SEND  # start() kept NO_UPDATE for the manager
        await dialog_manager.show()
        return
    data = {"ref": ref}
    if not visit.can_change:
        await dialog_manager.start(MyBookingsSG.too_late, data=data, show_mode=ShowMode.SEND)
    elif callback_data.action == CANCEL_VISIT:
        await dialog_manager.start(MyBookingsSG.confirm_cancel, data=data, show_mode=ShowMode.SEND)
    else:
        # The visit screen underneath, as when the client starts from My bookings: Back from
        # the reschedule returns to it.
        await dialog_manager.start(MyBookingsSG.visit, data=data, show_mode=ShowMode.NO_UPDATE)
        await start_reschedule(dialog_manager, visit, show_mode=ShowMode.SEND)


async def on_book_again(callback: CallbackQuery, dialog_manager: DialogManager) -> None:
    await _menu_underneath(dialog_manager)
    await dialog_manager.start(BookingSG.category, show_mode=ShowMode.SEND)


async def works_in_groups(event: Message | CallbackQuery, bot: Bot) -> bool:
    """The staff events that also come from groups (the staff chat): Confirm / Decline, the
    time-off decisions, and /today. Everything else of the bot (/week and /off included) runs
    only in private chats."""
    if isinstance(event, CallbackQuery):
        return bool(await StaffDecision.filter()(event)) or bool(await OffDecision.filter()(event))
    return bool(await TODAY(event, bot))


def staff_router() -> Router:
    """The notifications' buttons and /today; included before the dialogs."""
    router = Router(name="staff")
    router.callback_query.register(on_decision, StaffDecision.filter())
    router.callback_query.register(on_visit_action, VisitAction.filter())
    router.callback_query.register(on_book_again, BookAgain.filter())
    router.message.register(on_today, TODAY, F.from_user)
    router.message.register(on_week, WEEK, F.from_user, F.chat.type == "private")
    return router
