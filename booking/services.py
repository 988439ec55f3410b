"""Write-side entry points: book, cancel, reschedule — each one transaction, or nothing.

R1 — Cache invalidation only in ``transaction.on_commit()``.
R2 — Masters are locked with ``select_for_update(of=("self",))`` in id order before the slot is
     checked again, without the cache, under the lock. One lock order on every write path
     (booking, cancel, reschedule, staff changes, the admin form): the masters first, then the
     client (when the project checks client rules), then appointment rows — so no two writers
     can each hold what the other waits for.

Double booking is impossible on both databases: on PostgreSQL the row locks serialise
bookings of the same masters and the exclusion constraint is the last line (its
``IntegrityError`` becomes ``SlotAlreadyBookedError``); on SQLite every transaction is
``BEGIN IMMEDIATE``, so writers queue for the database lock and each one re-checks the slot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from django.db import IntegrityError, transaction

from booking.adapters.availability import (
    DjangoAvailabilityAdapter,
    MasterSelections,
    has_field,
    parse_resource_id,
)
from booking.adapters.cache import BookingCacheAdapter
from booking.engine import BookingChainSolution, BookingEngineRequest, BookingMode, SingleServiceSolution
from booking.errors import AppointmentNotActiveError, CancellationTooLateError, SlotAlreadyBookedError
from booking.localtime import in_utc, slot_token
from booking.query import VisitQuery
from booking.selectors import find_visits

__all__ = [
    "BookingGuard",
    "BookingPersistenceHook",
    "cancel_booking",
    "create_booking",
    "lock_visit",
    "reschedule_booking",
]


class BookingPersistenceHook(Protocol):
    """Project-specific persistence of a multi-service visit."""

    def persist_chain(
        self,
        solution: Any,
        service_ids: list[int],
        client: Any,
        extra_fields: dict[str, Any] | None = None,
    ) -> list[Any]:
        """Create the appointments of one visit and return them."""
        ...


class BookingGuard(Protocol):
    """A project's own rules, run inside the booking transaction while the masters are locked.

    The reusable app knows nothing of clients or idempotency keys; a project that does (the
    salon) passes a guard, and its checks are serialised by the same master locks as the slot
    check, so two racing writes of one client cannot both pass them.
    """

    def under_lock(self) -> Any | None:
        """Right after the masters are locked, before the slot is searched (lock more rows
        here, in the lock order: masters, then the client). ``create_booking`` returns a
        non-None result as it is and books nothing (an idempotent replay)."""
        ...

    def check(self, solution: BookingChainSolution) -> None:
        """The visit about to be written; raise to refuse it (limits, overlaps)."""
        ...


# How often ``lock_visit`` follows a visit whose masters staff change while it waits.
_RELOCK_ATTEMPTS = 3


def item_fields(item: SingleServiceSolution, appointment_model: type[Any]) -> dict[str, Any]:
    """Model fields of one engine item: master, start, duration, and the seat where the
    appointment model has one (the mixins do not: a project adds it for masters who serve
    several clients at once).

    The engine's datetimes are salon-local; subtracting two of them would count wall-clock
    minutes (30 for a 90-minute visit from 01:30 on the night the clocks go back), so both are
    taken to UTC first, and the start is stored as the UTC instant it is.
    """
    master_id, seat = parse_resource_id(item.resource_id)
    start, end = in_utc(item.start_time), in_utc(item.end_time)
    fields: dict[str, Any] = {
        "master_id": master_id,
        "datetime_start": start,
        "duration_minutes": int((end - start).total_seconds() // 60),
    }
    if has_field(appointment_model, "seat"):
        fields["seat"] = seat
    return fields


def _spans(appointments: Sequence[Any]) -> list[tuple[int, datetime, datetime]]:
    return [
        (
            a.master_id,
            in_utc(a.datetime_start),
            in_utc(a.datetime_start) + timedelta(minutes=a.duration_minutes),
        )
        for a in appointments
    ]


def _invalidate_on_commit(
    cache_adapter: BookingCacheAdapter, spans: list[tuple[int, datetime, datetime]]
) -> None:
    transaction.on_commit(lambda: cache_adapter.invalidate_appointments(spans))


def _lock_candidates(
    adapter: DjangoAvailabilityAdapter, query: VisitQuery, target_date: date
) -> BookingEngineRequest:
    """The engine request, with every master it may use row-locked (R2: sorted, first)."""
    request = adapter.request_for(query, target_date)
    adapter.lock_masters(adapter.master_ids_of(request))
    return request


def _best_at(
    adapter: DjangoAvailabilityAdapter,
    request: BookingEngineRequest,
    query: VisitQuery,
    *,
    target_date: date,
    selected_time: str | datetime,
) -> BookingChainSolution:
    """The best visit at the selected time, from fresh data read under the master locks."""
    master_ids = adapter.master_ids_of(request)
    availability = adapter.build_masters_availability(
        master_ids, target_date, cache_ttl=0, exclude_appointment_ids=list(query.exclude_appointment_ids)
    )
    result = find_visits(adapter, request, availability, max_solutions=1)
    solution = result.best_at(selected_time)
    if solution is None:
        raise _taken(target_date, selected_time, "is no longer available")
    return solution


def _booking_query(
    service_ids: Sequence[int] | None,
    master_id: int | None,
    master_selections: MasterSelections,
    legacy: dict[str, Any],
) -> VisitQuery:
    """The seed's keywords as a query: ``master_id`` for every service unless
    ``master_selections`` chooses per service (a single service always takes ``master_id``)."""
    if service_ids is None:
        raise TypeError("create_booking needs a visit (VisitQuery) or service_ids")
    multi = len(service_ids) > 1
    locked = master_id if (not multi or not master_selections) else None
    return VisitQuery.from_options(
        service_ids, locked_master_id=locked, master_selections=master_selections, **legacy
    )


def create_booking(
    adapter: DjangoAvailabilityAdapter,
    cache_adapter: BookingCacheAdapter,
    appointment_model: type[Any],
    *,
    target_date: date,
    selected_time: str | datetime,
    client: Any,
    visit: VisitQuery | None = None,
    service_ids: list[int] | None = None,
    master_id: int | None = None,
    extra_fields: dict[str, Any] | None = None,
    master_selections: MasterSelections = None,
    persistence_hook: BookingPersistenceHook | None = None,
    guard: BookingGuard | None = None,
    **legacy: Any,
) -> Any | list[Any]:
    """Book the **selected** start (salon local ``"HH:MM"`` or an aware datetime).

    ``master_id=None`` means any master: the best visit at that time is booked. A visit of
    several services needs a ``persistence_hook``; ``master_id`` then applies to every service
    unless ``master_selections`` says otherwise. Returns the appointment (one service) or the
    hook's list, or whatever the ``guard`` answered instead of booking. Raises
    ``SlotAlreadyBookedError`` when the time is not free any more.

    ``visit`` says which visit is booked; without it the seed's keywords (``service_ids``,
    ``master_id``, ``master_selections``, ``mode``, ``overlap_allowed``, ``parallel_groups``)
    describe it, kept for compatibility.
    """
    if visit is None:
        visit = _booking_query(service_ids, master_id, master_selections, legacy)
    elif service_ids is not None or master_id is not None or master_selections or legacy:
        raise TypeError("Give either a VisitQuery or the seed's keywords, not both.")
    service_ids = list(visit.service_ids)
    multi = len(service_ids) > 1
    if multi and persistence_hook is None:
        raise NotImplementedError("A multi-service visit needs a persistence hook (BookingPersistenceHook).")
    try:
        with transaction.atomic():
            request = _lock_candidates(adapter, visit, target_date)
            replay = guard.under_lock() if guard is not None else None
            if replay is not None:
                return replay
            solution = _best_at(adapter, request, visit, target_date=target_date, selected_time=selected_time)
            if guard is not None:
                guard.check(solution)
            if multi:
                assert persistence_hook is not None
                created = persistence_hook.persist_chain(
                    solution=solution, service_ids=service_ids, client=client, extra_fields=extra_fields
                )
            else:
                fields = {**item_fields(solution.items[0], appointment_model), "client": client}
                if has_field(appointment_model, "service"):
                    fields["service_id"] = int(service_ids[0])
                fields.update(extra_fields or {})
                created = appointment_model.objects.create(**fields)
            _invalidate_on_commit(cache_adapter, _spans(created if multi else [created]))
    except IntegrityError as error:
        # The exclusion constraint caught a race the locks did not cover (e.g. an admin edit).
        raise _taken(target_date, selected_time, "was just taken") from error
    return created


def _taken(target_date: date, selected_time: str | datetime, what: str) -> SlotAlreadyBookedError:
    label = slot_token(selected_time) if isinstance(selected_time, datetime) else str(selected_time)
    return SlotAlreadyBookedError(
        booking_date=target_date, slot_time=label, message=f"Slot {label} on {target_date} {what}."
    )


def lock_visit(
    adapter: DjangoAvailabilityAdapter,
    appointments: Sequence[Any],
    *,
    active_only: bool = True,
    then: Callable[[], object] | None = None,
) -> list[Any]:
    """Fresh, row-locked copies of a visit's appointments, in visit order, locked in the one
    order every write path keeps: the masters (sorted by id), ``then`` (the project's next
    rows, e.g. the client), and only then the appointment rows.

    The rows are read once without a lock to learn their masters. If staff moved an item to
    another master before the locks were granted, the locks taken so far are dropped (a
    savepoint) and taken again for the new masters, so no lock is ever taken out of order.
    Raises ``AppointmentNotActiveError`` when a row is gone (or, with ``active_only``, is no
    longer active).
    """
    model = adapter.appointment_model
    ids = sorted({a.pk for a in appointments})
    for _ in range(_RELOCK_ATTEMPTS):
        masters = set(model.objects.filter(pk__in=ids).values_list("master_id", flat=True))
        with transaction.atomic():
            adapter.lock_masters(masters)
            if then is not None:
                then()
            rows = list(model.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
            moved = not {row.master_id for row in rows} <= masters
            if moved:
                transaction.set_rollback(True)  # release this round's locks, then try again
        if not moved:
            break
    else:
        raise AppointmentNotActiveError("The visit kept changing while it was being changed.")
    if len(rows) != len(ids):
        raise AppointmentNotActiveError("The appointment no longer exists.")
    active = set(getattr(model, "ACTIVE_STATUSES", ()))
    if active_only and any(row.status not in active for row in rows):
        raise AppointmentNotActiveError("The appointment is not active any more.")
    return sorted(rows, key=lambda row: (row.datetime_start, row.pk))


def _check_cutoff(adapter: DjangoAvailabilityAdapter, rows: list[Any], by_staff: bool) -> None:
    if by_staff:
        return
    cutoff = int(getattr(adapter.booking_settings, "cancellation_cutoff_minutes", 0) or 0)
    starts_at = min(row.datetime_start for row in rows)
    if in_utc(starts_at) - in_utc(adapter.now()) < timedelta(minutes=cutoff):
        raise CancellationTooLateError(starts_at, cutoff)


def cancel_booking(
    adapter: DjangoAvailabilityAdapter,
    cache_adapter: BookingCacheAdapter,
    appointments: Sequence[Any] | Any,
    *,
    by_staff: bool = False,
) -> list[Any]:
    """Cancel a visit (all its appointments). Clients must respect the cancellation cutoff;
    staff may cancel any time. Raises ``CancellationTooLateError`` / ``AppointmentNotActiveError``.
    """
    visit = list(appointments) if isinstance(appointments, Sequence) else [appointments]
    model = adapter.appointment_model
    with transaction.atomic():
        rows = lock_visit(adapter, visit)
        _check_cutoff(adapter, rows, by_staff)
        for row in rows:
            row.status = model.STATUS_CANCELLED
            row.save()
        _invalidate_on_commit(cache_adapter, _spans(rows))
    return rows


def reschedule_booking(
    adapter: DjangoAvailabilityAdapter,
    cache_adapter: BookingCacheAdapter,
    appointments: Sequence[Any] | Any,
    *,
    target_date: date,
    selected_time: str | datetime,
    by_staff: bool = False,
    mode: BookingMode = BookingMode.SINGLE_DAY,
    overlap_allowed: bool = False,
    parallel_groups: dict[int, str] | None = None,
    guard: BookingGuard | None = None,
) -> list[Any]:
    """Move a visit to a new start, keeping its services and masters.

    One transaction: the new time is checked with the visit's own appointments set aside,
    then the same rows are moved. If anything fails, the visit stays where it was. The
    ``guard`` runs after the masters are locked (``under_lock``, its answer ignored) and
    checks the new placement (``check``).
    """
    visit = list(appointments) if isinstance(appointments, Sequence) else [appointments]
    try:
        with transaction.atomic():
            rows = lock_visit(adapter, visit, then=guard.under_lock if guard is not None else None)
            _check_cutoff(adapter, rows, by_staff)
            old_spans = _spans(rows)
            query = VisitQuery(
                service_ids=tuple(row.service_id for row in rows),
                master_ids=tuple(row.master_id for row in rows),
                exclude_appointment_ids=tuple(row.pk for row in rows),
                mode=mode,
                overlap_allowed=overlap_allowed,
                parallel_groups=tuple((parallel_groups or {}).items()),
            )
            request = _lock_candidates(adapter, query, target_date)
            solution = _best_at(adapter, request, query, target_date=target_date, selected_time=selected_time)
            if guard is not None:
                guard.check(solution)
            for row, item in zip(rows, solution.items, strict=True):
                for field, value in item_fields(item, adapter.appointment_model).items():
                    setattr(row, field, value)
                row.save()
            _invalidate_on_commit(cache_adapter, old_spans + _spans(rows))
    except IntegrityError as error:
        raise _taken(target_date, selected_time, "was just taken") from error
    return rows
