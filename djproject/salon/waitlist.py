"""The waitlist: clients who want to hear when a time frees up on a fully booked day.

Rules that must always hold:

- W1 — Freed time is looked for only after the change has committed
  (``transaction.on_commit``): a rolled-back cancellation offers nothing, and the offer reads
  the committed database, never the busy-interval cache (whose own invalidation is another
  on-commit callback that may not have run yet).
- W2 — An offer never holds a time. It lists the times free when it is sent; the client who
  taps one goes through the ordinary Confirm (locks, idempotency key derived from the entry
  and the slot), so the first to confirm gets it and the others are told it has gone.
- W3 — Nothing is offered inside the minimum notice or outside the booking window: the times
  come from the same availability the booking dialog shows.

One outbox row (``Notification.KIND_WAITLIST``, ``booking_ref`` = the entry's ``ref``) per
entry and day; a second freed time on that day while the row is unsent adds nothing. Entries
whose last day has passed are marked expired (``expire_passed``) whenever the waitlist is read.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from booking import selectors
from booking.adapters.availability import DjangoAvailabilityAdapter
from booking.localtime import slot_token
from djproject.salon.booking import get_adapter
from djproject.salon.language import speaks_language
from djproject.salon.models import (
    Appointment,
    Client,
    DayOff,
    Master,
    Notification,
    Service,
    TimeBlock,
    WaitlistEntry,
    WorkingDay,
)

log = logging.getLogger(__name__)

N = Notification

# One client's waiting entries at most: the list stays readable and a loop cannot flood it.
MAX_ENTRIES_PER_CLIENT = 10
# The longest range one entry may cover, in days (first and last included).
MAX_RANGE_DAYS = 14


class WaitlistError(ValueError):
    """The entry cannot be made: bad services, days outside the window, too many entries."""


class WaitlistSlotGoneError(LookupError):
    """The tapped time is no longer free (or the entry is gone); ``offer`` is what is left."""

    def __init__(self, offer: WaitlistOffer | None) -> None:
        super().__init__("the time has gone")
        self.offer = offer


@dataclass(frozen=True)
class WaitlistInfo:
    """One waiting entry as My bookings lists it."""

    id: int
    date_from: date
    date_to: date
    service_names: tuple[str, ...]
    master_name: str  # "" = any master


@dataclass(frozen=True)
class WaitlistOffer:
    """The free times of one entry on one day, as they are now (salon-local slot tokens)."""

    entry_id: int
    ref: str
    day: date
    slots: tuple[str, ...]
    service_names: tuple[str, ...]
    master_name: str  # "" = any master
    date_to: date


@dataclass(frozen=True)
class WaitlistChoice:
    """What the booking summary needs to book a tapped time of an offer."""

    entry_id: int
    service_ids: tuple[int, ...]
    master_id: int | None
    day: date
    time: str
    idempotency_key: str


# --------------------------------------------------------------------------------------------
# The client's side: join, list, remove
# --------------------------------------------------------------------------------------------


def join(
    telegram_id: int, service_ids: list[int], master_id: int | None, date_from: date, date_to: date
) -> WaitlistInfo:
    """Put the client on the waitlist for these services and master on these days.

    The same services and master again replace the client's earlier entry (its days become
    these), so tapping "Notify me" twice makes one entry.
    """
    adapter = get_adapter()
    low, high = selectors.booking_window(adapter)
    if not low <= date_from <= date_to <= high or (date_to - date_from).days >= MAX_RANGE_DAYS:
        raise WaitlistError("days outside the booking window")
    wanted = {int(s) for s in service_ids}
    services = list(Service.objects.filter(pk__in=wanted, is_active=True))
    if not wanted or len(services) != len(wanted):
        raise WaitlistError("unknown services")
    active = Master.objects.filter(pk=master_id, status=Master.STATUS_ACTIVE)
    if master_id is not None and not active.exists():
        raise WaitlistError("unknown master")
    with transaction.atomic():
        client, _ = Client.objects.get_or_create(telegram_id=telegram_id)
        expire_passed(adapter.today())
        same = _waiting(client).filter(master_id=master_id)
        entry = next((e for e in same.prefetch_related("services") if _service_set(e) == wanted), None)
        if entry is None:
            if _waiting(client).count() >= MAX_ENTRIES_PER_CLIENT:
                raise WaitlistError("too many entries")
            entry = WaitlistEntry.objects.create(
                client=client, master_id=master_id, date_from=date_from, date_to=date_to
            )
            entry.services.set(services)
        else:
            entry.date_from, entry.date_to = date_from, date_to
            entry.save(update_fields=["date_from", "date_to"])
    return _infos([entry])[0]


@speaks_language
def entries_of(telegram_id: int) -> list[WaitlistInfo]:
    """The client's waiting entries, soonest first (passed ones are expired first)."""
    expire_passed(get_adapter().today())
    rows = _waiting_of(telegram_id).order_by("date_from", "created")
    return _infos(rows)


def remove(telegram_id: int, entry_id: int) -> bool:
    """Take the client's own entry off the waitlist; False if it was not theirs or is gone."""
    deleted, _ = WaitlistEntry.objects.filter(pk=entry_id, client__telegram_id=telegram_id).delete()
    return deleted > 0


def fulfil(client: Client, entry_id: int) -> None:
    """The client booked from the entry's offer (inside the booking's transaction): done with it."""
    WaitlistEntry.objects.filter(pk=entry_id, client=client).delete()


def expire_passed(today: date) -> int:
    """Mark the entries whose last day is before ``today`` expired; returns how many."""
    passed = WaitlistEntry.objects.filter(expired__isnull=True, date_to__lt=today)
    return passed.update(expired=timezone.now())


def _waiting(client: Client) -> Any:
    return WaitlistEntry.objects.filter(client=client, expired__isnull=True)


def _waiting_of(telegram_id: int) -> Any:
    return WaitlistEntry.objects.filter(client__telegram_id=telegram_id, expired__isnull=True)


def _service_set(entry: WaitlistEntry) -> set[int]:
    return {s.pk for s in entry.services.all()}


def _ordered_services(entry: WaitlistEntry) -> list[Service]:
    """The entry's services in the salon's menu order (the order the visit is booked in)."""
    return sorted(entry.services.all(), key=lambda s: (s.category.sort_order, s.sort_order, s.name, s.pk))


def _infos(rows: Iterable[WaitlistEntry]) -> list[WaitlistInfo]:
    rows = list(rows)
    entries = (
        WaitlistEntry.objects.filter(pk__in=[r.pk for r in rows])
        .select_related("master")
        .prefetch_related("services__category")
    )
    by_id = {e.pk: e for e in entries}
    return [
        WaitlistInfo(
            id=e.pk,
            date_from=e.date_from,
            date_to=e.date_to,
            service_names=tuple(s.name for s in _ordered_services(e)),
            master_name=e.master.name if e.master else "",
        )
        for e in (by_id[r.pk] for r in rows if r.pk in by_id)
    ]


# --------------------------------------------------------------------------------------------
# Offers: what is free for an entry, now
# --------------------------------------------------------------------------------------------


def _free_times(
    adapter: DjangoAvailabilityAdapter, service_ids: list[int], master_id: int | None, day: date
) -> tuple[str, ...]:
    """Free start times of the day from the database (W1), inside the window and notice (W3)."""
    result = selectors.get_available_slots(
        adapter, service_ids, day, max_solutions=1, locked_master_id=master_id, cache_ttl=0
    )
    tz = adapter.salon_tz
    return tuple(dict.fromkeys(slot_token(start.astimezone(tz)) for start in result.start_datetimes()))


def _entry(ref: str | uuid.UUID | None = None, **filters: Any) -> WaitlistEntry | None:
    if ref is not None:
        try:
            filters["ref"] = ref if isinstance(ref, uuid.UUID) else uuid.UUID(hex=str(ref))
        except ValueError:
            return None
    return (
        WaitlistEntry.objects.filter(expired__isnull=True, **filters)
        .select_related("master", "client")
        .prefetch_related("services__category")
        .first()
    )


def _offer(adapter: DjangoAvailabilityAdapter, entry: WaitlistEntry, day: date) -> WaitlistOffer | None:
    if not entry.date_from <= day <= entry.date_to or day < adapter.today():
        return None
    services = _ordered_services(entry)
    return WaitlistOffer(
        entry_id=entry.pk,
        ref=entry.ref.hex,
        day=day,
        slots=_free_times(adapter, [s.pk for s in services], entry.master_id, day),
        service_names=tuple(s.name for s in services),
        master_name=entry.master.name if entry.master else "",
        date_to=entry.date_to,
    )


@speaks_language
def offer(ref: str, day: date) -> WaitlistOffer | None:
    """The entry's free times on ``day`` as they are now (None if the entry is gone or the day
    is not its own); what the sender puts in the message."""
    adapter = get_adapter()
    expire_passed(adapter.today())
    entry = _entry(ref)
    return _offer(adapter, entry, day) if entry is not None else None


@speaks_language
def choose(telegram_id: int, entry_id: int, day: date, time: str) -> WaitlistChoice:
    """The client tapped ``time`` under an offer: what to book, if it is still free.

    Raises ``WaitlistSlotGoneError`` (with the times still free) when another client took it,
    or the entry is no longer the client's.
    """
    adapter = get_adapter()
    expire_passed(adapter.today())
    entry = _entry(pk=entry_id, client__telegram_id=telegram_id)
    fresh = _offer(adapter, entry, day) if entry is not None else None
    if fresh is None or time not in fresh.slots:
        raise WaitlistSlotGoneError(fresh)
    return WaitlistChoice(
        entry_id=entry.pk,
        service_ids=tuple(s.pk for s in _ordered_services(entry)),
        master_id=entry.master_id,
        day=day,
        time=time,
        idempotency_key=f"wl-{entry.ref.hex}-{day:%Y%m%d}-{time.replace(':', '')}",
    )


# --------------------------------------------------------------------------------------------
# Freed time: who hears of it
# --------------------------------------------------------------------------------------------


def notify_freed(master_id: int | None, days: Iterable[date]) -> int:
    """Queue an offer for every waiting entry that now has free times on one of ``days``
    (``master_id``: whose time was freed; None = anyone's). Returns the rows queued."""
    adapter = get_adapter()
    today = adapter.today()
    expire_passed(today)
    low, high = selectors.booking_window(adapter)
    queued = 0
    for day in sorted({d for d in days if low <= d <= high}):
        entries = (
            WaitlistEntry.objects.filter(expired__isnull=True, date_from__lte=day, date_to__gte=day)
            .filter(client__telegram_id__gt=0, client__bot_blocked_at__isnull=True)
            .select_related("client", "master")
            .prefetch_related("services__category")
            .order_by("created", "pk")
        )
        if master_id is not None:
            entries = entries.filter(Q(master__isnull=True) | Q(master_id=master_id))
        free: dict[tuple[tuple[int, ...], int | None], tuple[str, ...]] = {}
        for entry in entries:
            if _offer_pending(entry, day):
                continue
            key = (tuple(s.pk for s in _ordered_services(entry)), entry.master_id)
            if key not in free:
                free[key] = _free_times(adapter, list(key[0]), entry.master_id, day)
            if free[key]:
                _queue_offer(entry, day)
                queued += 1
    return queued


def _offer_pending(entry: WaitlistEntry, day: date) -> bool:
    return N.objects.filter(
        booking_ref=entry.ref, kind=N.KIND_WAITLIST, status=N.STATUS_PENDING, payload__day=day.isoformat()
    ).exists()


def _queue_offer(entry: WaitlistEntry, day: date) -> None:
    now = timezone.now()
    client = entry.client
    with transaction.atomic():
        N.objects.create(
            kind=N.KIND_WAITLIST,
            audience=N.AUDIENCE_CLIENT,
            chat_id=client.telegram_id,
            language=client.language or client.telegram_language or "en",
            booking_ref=entry.ref,
            payload={"day": day.isoformat()},
            due_at=now,
        )
        WaitlistEntry.objects.filter(pk=entry.pk).update(notified=now)


def _after_commit(master_id: int | None, days: Iterable[date]) -> None:
    """Look for waiting clients once the change is committed (W1); a failure there is logged
    and never undoes or fails the change itself."""
    days = list(days)

    def check() -> None:
        try:
            notify_freed(master_id, days)
        except Exception:
            log.exception("waitlist: could not look for clients to tell about freed time")

    transaction.on_commit(check)


def _local_day(moment: datetime) -> date:
    if not timezone.is_aware(moment):
        return moment.date()
    return timezone.localtime(moment, get_adapter().salon_tz).date()


def appointment_saved(sender: Any, instance: Appointment, created: bool, raw: bool = False, **_: Any) -> None:
    """An active appointment cancelled, declined, closed, moved or shortened frees its old time."""
    if created or raw or instance.initial_value("status") not in Appointment.ACTIVE_STATUSES:
        return
    old_start = instance.initial_value("datetime_start")
    old_master = instance.initial_value("master_id")
    old_minutes = instance.initial_value("duration_minutes") or 0
    moved = old_start != instance.datetime_start or old_master != instance.master_id
    if old_start is not None and (not instance.is_active or moved or instance.duration_minutes < old_minutes):
        _after_commit(old_master, [_local_day(old_start)])


def appointment_deleted(sender: Any, instance: Appointment, **_: Any) -> None:
    if instance.status in Appointment.ACTIVE_STATUSES and instance.datetime_start is not None:
        _after_commit(instance.master_id, [_local_day(instance.datetime_start)])


def day_off_removed(sender: Any, instance: DayOff, **_: Any) -> None:
    """A day off taken back: the master's day is open again."""
    _after_commit(instance.master_id, [instance.date])


def block_removed(sender: Any, instance: TimeBlock, **_: Any) -> None:
    """A time block taken back: its days (up to the waitlist's furthest day) may have gained time."""
    from booking.adapters.blocks import weekly_days

    today = get_adapter().today()
    last = (
        WaitlistEntry.objects.filter(expired__isnull=True)
        .order_by("-date_to")
        .values_list("date_to", flat=True)
        .first()
    )
    if last is None:
        return
    days = weekly_days(instance, max(today, instance.date), last)
    if days:
        _after_commit(instance.master_id, days)


def hours_changed(sender: Any, instance: WorkingDay, raw: bool = False, **_: Any) -> None:
    """Weekly hours saved or removed (longer hours, a removed break, a fallback to the salon's
    hours): every waited-for day on that weekday may have gained time."""
    if raw:
        return
    today = get_adapter().today()
    days = set()
    for first, last in WaitlistEntry.objects.filter(expired__isnull=True, date_to__gte=today).values_list(
        "date_from", "date_to"
    ):
        day = max(first, today)
        while day <= last:
            if day.weekday() == instance.weekday:
                days.add(day)
            day += timedelta(days=1)
    if days:
        _after_commit(instance.master_id, days)


def connect() -> None:
    """Hook the waitlist to the salon's writes (``SalonConfig.ready``)."""
    post_save.connect(appointment_saved, sender=Appointment, dispatch_uid="waitlist-appointment-saved")
    post_delete.connect(appointment_deleted, sender=Appointment, dispatch_uid="waitlist-appointment-deleted")
    post_delete.connect(day_off_removed, sender=DayOff, dispatch_uid="waitlist-day-off-removed")
    post_delete.connect(block_removed, sender=TimeBlock, dispatch_uid="waitlist-block-removed")
    post_save.connect(hours_changed, sender=WorkingDay, dispatch_uid="waitlist-hours-saved")
    post_delete.connect(hours_changed, sender=WorkingDay, dispatch_uid="waitlist-hours-deleted")
