"""Time off asked for in Telegram: a master requests, the staff chat decides.

- ``request_off``: a master (known by their Telegram id) asks for a whole day or a block of a
  day within the next ``DAYS_AHEAD`` days, with an optional reason. The request is stored
  (``OffRequest``) and one message to the staff chat goes through the outbox in the same
  transaction; it lists the visits the change would hit and carries the decision buttons.
- ``decide``: Approve (keeping the visits or cancelling them and telling the clients) or
  Decline, by a member of the staff chat (not the master who asked). Under the request's
  lock, so a second tap (the same or another member) changes nothing. Approval is a schedule
  change (``djproject.salon.schedule_changes``: a ``DayOff`` for a whole day, a ``TimeBlock``
  for part of one) applied with staff's choice for the affected visits (cancelled ones get
  "Choose another time"); the master hears the outcome in their own language.
- ``describe``: what the sender needs to render either message, read when it is sent.

Lock order: the request, then (``apply_change``) the master as a booking does, then the
visits' rows; a booking racing the approval either committed first (then it is among the
affected visits) or waits for the master's lock and meets the day off.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from djproject.salon import outbox
from djproject.salon.booking import get_adapter
from djproject.salon.models import DayOff, Notification, OffRequest, TimeBlock
from djproject.salon.schedule_changes import ScheduleChange, affected_visits, apply_change
from djproject.salon.services import Visit, VisitNotFoundError
from djproject.salon.staff import NotAllowedError, NotPendingError, master_by_telegram_id

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
    affected_count: int  # visits in the asked time (now, or when it was decided)
    cancelled_visits: bool
    decided_by: str
    affected: tuple[Visit, ...]  # visits the change would leave outside the hours (pending only)


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


def schedule_change(request: OffRequest) -> ScheduleChange:
    """The asked absence as a schedule change (``schedule_changes``): a day off for a whole
    day, a one-off time block for part of one. A day off the master already has changes
    nothing (and takes no visit away)."""
    if request.start_time is None or request.end_time is None:
        if DayOff.objects.filter(master_id=request.master_id, date=request.date).exists():
            return ScheduleChange(
                apply=lambda: None,
                master_ids=(request.master_id,),
                first_day=request.date,
                last_day=request.date,
            )
        row: DayOff | TimeBlock = DayOff(
            master_id=request.master_id, date=request.date, reason=request.reason
        )
    else:
        row = TimeBlock(
            master_id=request.master_id,
            date=request.date,
            start_time=request.start_time,
            end_time=request.end_time,
            reason=request.reason,
        )
    return ScheduleChange.saving(row)


def describe(ref: str) -> OffRequestInfo | None:
    """The request for its messages; None if there is no such request."""
    try:
        key = uuid.UUID(hex=ref)
    except ValueError:
        return None
    request = OffRequest.objects.filter(ref=key).select_related("master").first()
    if request is None:
        return None
    pending = request.status == OffRequest.STATUS_PENDING
    affected = affected_visits(schedule_change(request)) if pending else []
    return OffRequestInfo(
        ref=request.ref.hex,
        master_name=request.master.name,
        day=request.date,
        start=request.start_time,
        end=request.end_time,
        reason=request.reason,
        status=request.status,
        affected_count=len(affected) if pending else request.affected_visits,
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
            outcome = apply_change(schedule_change(request), cancel_affected=cancel_affected, by=name)
            request.affected_visits = len(outcome.affected)
            request.cancelled_visits = bool(outcome.cancelled)
        request.status = OffRequest.STATUS_APPROVED if approve else OffRequest.STATUS_DECLINED
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
