"""What an outbox row says: the text and buttons of each notification, in its recipient's language.

``render`` turns one claimed row (``djproject.salon.outbox.OutboxMessage``) and the visit it is
about (``services.describe_visit``, any status) into a message, or into a ``Skip`` when it must
not be sent at all (a reminder of a visit that was cancelled or moved, a visit that is gone).

Who hears what (the rows are written by the salon core; the text depends on kind, audience and
who made the change, ``payload["by"]``):

- the salon side (the staff chat, the visit's masters): new, cancelled and moved bookings, with
  the services, masters, date, time, the client's name and phone; a *pending* new booking carries
  Confirm / Decline (``StaffDecision``);
- the client: confirmed, declined (with "Book another time"), cancelled (after a schedule
  change with "Choose another time", ``payload["rebook"]``) or moved by the salon,
  and reminders, which carry Cancel / Reschedule (``VisitAction``) while the visit can still be
  changed online, else the salon's phone.

Times are the salon's local time. The event's own time comes from the payload (a row about a
booking that was moved again later still says what happened then); the services and names come
from the visit as it is now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from booking.localtime import parse_slot
from bot import texts
from bot.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from bot.texts import N_, _

if TYPE_CHECKING:
    from djproject.salon.outbox import OutboxMessage
    from djproject.salon.services import SalonInfo, Visit
    from djproject.salon.waitlist import WaitlistOffer

# The salon core's values (Notification.KIND_* / AUDIENCE_*, Appointment.STATUS_*), repeated
# here so that the bot does not import models.
BOOKED, CANCELLED, RESCHEDULED = "booked", "cancelled", "rescheduled"
CONFIRMED, DECLINED, REMINDER = "confirmed", "declined", "reminder"
WAITLIST = "waitlist"
CLIENT = "client"
PENDING = "pending"
ACTIVE_STATUSES = frozenset({"pending", "confirmed", "reschedule_proposed"})


# --- buttons -------------------------------------------------------------------------------------


class StaffDecision(CallbackData, prefix="sd"):
    """Confirm / Decline under a pending booking: "sd:ok:<32 hex>:de" (41 bytes). ``lang`` is
    the language the message was written in, so the edit after the decision keeps it."""

    action: str  # "ok" | "no"
    ref: str
    lang: str


class VisitAction(CallbackData, prefix="va"):
    """Cancel / Reschedule under a client's reminder: "va:cx:<32 hex>"."""

    action: str  # "cx" (cancel) | "mv" (reschedule)
    ref: str


class BookAgain(CallbackData, prefix="ba"):
    """ "Book another time" under a declined or cancelled visit: opens the booking dialog."""


class Rebook(CallbackData, prefix="rb"):
    """ "Choose another time" under a visit the salon cancelled for a schedule change:
    "rb:<32 hex>" opens the booking with the visit's services chosen (``bot/rebook.py``)."""

    ref: str


class WaitlistSlot(CallbackData, prefix="wl"):
    """A free time under a waitlist offer: "wl:17:20261202:1030" (the entry's id, the day as
    YYYYMMDD, the slot token without its ":"; "0230+1" for the second 02:30 of the night the
    clocks go back). The entry is looked up among the tapping client's own."""

    entry: int
    day: int
    slot: str


CONFIRM, DECLINE = "ok", "no"
CANCEL_VISIT, MOVE_VISIT = "cx", "mv"


def _keyboard(*rows: Iterable[tuple[str, CallbackData]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data.pack()) for text, data in row] for row in rows
        ]
    )


def decision_keyboard(ref: str, language: str) -> InlineKeyboardMarkup:
    return _keyboard(
        [
            (_("✅ Confirm"), StaffDecision(action=CONFIRM, ref=ref, lang=language)),
            (_("❌ Decline"), StaffDecision(action=DECLINE, ref=ref, lang=language)),
        ]
    )


def reminder_keyboard(ref: str) -> InlineKeyboardMarkup:
    return _keyboard(
        [
            (_("❌ Cancel visit"), VisitAction(action=CANCEL_VISIT, ref=ref)),
            (_("🔁 Reschedule"), VisitAction(action=MOVE_VISIT, ref=ref)),
        ]
    )


def slot_label(day: date, token: str, tz: ZoneInfo) -> str:
    """A slot token as the client reads it ("02:30 (2nd)" on the night the clocks go back)."""
    try:
        return texts.clock(parse_slot(day, token, tz))
    except ValueError:
        return token


def waitlist_keyboard(offer: WaitlistOffer, tz: ZoneInfo) -> InlineKeyboardMarkup:
    """The offer's free times, four to a row, as the times screen shows them."""
    day = int(offer.day.strftime("%Y%m%d"))
    buttons = [
        (
            slot_label(offer.day, token, tz),
            WaitlistSlot(entry=offer.entry_id, day=day, slot=token.replace(":", "")),
        )
        for token in offer.slots
    ]
    return _keyboard(*(buttons[i : i + 4] for i in range(0, len(buttons), 4)))


def book_again_keyboard() -> InlineKeyboardMarkup:
    return _keyboard([(_("📅 Book another time"), BookAgain())])


def rebook_keyboard(ref: str) -> InlineKeyboardMarkup:
    return _keyboard([(_("🔁 Choose another time"), Rebook(ref=ref))])


# --- texts ---------------------------------------------------------------------------------------

NEW_PENDING = N_("🆕 New booking — please confirm or decline:")
NEW_BY_SALON = N_("🆕 New booking, entered by the salon:")
NEW = N_("🆕 New booking:")
CANCELLED_BY_CLIENT = N_("❌ Cancelled by the client:")
CANCELLED_BY_SALON = N_("❌ Cancelled by the salon:")
MOVED_BY_CLIENT = N_("🔁 Moved by the client:")
MOVED_BY_SALON = N_("🔁 Moved by the salon:")
WAS = N_("Was: {day_text} at {time_text}")
CANCELLED_SINCE = N_("ℹ️ This visit has been cancelled since.")
CONFIRMED_BY = N_("✅ Confirmed by {name}:")
DECLINED_BY = N_("❌ Declined by {name}:")


WAITLIST_OFFER = N_("🔔 A time has freed up on {day_text}!")
WAITLIST_WHAT = N_("For: {services} · {master_name}")
WAITLIST_TAP = N_("Tap a time to book it. The first client to confirm gets it.")
WAITLIST_GONE = N_("Sorry, {time_text} on {day_text} has just gone. You stay on the waitlist.")
WAITLIST_NOTHING_LEFT = N_("No other time is free on that day now. We will message you if one frees up.")


@dataclass(frozen=True)
class Rendered:
    text: str
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Skip:
    """Do not send this row (it is marked dropped with the reason)."""

    reason: str


def language_of(code: str) -> str:
    return code if code in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def render(message: OutboxMessage, visit: Visit | None, salon: SalonInfo, i18n: I18n) -> Rendered | Skip:
    """The message for one outbox row, in the row's language; ``Skip`` when it no longer applies."""
    if visit is None:
        return Skip("the visit no longer exists")
    active = visit.status in ACTIVE_STATUSES
    if message.kind == REMINDER:
        if not active:
            return Skip(f"reminder of a visit that is {visit.status}")
        if visit.starts_at != _moment(message.payload.get("starts_at"), salon):
            return Skip("reminder of a visit that was moved")
    if message.kind == CONFIRMED and not active:
        return Skip(f"confirmation of a visit that is {visit.status}")
    language = language_of(message.language)
    with i18n.context(), i18n.use_locale(language):
        if message.audience == CLIENT:
            return _for_client(message, visit, salon)
        return _for_salon(message, visit, salon, language)


def render_waitlist_offer(
    message: OutboxMessage, offer: WaitlistOffer | None, salon: SalonInfo, i18n: I18n
) -> Rendered | Skip:
    """A waitlist offer with the times free *now* (``waitlist.offer``, read when sending): an
    entry gone (booked, removed, expired) or a day full again sends nothing."""
    if offer is None:
        return Skip("the waitlist entry is gone or its day has passed")
    if not offer.slots:
        return Skip("the freed time was taken before the offer went out")
    with i18n.context(), i18n.use_locale(language_of(message.language)):
        return Rendered(waitlist_text(offer), waitlist_keyboard(offer, ZoneInfo(salon.timezone)))


def waitlist_text(offer: WaitlistOffer, *, intro: str = WAITLIST_OFFER, **params: Any) -> str:
    """The offer's lines: what happened (``intro``), for which services and master, what to do."""
    day_text = texts.day(offer.day)
    what = _(WAITLIST_WHAT).format(
        services=", ".join(offer.service_names), master_name=offer.master_name or _("Any master")
    )
    lines = [_(intro).format(day_text=day_text, **params), what]
    lines.append(_(WAITLIST_TAP) if offer.slots else _(WAITLIST_NOTHING_LEFT))
    return "\n".join(lines)


def _for_salon(message: OutboxMessage, visit: Visit, salon: SalonInfo, language: str) -> Rendered | Skip:
    by = message.payload.get("by")
    when = _moment(message.payload.get("starts_at"), salon) or visit.starts_at
    markup = None
    lines: list[str] = []
    if message.kind == BOOKED:
        if visit.status == PENDING:
            lines.append(_(NEW_PENDING))
            markup = decision_keyboard(visit.ref, language)
        else:
            lines.append(_(NEW_BY_SALON) if by == "salon" else _(NEW))
    elif message.kind == CANCELLED:
        lines.append(_(CANCELLED_BY_SALON) if by == "salon" else _(CANCELLED_BY_CLIENT))
    elif message.kind == RESCHEDULED:
        lines.append(_(MOVED_BY_SALON) if by == "salon" else _(MOVED_BY_CLIENT))
        if old := _moment(message.payload.get("old_starts_at"), salon):
            lines.append(_(WAS).format(day_text=texts.day(old.date()), time_text=texts.clock(old)))
    else:
        return Skip(f"nothing to tell the salon about {message.kind!r}")
    lines.append(salon_details(visit, when))
    if message.kind in (BOOKED, RESCHEDULED) and visit.status not in ACTIVE_STATUSES:
        lines.append(_(CANCELLED_SINCE))
    return Rendered("\n".join(lines), markup)


def salon_details(visit: Visit, when: datetime | None = None) -> str:
    """Services and masters, date, time, client: the body of every salon-side message."""
    when = when or visit.starts_at
    lines = [f"• {item.service_name} · {item.master_name}" for item in visit.items]
    lines.append(_("Date: {day_text}").format(day_text=texts.day(when.date())))
    lines.append(_("Time: {time_text}").format(time_text=texts.clock(when)))
    lines.append(_("Client: {name}").format(name=visit.client_name or "—"))
    lines.append(_("Phone: {phone}").format(phone=visit.client_phone or "—"))
    return "\n".join(lines)


def decision_text(visit: Visit, *, confirmed: bool, name: str) -> str:
    """The salon-side message after Confirm / Decline: the outcome, who decided, the visit."""
    header = _(CONFIRMED_BY) if confirmed else _(DECLINED_BY)
    return "\n".join([header.format(name=name), salon_details(visit)])


def _for_client(message: OutboxMessage, visit: Visit, salon: SalonInfo) -> Rendered | Skip:
    by = message.payload.get("by")
    when = _moment(message.payload.get("starts_at"), salon) or visit.starts_at
    at = {"day_text": texts.day(when.date()), "time_text": texts.clock(when)}
    if message.kind == REMINDER:
        lines = [_("⏰ A reminder of your visit to {salon_name}:").format(salon_name=salon.name)]
        lines.append(client_details(visit))
        if salon.address:
            lines.append(_("Address: {address}").format(address=salon.address))
        if visit.can_change:
            return Rendered("\n".join(lines), reminder_keyboard(visit.ref))
        lines.append(_call_the_salon(salon))
        return Rendered("\n".join(lines))
    if message.kind == CONFIRMED:
        lines = [_("✅ The salon has confirmed your visit:"), client_details(visit)]
        lines.append(_("We look forward to seeing you."))
        return Rendered("\n".join(lines))
    if message.kind == DECLINED:
        text = _(
            "😔 Sorry, the salon cannot take your booking on {day_text} at {time_text}. "
            "The time is free again; please choose another one."
        ).format_map(at)
        return Rendered(text, book_again_keyboard())
    if message.kind == CANCELLED:
        if by == "salon":
            text = _(
                "❌ Sorry, the salon has had to cancel your visit on {day_text} at {time_text}."
            ).format_map(at)
            text += "\n" + _("Questions? Please call {salon_name}: {phone}.").format(
                salon_name=salon.name, phone=salon.phone or "—"
            )
            if message.payload.get("rebook"):
                # A schedule change (``djproject.salon.schedule_changes``): the same services,
                # another time or master, in one tap.
                text += "\n" + _("We are sorry for the trouble: choose another time for the same services.")
                return Rendered(text, rebook_keyboard(visit.ref))
        else:
            text = _("❌ Your visit on {day_text} at {time_text} has been cancelled.").format_map(at)
        return Rendered(text, book_again_keyboard())
    if message.kind == RESCHEDULED:
        lines = [_("🔁 Your visit has been moved.")]
        if old := _moment(message.payload.get("old_starts_at"), salon):
            lines.append(_(WAS).format(day_text=texts.day(old.date()), time_text=texts.clock(old)))
        lines.append(_("Now: {day_text} at {time_text}").format_map(at))
        lines.append(client_details(visit, with_time=False))
        if visit.status in ACTIVE_STATUSES and not visit.can_change:
            lines.append(_call_the_salon(salon))
        return Rendered("\n".join(lines))
    if message.kind == BOOKED:
        return Rendered("\n".join([_("✅ You are booked!"), client_details(visit)]))
    return Skip(f"nothing to tell the client about {message.kind!r}")


def client_details(visit: Visit, *, with_time: bool = True) -> str:
    lines = [f"• {item.service_name} · {item.master_name}" for item in visit.items]
    if with_time:
        lines.append(_("Date: {day_text}").format(day_text=texts.day(visit.starts_at.date())))
        lines.append(_("Time: {time_text}").format(time_text=texts.clock(visit.starts_at)))
    return "\n".join(lines)


def _call_the_salon(salon: SalonInfo) -> str:
    return _("To change it, please call {salon_name}: {phone}.").format(
        salon_name=salon.name, phone=salon.phone or "—"
    )


def _moment(value: Any, salon: SalonInfo) -> datetime | None:
    """An ISO timestamp of the payload in the salon's time zone (None if absent or malformed)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(ZoneInfo(salon.timezone))
