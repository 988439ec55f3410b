"""Staff operations on visits: confirm, decline, cancel, complete, no-show; a master's day.

Used by the admin (actions and the appointment form) and by the bot's staff side (Confirm /
Decline buttons, ``/today``). Each status change and its outbox messages commit together.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction

from booking.errors import AppointmentNotActiveError
from booking.services import cancel_booking, lock_visit
from djproject.salon import outbox
from djproject.salon.booking import cache_adapter, get_adapter
from djproject.salon.language import speaks_language
from djproject.salon.models import Appointment, Master, Notification
from djproject.salon.roles import WHOLE_VISIT_PERMISSION
from djproject.salon.services import Visit, VisitNotFoundError, visits_of

N = Notification


class NotAllowedError(PermissionError):
    """This Telegram user may not act on that visit."""


class NotPendingError(VisitNotFoundError):
    """The visit was confirmed or declined already (another tap, the other chat, the admin)."""


def acting_master(user: Any) -> Master | None:
    """The master whose own items alone this admin login may act on; None for a login that
    changes whole visits (a superuser, the salon staff role) or is no master at all."""
    if user.is_superuser or user.has_perm(WHOLE_VISIT_PERMISSION):
        return None
    return Master.objects.filter(user=user).first()


def may_change_whole_visits(user: Any) -> bool:
    return user.is_superuser or user.has_perm(WHOLE_VISIT_PERMISSION)


def _rows(
    ref: str | uuid.UUID, *, active_only: bool = True, master_id: int | None = None
) -> list[Appointment]:
    """The visit's appointments (only ``master_id``'s items when given), locked in the one
    lock order (masters, then the rows)."""
    try:
        key = ref if isinstance(ref, uuid.UUID) else uuid.UUID(hex=str(ref))
    except ValueError as error:
        raise VisitNotFoundError(ref) from error
    rows = Appointment.objects.filter(booking_ref=key)
    if master_id is not None:
        rows = rows.filter(master_id=master_id)
    if active_only:
        rows = rows.filter(status__in=Appointment.ACTIVE_STATUSES)
    found = list(rows.order_by("datetime_start", "pk"))
    if not found:
        raise VisitNotFoundError(str(ref))
    try:
        return lock_visit(get_adapter(), found, active_only=active_only)
    except AppointmentNotActiveError as error:
        raise VisitNotFoundError(str(ref)) from error


def may_act(rows: Sequence[Appointment], *, chat_id: int | None, user_id: int | None) -> bool:
    """The staff chat may act on any visit; a master in their own chat on their own visits."""
    staff_chat_id, _ = outbox.staff_chat()
    if staff_chat_id and chat_id == staff_chat_id:
        return True
    if user_id is None:
        return False
    return Master.objects.filter(pk__in={r.master_id for r in rows}, telegram_id=user_id).exists()


def _authorise(rows: Sequence[Appointment], actor: tuple[int | None, int | None] | None) -> None:
    if actor is not None and not may_act(rows, chat_id=actor[0], user_id=actor[1]):
        raise NotAllowedError("Only the staff chat or the visit's master may do that.")


def _require_pending(rows: Sequence[Appointment], pending_only: bool) -> None:
    """A Confirm / Decline button decides a pending visit only: checked under the row locks,
    so two taps in two chats cannot both decide (one confirms, the other is told)."""
    if pending_only and rows[0].status != Appointment.STATUS_PENDING:
        raise NotPendingError(rows[0].booking_ref.hex)


@speaks_language
def confirm_visit(
    ref: str | uuid.UUID,
    *,
    actor: tuple[int | None, int | None] | None = None,
    pending_only: bool = False,
    master_id: int | None = None,
) -> Visit:
    """Pending → confirmed, and the client hears it. ``actor`` = (chat id, user id) from
    Telegram; None means the admin (already authorised by Django). ``pending_only`` (the
    bot's buttons) raises ``NotPendingError`` for a visit that is no longer pending.
    ``master_id``: a master's admin login confirms their own items only; the client hears
    of it once no item of the visit is pending any more."""
    with transaction.atomic():
        rows = _rows(ref, master_id=master_id)
        _authorise(rows, actor)
        _require_pending(rows, pending_only)
        pending = [row for row in rows if row.status != Appointment.STATUS_CONFIRMED]
        for row in pending:
            row.status = Appointment.STATUS_CONFIRMED
            row.save()
        if pending and not _others_pending(rows):
            outbox.enqueue_visit_event(rows, N.KIND_CONFIRMED, [N.AUDIENCE_CLIENT])
    return visits_of(rows)[0]


def _others_pending(rows: Sequence[Appointment]) -> bool:
    """Whether items of the visit outside ``rows`` (another master's) still wait."""
    return (
        Appointment.objects.filter(booking_ref=rows[0].booking_ref, status=Appointment.STATUS_PENDING)
        .exclude(pk__in=[row.pk for row in rows])
        .exists()
    )


@speaks_language
def decline_visit(
    ref: str | uuid.UUID,
    *,
    actor: tuple[int | None, int | None] | None = None,
    pending_only: bool = False,
) -> Visit:
    """A pending visit the salon cannot take: cancelled, the time freed, the client told.
    ``pending_only`` as in ``confirm_visit`` (a confirmed visit is not declined by a late tap)."""
    with transaction.atomic():
        rows = _rows(ref)
        _authorise(rows, actor)
        _require_pending(rows, pending_only)
        rows = cancel_booking(get_adapter(), cache_adapter, rows, by_staff=True)
        outbox.drop_pending(rows[0].booking_ref, reason="declined")
        outbox.enqueue_visit_event(rows, N.KIND_DECLINED, [N.AUDIENCE_CLIENT])
        # The visit's masters learn their time is free again, unless they declined it themselves.
        outbox.enqueue_visit_event(
            rows, N.KIND_CANCELLED, [N.AUDIENCE_MASTER], extra={"by": "salon"}, skip_chats=actor or ()
        )
    return visits_of(rows)[0]


def cancel_visit_by_staff(ref: str | uuid.UUID, *, master_id: int | None = None) -> Visit:
    """The salon cancels (any time): client and masters are told, reminders dropped.
    ``master_id``: a master's admin login cancels their own items only; the rest of the visit
    stands, and its reminders are scheduled anew from what remains."""
    with transaction.atomic():
        rows = cancel_booking(get_adapter(), cache_adapter, _rows(ref, master_id=master_id), by_staff=True)
        _reminders_for_the_rest(rows, reason="cancelled by the salon")
        outbox.enqueue_visit_event(
            rows, N.KIND_CANCELLED, [N.AUDIENCE_CLIENT, N.AUDIENCE_MASTER], extra={"by": "salon"}
        )
    return visits_of(rows)[0]


def _reminders_for_the_rest(rows: Sequence[Appointment], *, reason: str) -> None:
    """Drop the visit's pending reminders; if items of other masters are still active, remind
    the client of those."""
    ref = rows[0].booking_ref
    outbox.drop_pending(ref, reason=reason)
    rest = list(
        Appointment.objects.filter(booking_ref=ref, status__in=Appointment.ACTIVE_STATUSES)
        .exclude(pk__in=[row.pk for row in rows])
        .order_by("datetime_start")
    )
    if rest:
        outbox.schedule_reminders(rest)


def close_visit(ref: str | uuid.UUID, status: str, *, master_id: int | None = None) -> Visit:
    """Completed or no-show: the visit leaves the active ones; pending reminders go.
    ``master_id``: a master's admin login closes their own items only."""
    if status not in (Appointment.STATUS_COMPLETED, Appointment.STATUS_NO_SHOW):
        raise ValueError(f"Not a closing status: {status}")
    with transaction.atomic():
        rows = _rows(ref, active_only=False, master_id=master_id)
        for row in rows:
            row.status = status
            row.save()
        _reminders_for_the_rest(rows, reason=status)
    return visits_of(rows)[0]


def appointment_saved_by_staff(
    appointment: Appointment,
    *,
    created: bool,
    old_start: datetime | None = None,
    old_status: str | None = None,
    items: Sequence[Appointment] | None = None,
) -> None:
    """Messages for an appointment created or changed in the admin (called in its transaction).

    ``items``: every appointment of the visit when the form saved several (booking by phone).

    Created: the master hears of it and the client gets reminders. Moved: client and master
    hear the new time, reminders follow. Confirmed or cancelled in the form: as the actions.
    """
    rows = list(items or [appointment])
    ref = appointment.booking_ref
    if not appointment.is_active:
        outbox.drop_pending(ref, reason=appointment.status)
        if (
            not created
            and old_status in Appointment.ACTIVE_STATUSES
            and appointment.status == Appointment.STATUS_CANCELLED
        ):
            outbox.enqueue_visit_event(
                rows, N.KIND_CANCELLED, [N.AUDIENCE_CLIENT, N.AUDIENCE_MASTER], extra={"by": "salon"}
            )
        return
    if created:
        outbox.enqueue_visit_event(rows, N.KIND_BOOKED, [N.AUDIENCE_MASTER], extra={"by": "salon"})
        outbox.schedule_reminders(rows)
        return
    if old_status == Appointment.STATUS_PENDING and appointment.status == Appointment.STATUS_CONFIRMED:
        outbox.enqueue_visit_event(rows, N.KIND_CONFIRMED, [N.AUDIENCE_CLIENT])
    if old_start is not None and old_start != appointment.datetime_start:
        outbox.drop_pending(ref, reason="moved by the salon")
        outbox.enqueue_visit_event(
            rows,
            N.KIND_RESCHEDULED,
            [N.AUDIENCE_CLIENT, N.AUDIENCE_MASTER],
            extra={"by": "salon", "old_starts_at": old_start.isoformat()},
        )
        outbox.schedule_reminders(rows)


def master_by_telegram_id(telegram_id: int) -> Master:
    """The master behind a Telegram user; ``NotAllowedError`` for anyone else."""
    master = Master.objects.filter(telegram_id=telegram_id).first()
    if master is None:
        raise NotAllowedError("Not a master of this salon.")
    return master


def _master_visits(master: Master, first: date, days: int) -> list[Visit]:
    """The master's own items of active visits starting on ``days`` salon days from ``first``."""
    adapter = get_adapter()
    start = datetime.combine(first, datetime.min.time(), tzinfo=adapter.salon_tz)
    end = datetime.combine(first + timedelta(days=days), datetime.min.time(), tzinfo=adapter.salon_tz)
    rows = Appointment.objects.filter(
        master=master,
        status__in=Appointment.ACTIVE_STATUSES,
        datetime_start__gte=start,
        datetime_start__lt=end,
    ).select_related("client")
    return visits_of(rows, adapter, one_master=master.pk)


@speaks_language
def master_day(telegram_id: int, *, day: date | None = None) -> tuple[str, list[Visit]]:
    """The master's name and active visits on a day (default today, salon time), for ``/today``.

    Raises ``NotAllowedError`` when the Telegram user is not a master.
    """
    master = master_by_telegram_id(telegram_id)
    return master.name, _master_visits(master, day or get_adapter().today(), 1)


WEEK_DAYS = 7


@speaks_language
def master_week(telegram_id: int) -> tuple[str, list[tuple[date, list[Visit]]]]:
    """The master's name and the next seven salon days (today first), each with its visits,
    for ``/week``; a day without visits is listed empty. ``NotAllowedError`` for non-masters."""
    master = master_by_telegram_id(telegram_id)
    today = get_adapter().today()
    visits = _master_visits(master, today, WEEK_DAYS)
    days = [today + timedelta(days=n) for n in range(WEEK_DAYS)]
    return master.name, [(day, [v for v in visits if v.starts_at.date() == day]) for day in days]
