"""Time off for masters: "/off" starts the request dialog (``bot/dialogs/time_off.py``); the
staff chat decides under the request's message; the master hears the outcome.

- The request's message (outbox kind ``off_request``, to the staff chat) says who asks, for
  which day or hours, why, and which booked visits fall into that time, read when it is sent.
  Its buttons (``OffDecision``): "Approve, keep the visits" / "Approve, cancel the visits and
  tell the clients" (only when visits are affected; plain "Approve" otherwise) and "Decline".
- Only a member of the staff chat, pressing there, decides, and not the master who asked (the
  salon core checks it, under the request's lock: a second tap is told it is decided).
- The outcome (kind ``off_decided``) goes to the master in the master's language.
"""

from __future__ import annotations

import logging
from datetime import time
from typing import TYPE_CHECKING, Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot import texts
from bot.dialogs.states import OffSG
from bot.facade import VISIT_REF_RE, BookingFacade, NotAllowedError, VisitNotFoundError
from bot.notifications import Rendered, Skip, _keyboard, language_of
from bot.texts import N_, _

if TYPE_CHECKING:
    from djproject.salon.off_requests import OffRequestInfo
    from djproject.salon.outbox import OutboxMessage

log = logging.getLogger(__name__)

OFF = Command("off")
# The salon core's values (Notification.KIND_*, OffRequest.STATUS_*), repeated so that the bot
# does not import models.
OFF_REQUEST, OFF_DECIDED = "off_request", "off_decided"
PENDING, APPROVED = "pending", "approved"

KEEP, CANCEL, DECLINE = "keep", "cx", "no"

MASTERS_ONLY = N_("This command is for the salon's masters.")
ONLY_STAFF_CHAT = N_("Only the salon's staff can decide this, in the staff chat.")
ALREADY_DECIDED = N_("This request has been decided already.")

REQUEST_HEADER = N_("🏖 {name} asks for time off:")
WHOLE_DAY = N_("the whole day")
DATE_LINE = N_("Date: {day_text}")
TIME_LINE = N_("Time: {span}")
REASON_LINE = N_("Reason: {reason}")
AFFECTED_HEADER = N_("Booked visits in that time: {count}")
NONE_AFFECTED = N_("No booked visits in that time.")
APPROVED_KEPT = N_("✅ Approved by {name}; the visits stay booked:")
APPROVED_CANCELLED = N_("✅ Approved by {name}; the visits were cancelled and the clients told:")
DECLINED_BY = N_("❌ Declined by {name}:")
TO_MASTER_APPROVED = N_("✅ Your time off has been approved:")
TO_MASTER_DECLINED = N_("❌ Your request for time off has been declined:")
TO_MASTER_CANCELLED = N_("Your visits in that time were cancelled and the clients told.")
TO_MASTER_KEPT = N_("Your visits in that time stay booked; the salon will take care of them.")


class OffDecision(CallbackData, prefix="od"):
    """A decision under a request: "od:cx:<32 hex>:de" (38 bytes). ``lang`` is the language
    the message was written in, so the edit after the decision keeps it."""

    action: str  # "keep" | "cx" | "no"
    ref: str
    lang: str


# --- texts -----------------------------------------------------------------------------------------


def span_text(start: time | None, end: time | None) -> str:
    if start is None or end is None:
        return _(WHOLE_DAY)
    return f"{start:%H:%M}–{end:%H:%M}"


def request_details(info: OffRequestInfo) -> str:
    """Date, time and reason of a request: the body of each message about it."""
    lines = [
        _(DATE_LINE).format(day_text=texts.day(info.day)),
        _(TIME_LINE).format(span=span_text(info.start, info.end)),
    ]
    if info.reason:
        lines.append(_(REASON_LINE).format(reason=info.reason))
    return "\n".join(lines)


def affected_lines(info: OffRequestInfo) -> list[str]:
    if not info.affected:
        return [_(NONE_AFFECTED)]
    lines = [_(AFFECTED_HEADER).format(count=len(info.affected))]
    for visit in info.affected:
        services = ", ".join(item.service_name for item in visit.items)
        client = " · ".join(part for part in (visit.client_name, visit.client_phone) if part) or "—"
        lines.append(f"• {texts.clock(visit.starts_at)}–{texts.clock(visit.ends_at)} {services} · {client}")
    return lines


def request_text(info: OffRequestInfo) -> str:
    lines = [_(REQUEST_HEADER).format(name=info.master_name), request_details(info), ""]
    return "\n".join(lines + affected_lines(info))


def decision_keyboard(info: OffRequestInfo, language: str) -> Any:
    def data(action: str) -> OffDecision:
        return OffDecision(action=action, ref=info.ref, lang=language)

    if not info.affected:
        return _keyboard([(_("✅ Approve"), data(KEEP))], [(_("❌ Decline"), data(DECLINE))])
    return _keyboard(
        [(_("✅ Approve, keep the visits"), data(KEEP))],
        [(_("✅ Approve, cancel the visits and tell the clients"), data(CANCEL))],
        [(_("❌ Decline"), data(DECLINE))],
    )


def decided_text(info: OffRequestInfo) -> str:
    """The staff message after the decision: the outcome, who decided, the request."""
    if info.status != APPROVED:
        header = _(DECLINED_BY)
    else:
        header = _(APPROVED_CANCELLED) if info.cancelled_visits else _(APPROVED_KEPT)
    lines = [header.format(name=info.decided_by or "—"), _(REQUEST_HEADER).format(name=info.master_name)]
    return "\n".join([*lines, request_details(info)])


def render_off(message: OutboxMessage, info: OffRequestInfo | None, i18n: I18n) -> Rendered | Skip:
    """A request to the staff chat (with the buttons) or the outcome to the master."""
    if info is None:
        return Skip("the time-off request no longer exists")
    language = language_of(message.language)
    with i18n.context(), i18n.use_locale(language):
        if message.kind == OFF_REQUEST:
            if info.status != PENDING:
                return Skip(f"the request was {info.status} before its message went out")
            return Rendered(request_text(info), decision_keyboard(info, language))
        if info.status == PENDING:
            return Skip("no decision to tell")
        if info.status != APPROVED:
            return Rendered("\n".join([_(TO_MASTER_DECLINED), request_details(info)]))
        lines = [_(TO_MASTER_APPROVED), request_details(info)]
        if info.cancelled_visits:
            lines.append(_(TO_MASTER_CANCELLED))
        elif info.affected_count:
            lines.append(_(TO_MASTER_KEPT))
        return Rendered("\n".join(lines))


# --- handlers --------------------------------------------------------------------------------------


async def on_off(message: Message, facade: BookingFacade, dialog_manager: DialogManager) -> None:
    """/off: the request dialog, for masters only."""
    if message.from_user is None:
        return
    try:
        days = await facade.off_request_days(message.from_user.id)
    except NotAllowedError:
        await message.answer(_(MASTERS_ONLY))
        return
    await dialog_manager.start(
        OffSG.day,
        data={"days": [day.isoformat() for day in days]},
        mode=StartMode.RESET_STACK,
        show_mode=ShowMode.SEND,
    )


async def on_off_decision(
    callback: CallbackQuery, callback_data: OffDecision, facade: BookingFacade, i18n: I18n
) -> None:
    message = callback.message
    if (
        message is None
        or not VISIT_REF_RE.match(callback_data.ref)
        or callback_data.action
        not in (
            KEEP,
            CANCEL,
            DECLINE,
        )
    ):
        log.warning("ignored time-off decision %r from user %s", callback.data, callback.from_user.id)
        await callback.answer()
        return
    try:
        info = await facade.decide_off(
            callback_data.ref,
            approve=callback_data.action != DECLINE,
            cancel_affected=callback_data.action == CANCEL,
            chat_id=message.chat.id,
            user_id=callback.from_user.id,
            name=callback.from_user.full_name,
        )
    except NotAllowedError:
        log.info("user %s may not decide time off %s", callback.from_user.id, callback_data.ref)
        await callback.answer(_(ONLY_STAFF_CHAT), show_alert=True)
        return
    except VisitNotFoundError:
        await callback.answer(_(ALREADY_DECIDED), show_alert=True)
        if isinstance(message, Message):
            await _quietly(message.edit_reply_markup(reply_markup=None))
        return
    await callback.answer(_("Approved.") if info.status == APPROVED else _("Declined."))
    if isinstance(message, Message):
        with i18n.use_locale(language_of(callback_data.lang)):
            text = decided_text(info)
        await _quietly(message.edit_text(text, reply_markup=None))


async def _quietly(request: Any) -> None:
    """An edit that may fail harmlessly (not modified, too old to edit): logged, not raised."""
    try:
        await request
    except TelegramBadRequest as error:
        log.info("could not edit the time-off message: %s", error.message)


def time_off_router() -> Router:
    """/off (private chats, masters) and the staff chat's decision buttons."""
    router = Router(name="time_off")
    router.callback_query.register(on_off_decision, OffDecision.filter())
    router.message.register(on_off, OFF, F.from_user, F.chat.type == "private")
    return router
