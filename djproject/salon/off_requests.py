"""Time off asked for in Telegram: a master requests, the staff chat decides.

- ``request_off``: a master (known by their Telegram id) asks for a whole day or a block of a
  day within the next ``DAYS_AHEAD`` days, with an optional reason. The request is stored
  (``OffRequest``) and one message to the staff chat goes through the outbox in the same
  transaction; it lists the visits the change would hit and carries the decision buttons.
- ``decide``: Approve (keeping the visits or cancelling them and telling the clients) or
  Decline, by a member of the staff chat (not the master who asked). Under the request's
  lock, so a second tap (the same or another member) changes nothing. Approval writes the
  schedule change (a ``DayOff`` for a whole day) and the master hears the outcome in their
  own language.
- ``describe``: what the sender needs to render either message, read when it is sent.

Lock order: the request, then the master (as a booking does), then each visit's rows; a
booking racing the approval either committed first (then it is among the affected visits) or
waits for the master's lock and meets the day off.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from djproject.salon import outbox
from djproject.salon.booking import get_adapter
from djproject.salon.models import Appointment, DayOff, Master, Notification, OffRequest
from djproject.salon.services import Visit, VisitNotFoundError, visits_of
from djproject.salon.staff import (
    NotAllowedError,
    NotPendingError,
    cancel_visit_by_staff,
    master_by_telegram_id,
)

N = Notification

# How far ahead a master may ask (today included), and the hours the buttons offer.
DAYS_AHEAD = 30
FIRST_HOUR, LAST_HOUR = 7, 22
MAX_REASON = 200


class OffRequestError(ValueError):
    """The request names a day or hours that cannot be asked for."""


@dataclass(frozen=True)
class OffRequestInfo:
    """A request as the staff chat and the master read it (times are the salon's)."""

    ref: str
    master_name: str
    day: date
    start: time | None  # None: the whole day
    end: time | None
    reason: str
    status: str  # OffRequest.STATUS_*
    cancelled_visits: bool
    decided_by: str
    affected: tuple[Visit, ...]  # active visits inside the asked time (pending requests only)


def request_days(telegram_id: int) -> list[date]:
    """The days a master may ask for; ``NotAllowedError`` for anyone who is not a master."""
    master_by_telegram_id(telegram_id)
    today = get_adapter().today()
    return [today + timedelta(days=n) for n in range(DAYS_AHEAD)]


def request_off(
    telegram_id: int, day: date, start: time | None = None, end: time | None = None, reason: str = ""
) -> OffRequestInfo:
    """Store the request and queue its message to the staff chat (``OffRequestError`` for a day
    outside the window or hours out of order; ``NotAllowedError`` for a non-master)."""
    master = master_by_telegram_id(telegram_id)
    if day not in request_days(telegram_id):
        raise OffRequestError(f"{day} is not within the next {DAYS_AHEAD} days")
    if (start is None) != (end is None) or (start is not None and end is not None and end <= start):
        raise OffRequestError("a time block needs a start before its end")
    with transaction.atomic():
        request = OffRequest.objects.create(
            master=master, date=day, start_time=start, end_time=end, reason=reason.strip()[:MAX_REASON]
        )
        chat_id, language = outbox.staff_chat()
        if chat_id:
            _enqueue(request, N.KIND_OFF_REQUEST, N.AUDIENCE_STAFF, chat_id, language)
    return describe(request.ref.hex)  # type: ignore[return-value]


def _enqueue(request: OffRequest, kind: str, audience: str, chat_id: int, language: str) -> None:
    Notification.objects.create(
        kind=kind,
        audience=audience,
        chat_id=chat_id,
        language=language,
        booking_ref=request.ref,
        payload={"date": request.date.isoformat()},
        due_at=timezone.now(),
    )


def _window(request: OffRequest, tz: Any) -> tuple[datetime, datetime]:
    """The asked time as aware datetimes: the whole local day, or the block."""
    if request.start_time is None or request.end_time is None:
        start = datetime.combine(request.date, time.min, tzinfo=tz)
        return start, datetime.combine(request.date + timedelta(days=1), time.min, tzinfo=tz)
    return (
        datetime.combine(request.date, request.start_time, tzinfo=tz),
        datetime.combine(request.date, request.end_time, tzinfo=tz),
    )


def _affected_rows(request: OffRequest) -> list[Appointment]:
    """The master's active appointments overlapping the asked time."""
    start, end = _window(request, get_adapter().salon_tz)
    return list(
        Appointment.objects.filter(
            master_id=request.master_id,
            status__in=Appointment.ACTIVE_STATUSES,
            datetime_start__lt=end,
            datetime_end__gt=start,
        )
        .select_related("client")
        .order_by("datetime_start", "pk")
    )


def describe(ref: str) -> OffRequestInfo | None:
    """The request for its messages; None if there is no such request."""
    try:
        key = uuid.UUID(hex=ref)
    except ValueError:
        return None
    request = OffRequest.objects.filter(ref=key).select_related("master").first()
    if request is None:
        return None
    affected = (
        visits_of(_affected_rows(request), one_master=request.master_id)
        if request.status == OffRequest.STATUS_PENDING
        else []
    )
    return OffRequestInfo(
        ref=request.ref.hex,
        master_name=request.master.name,
        day=request.date,
        start=request.start_time,
        end=request.end_time,
        reason=request.reason,
        status=request.status,
        cancelled_visits=request.cancelled_visits,
        decided_by=request.decided_by,
        affected=tuple(affected),
    )


def may_decide(request: OffRequest, *, chat_id: int | None, user_id: int | None) -> bool:
    """Members of the staff chat, pressing there; never the master who asked."""
    staff_chat_id, _language = outbox.staff_chat()
    if not staff_chat_id or chat_id != staff_chat_id:
        return False
    return user_id is None or request.master.telegram_id != user_id


def decide(
    ref: str,
    *,
    approve: bool,
    cancel_affected: bool = False,
    chat_id: int | None,
    user_id: int | None,
    name: str = "",
) -> OffRequestInfo:
    """Approve (the schedule changes; the affected visits kept or cancelled with their clients
    told) or decline. ``NotAllowedError`` outside the staff chat or for the asking master;
    ``NotPendingError`` when the request was decided already."""
    try:
        key = uuid.UUID(hex=ref)
    except ValueError as error:
        raise VisitNotFoundError(ref) from error
    with transaction.atomic():
        request = OffRequest.objects.select_for_update(of=("self",)).filter(ref=key).first()
        if request is None:
            raise VisitNotFoundError(ref)
        if not may_decide(request, chat_id=chat_id, user_id=user_id):
            raise NotAllowedError("Only the staff chat decides time off.")
        if request.status != OffRequest.STATUS_PENDING:
            raise NotPendingError(ref)
        if approve:
            list(Master.objects.select_for_update(of=("self",)).filter(pk=request.master_id))
            _change_schedule(request)
            if cancel_affected:
                _cancel_visits(_affected_rows(request), request.master_id)
        request.status = OffRequest.STATUS_APPROVED if approve else OffRequest.STATUS_DECLINED
        request.cancelled_visits = approve and cancel_affected
        request.decided_by = name[:200]
        request.decided_at = timezone.now()
        request.save()
        if request.master.telegram_id:
            _enqueue(
                request,
                N.KIND_OFF_DECIDED,
                N.AUDIENCE_MASTER,
                request.master.telegram_id,
                request.master.language,
            )
    return describe(ref)  # type: ignore[return-value]


def _change_schedule(request: OffRequest) -> None:
    """The approved absence in the schedule the availability adapter reads."""
    if request.start_time is None:
        DayOff.objects.get_or_create(master_id=request.master_id, date=request.date)
        return
    raise OffRequestError("time blocks need the TimeBlock model")  # pragma: no cover


def _cancel_visits(rows: list[Appointment], master_id: int) -> None:
    """Cancel the master's items of each affected visit; each client hears it once (the master
    hears the outcome of the request instead)."""
    for ref in dict.fromkeys(row.booking_ref for row in rows):
        cancel_visit_by_staff(ref, master_id=master_id, audiences=(N.AUDIENCE_CLIENT,))
