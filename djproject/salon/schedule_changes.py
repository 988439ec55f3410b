"""Schedule changes over booked visits: which visits a change leaves outside availability, and
what happens to them once staff have decided.

A schedule change (a day off, a time block, shorter hours, a new break, a deactivated master)
can leave active visits where the master no longer works. Nothing is saved silently over
them: the admin (and the staff chat, for a master's "I'm off") first shows
``affected_visits(change)``, then staff choose

- keep them (``apply_change(change, cancel_affected=False)``): only the schedule changes and
  staff handle the visits themselves;
- cancel them and tell the clients (``cancel_affected=True``): each affected visit is cancelled
  in the same transaction as the change, its reminders are dropped and its client gets one
  message with a "Choose another time" button (``payload["rebook"]``; ``bot/rebook.py``).

How "no longer fits" is decided: the salon adapter's own schedule (hours by every fallback,
break, day off, public holiday, time blocks, the master's status) is evaluated before and after
the change, inside a savepoint that is rolled back for ``affected_visits``. A visit is affected
when the change adds a reason it does not fit; a visit that already stood outside the hours
(staff's exception) is not listed again for an unrelated change. Overlaps between appointments
are not a schedule question and are left out. The check reads a constant number of queries
whatever the number of visits (one schedule book and one block query per evaluation).

Lock order (as every write path): the masters concerned, sorted, before any appointment row.
"""

from __future__ import annotations

import copy
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import models, transaction

from booking.adapters.availability import DjangoAvailabilityAdapter
from booking.adapters.blocks import is_block
from booking.adapters.minutes import to_minutes
from booking.validation import Conflict
from djproject.salon import outbox
from djproject.salon.booking import cache_adapter, get_adapter
from djproject.salon.models import Appointment, DayOff, Master, Notification, TimeBlock, WorkingDay
from djproject.salon.services import Visit, visits_of

log = logging.getLogger(__name__)

INACTIVE = "inactive"  # the master is no longer active (besides booking.validation.Conflict)
# Reasons that are about the schedule; overlaps with other appointments are not.
SCHEDULE_REASONS = frozenset(
    {
        Conflict.HOLIDAY,
        Conflict.DAY_OFF,
        Conflict.NOT_WORKING,
        Conflict.OUTSIDE_HOURS,
        Conflict.BREAK,
        Conflict.BLOCKED,
        INACTIVE,
    }
)


@dataclass(frozen=True)
class ScheduleChange:
    """A schedule edit not yet made: how to make it, and where visits may stop fitting.

    ``apply`` writes the change (called inside this module's transaction, possibly in a
    savepoint that is rolled back). ``master_ids=None`` means every master (a salon-wide
    block); ``first_day``/``last_day`` bound the local dates to look at (None: from today /
    open-ended).
    """

    apply: Callable[[], Any]
    master_ids: tuple[int, ...] | None
    first_day: date | None = None
    last_day: date | None = None
    label: str = ""

    @classmethod
    def saving(cls, instance: models.Model) -> ScheduleChange:
        """Saving a (new or edited) DayOff, TimeBlock, WorkingDay or Master."""
        return cls(apply=lambda: copy.copy(instance).save(), **scope_of(instance), label=str(instance))

    @classmethod
    def deleting(cls, instance: models.Model) -> ScheduleChange:
        """Deleting a WorkingDay (its weekday is no longer worked) or any other schedule row."""
        return cls(apply=lambda: type(instance).objects.filter(pk=instance.pk).delete(), **scope_of(instance))


def scope_of(instance: models.Model) -> dict[str, Any]:
    """The masters and dates a saved schedule row can take time from."""
    if isinstance(instance, DayOff):
        return {"master_ids": (instance.master_id,), "first_day": instance.date, "last_day": instance.date}
    if isinstance(instance, TimeBlock):
        masters = (instance.master_id,) if instance.master_id else None
        last = instance.repeat_until if instance.weekly else instance.date
        return {"master_ids": masters, "first_day": instance.date, "last_day": last}
    if isinstance(instance, WorkingDay):
        return {"master_ids": (instance.master_id,)}
    if isinstance(instance, Master):
        return {"master_ids": (instance.pk,) if instance.pk else ()}
    raise TypeError(f"not a schedule row: {type(instance).__name__}")


@dataclass(frozen=True)
class ChangeOutcome:
    """What ``apply_change`` did: the visits the change affected, those it cancelled, and how
    many client messages were queued."""

    affected: list[Visit]
    cancelled: list[Visit] = field(default_factory=list)
    messages: int = 0


class _Rollback(Exception):
    """Raised to roll the trial savepoint back."""


def affected_visits(change: ScheduleChange) -> list[Visit]:
    """The active visits the change would leave outside availability; nothing is written."""
    found: list[Visit] = []
    try:
        with transaction.atomic():
            rows = _affected_rows(change)
            found = visits_of(rows)
            raise _Rollback
    except _Rollback:
        pass
    return found


def apply_change(change: ScheduleChange, *, cancel_affected: bool, by: Any = None) -> ChangeOutcome:
    """Make the change; with ``cancel_affected`` cancel the visits it affects and tell their
    clients (one message per visit with a "Choose another time" button). Staff's decision, so
    the cancellation cutoff does not apply. ``by`` (a user or a name) is logged."""
    with transaction.atomic():
        rows = _affected_rows(change)
        affected = visits_of(rows)
        if not cancel_affected or not rows:
            log.info("schedule change %r by %s kept %d visit(s)", change.label, by, len(affected))
            return ChangeOutcome(affected=affected)
        cancelled, messages = _cancel_and_tell(rows)
    log.info("schedule change %r by %s cancelled %d visit(s)", change.label, by, len(cancelled))
    return ChangeOutcome(affected=affected, cancelled=cancelled, messages=messages)


# --------------------------------------------------------------------------------------------
# Deciding which visits stop fitting
# --------------------------------------------------------------------------------------------


def _affected_rows(change: ScheduleChange) -> list[Appointment]:
    """Lock the masters concerned, evaluate before, make the change, evaluate after: the
    active appointments of every visit that gained a schedule reason not to fit."""
    candidates = _candidates(change)
    masters = set(change.master_ids or ()) | {row.master_id for row in candidates}
    if change.master_ids is None:
        masters |= set(Master.objects.values_list("pk", flat=True))
    get_adapter().lock_masters(masters)
    before = _reasons(candidates)
    change.apply()
    after = _reasons(list(Appointment.objects.filter(pk__in=[row.pk for row in candidates])))
    refs = {row.booking_ref for row in candidates if after.get(row.pk, set()) - before.get(row.pk, set())}
    return sorted(
        (row for row in candidates if row.booking_ref in refs), key=lambda r: (r.datetime_start, r.pk)
    )


def _candidates(change: ScheduleChange) -> list[Appointment]:
    """Active, not yet ended appointments in the change's scope, with the other items of their
    visits (a visit is kept or cancelled whole)."""
    adapter = get_adapter()
    rows = Appointment.objects.filter(status__in=Appointment.ACTIVE_STATUSES, datetime_end__gt=adapter.now())
    if change.master_ids is not None:
        rows = rows.filter(master_id__in=change.master_ids)
    tz = adapter.salon_tz
    if change.first_day is not None:
        rows = rows.filter(
            datetime_end__gt=datetime.combine(change.first_day, datetime.min.time(), tzinfo=tz)
        )
    if change.last_day is not None:
        after_last = datetime.combine(change.last_day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        rows = rows.filter(datetime_start__lt=after_last)
    refs = set(rows.values_list("booking_ref", flat=True))
    return list(
        Appointment.objects.filter(booking_ref__in=refs, status__in=Appointment.ACTIVE_STATUSES).order_by(
            "datetime_start", "pk"
        )
    )


def _reasons(rows: list[Appointment]) -> dict[int, set[str]]:
    """Why each appointment does not fit the schedule as it is now (empty set: it fits)."""
    if not rows:
        return {}
    adapter = get_adapter()  # fresh: it memoises master rows and settings
    masters = adapter.masters_by_id({row.master_id for row in rows})
    days_of: dict[int, date] = {}
    for row in rows:
        master = masters.get(row.master_id)
        tz = adapter.master_tz(master) if master is not None else adapter.salon_tz
        days_of[row.pk] = row.datetime_start.astimezone(tz).date()
    days = sorted(set(days_of.values()))
    book = adapter.schedule_book(sorted(masters), days[0], days[-1])
    blocks = adapter.busy.blocks.entries(book, days) if adapter.busy.blocks is not None else {}
    return {row.pk: _row_reasons(adapter, book, blocks, row, days_of[row.pk]) for row in rows}


def _row_reasons(
    adapter: DjangoAvailabilityAdapter, book: Any, blocks: dict[Any, list[Any]], row: Appointment, day: date
) -> set[str]:
    master = book.masters.get(row.master_id)
    reasons: set[str] = set()
    if master is None or getattr(master, "status", Master.STATUS_ACTIVE) != Master.STATUS_ACTIVE:
        reasons.add(INACTIVE)
    if master is None:
        return reasons
    if adapter.is_holiday(day):
        reasons.add(Conflict.HOLIDAY)
    if (row.master_id, day) in book.days_off:
        reasons.add(Conflict.DAY_OFF)
    begin, end = to_minutes(row.datetime_start), to_minutes(row.datetime_end)
    hours = adapter.working_hours(book, master, day)
    if hours is None:
        reasons.add(Conflict.NOT_WORKING)
    else:
        if begin < hours.start or end > hours.end:
            reasons.add(Conflict.OUTSIDE_HOURS)
        if hours.break_ and begin < hours.break_[1] and end > hours.break_[0]:
            reasons.add(Conflict.BREAK)
    for entry in blocks.get((row.master_id, day), []):
        if is_block(entry) and entry[4] == row.seat and begin < entry[2] and end > entry[1]:
            reasons.add(Conflict.BLOCKED)
    return reasons & SCHEDULE_REASONS


# --------------------------------------------------------------------------------------------
# Cancelling and telling the clients
# --------------------------------------------------------------------------------------------


def _cancel_and_tell(rows: Iterable[Appointment]) -> tuple[list[Visit], int]:
    """Cancel every visit of ``rows`` (by staff, so no cutoff), drop its reminders and queue
    one client message with the "Choose another time" button per visit."""
    from booking.services import cancel_booking  # the one cancel path, with its locks and hooks

    adapter = get_adapter()
    by_visit: dict[Any, list[Appointment]] = defaultdict(list)
    for row in rows:
        by_visit[row.booking_ref].append(row)
    cancelled_rows: list[Appointment] = []
    messages = 0
    for ref, items in by_visit.items():
        done = cancel_booking(adapter, cache_adapter, items, by_staff=True)
        cancelled_rows += done
        outbox.drop_pending(ref, reason="cancelled by a schedule change")
        sent = outbox.enqueue_visit_event(
            done,
            Notification.KIND_CANCELLED,
            [Notification.AUDIENCE_CLIENT],
            extra={"by": "salon", "rebook": True},
        )
        messages += len(sent)
    return visits_of(cancelled_rows, adapter), messages


# --------------------------------------------------------------------------------------------
# The client's "Choose another time"
# --------------------------------------------------------------------------------------------


def rebook_services(telegram_id: int, ref: str) -> list[int]:
    """The still-bookable services of the client's own visit (any status), in visit order, for a
    fresh booking after the salon cancelled it; empty when the visit is not theirs or nothing
    of it can be booked any more."""
    import uuid

    try:
        key = uuid.UUID(hex=str(ref))
    except ValueError:
        return []
    ids = list(
        Appointment.objects.filter(booking_ref=key, client__telegram_id=telegram_id, service__is_active=True)
        .order_by("datetime_start", "pk")
        .values_list("service_id", flat=True)
    )
    return list(dict.fromkeys(ids))
