"""Salon services: what the bot may ask of the salon, as plain synchronous functions.

The bot reaches the database only through these (wrapped once with ``sync_to_async`` in
``bot/facade.py``). Every function returns frozen dataclasses with JSON-plain fields or
aware datetimes in the salon's local time — never model instances — so nothing lazy escapes
into async code. Functions that act on a visit take the client's ``telegram_id`` and only
ever touch that client's own visits: a forged callback cannot reach another client's booking.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation

from booking import VisitQuery, freshness, selectors
from booking.adapters.availability import DjangoAvailabilityAdapter, parse_resource_id
from booking.adapters.minutes import to_minutes
from booking.adapters.request import master_ids_of
from booking.engine import BookingChainSolution
from booking.errors import (
    AppointmentNotActiveError,
    ClientOverlapError,
    SlotAlreadyBookedError,
    UnbookableRequestError,
    VisitLimitReachedError,
)
from booking.localtime import in_utc, parse_slot, slot_token
from booking.selectors import DayAvailability, DayStatus
from booking.services import cancel_booking, create_booking, lock_visit, reschedule_booking
from booking.validators import normalise_phone
from djproject.salon import outbox, waitlist
from djproject.salon.booking import SalonPersistenceHook, cache_adapter, get_adapter
from djproject.salon.language import in_language, speaks_language
from djproject.salon.models import (
    Appointment,
    Category,
    Client,
    Master,
    Notification,
    Service,
    SiteSettings,
    WaitlistEntry,
)

__all__ = [
    "CategoryInfo",
    "ClientInfo",
    "DayAvailability",
    "IdempotencyKeyReusedError",
    "MasterInfo",
    "SalonInfo",
    "ServiceInfo",
    "Visit",
    "VisitItem",
    "VisitNotFoundError",
    "book_visit",
    "booking_window",
    "cancel_visit",
    "day_slots",
    "describe_visit",
    "ensure_client",
    "erase_client",
    "erase_client_data",
    "get_visit",
    "list_categories",
    "list_masters",
    "list_services",
    "month_availability",
    "nearest_date",
    "remember_master_photo",
    "reschedule_visit",
    "salon_info",
    "set_client_language",
    "set_client_phone",
    "upcoming_visits",
    "visits_of",
]


log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class VisitNotFoundError(LookupError):
    """No such visit for this client (or it is not upcoming and active any more)."""


class IdempotencyKeyReusedError(ValueError):
    """The idempotency key belongs to another client's visit (a forged or a colliding key)."""


@dataclass(frozen=True)
class SalonInfo:
    name: str
    address: str
    phone: str
    timezone: str


@dataclass(frozen=True)
class ClientInfo:
    telegram_id: int
    name: str
    phone: str
    language: str  # "" until the client picks one


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    name: str


@dataclass(frozen=True)
class ServiceInfo:
    id: int
    name: str
    category_id: int
    duration: int  # minutes
    price: Decimal
    description: str = ""


@dataclass(frozen=True)
class MasterInfo:
    id: int
    name: str
    bio: str = ""
    photo: str = ""  # the stored file's name (MEDIA_ROOT-relative), "" without a photo
    photo_path: str = ""  # where the bot reads it to upload it
    photo_file_id: str = ""  # Telegram's id of it once uploaded: send this instead


@dataclass(frozen=True)
class VisitItem:
    service_name: str
    master_name: str
    starts_at: datetime  # salon local time
    ends_at: datetime
    price: Decimal


@dataclass(frozen=True)
class Visit:
    """One booking of a client: one or more appointments sharing a visit reference."""

    ref: str  # uuid hex, safe in callback data (32 chars)
    status: str  # Appointment.STATUS_*
    starts_at: datetime  # salon local time
    ends_at: datetime
    items: tuple[VisitItem, ...]
    service_ids: tuple[int, ...]
    master_ids: tuple[int, ...]
    total_price: Decimal
    can_change: bool  # cancel/reschedule allowed now (before the cutoff)
    client_name: str = ""  # for staff messages
    client_phone: str = ""


# --------------------------------------------------------------------------------------------
# The salon and its client
# --------------------------------------------------------------------------------------------


def salon_info() -> SalonInfo:
    """The salon's name and contacts (a cached answer: read on nearly every screen)."""
    return freshness.remember("salon_info", (), _salon_info, encode=astuple, decode=lambda v: SalonInfo(*v))


def _salon_info() -> SalonInfo:
    site = SiteSettings.load()
    return SalonInfo(name=site.salon_name, address=site.address, phone=site.phone, timezone=site.tz.key)


def _client_info(client: Client) -> ClientInfo:
    return ClientInfo(
        telegram_id=client.telegram_id, name=client.name, phone=client.phone, language=client.language
    )


def ensure_client(telegram_id: int, *, name: str = "", language_code: str | None = None) -> ClientInfo:
    """The client record of a Telegram user, created on first contact.

    ``language_code`` is Telegram's; it is kept as ``telegram_language`` (when we speak it) so
    that messages sent later, outside any conversation, are in the client's language until
    they pick one with ``set_client_language``. A client who had blocked the bot and comes
    back gets messages again.
    """
    spoken = _spoken_language(language_code)
    client, created = Client.objects.get_or_create(
        telegram_id=telegram_id, defaults={"name": name[:200], "telegram_language": spoken}
    )
    changed = []
    if not created and name and not client.name:
        client.name = name[:200]
        changed.append("name")
    if not created and spoken and client.telegram_language != spoken:
        client.telegram_language = spoken
        changed.append("telegram_language")
    if client.bot_blocked_at is not None:
        client.bot_blocked_at = None
        changed.append("bot_blocked_at")
    if changed:
        client.save(update_fields=changed)
    return _client_info(client)


def _spoken_language(language_code: str | None) -> str:
    """Telegram's IETF tag ("de-AT") reduced to one of the salon's languages, else ""."""
    base = (language_code or "").split("-")[0].lower()
    return base if base in {code for code, _ in settings.LANGUAGES} else ""


def set_client_language(telegram_id: int, language: str) -> ClientInfo:
    if language not in {code for code, _ in settings.LANGUAGES}:
        raise ValueError(f"Unsupported language: {language!r}")
    client, _ = Client.objects.get_or_create(telegram_id=telegram_id)
    client.language = language
    client.save(update_fields=["language"])
    return _client_info(client)


def set_client_phone(telegram_id: int, phone: str, *, shared: bool = False) -> ClientInfo:
    """Store the client's phone in E.164; raises ``InvalidPhoneNumberError`` for anything else
    (a typed number, a contact card with or without a user id: one normaliser for all).
    ``shared``: it came on a contact card (see ``normalise_phone``)."""
    normalised = normalise_phone(phone, SiteSettings.load().phone_region, shared=shared)
    client, _ = Client.objects.get_or_create(telegram_id=telegram_id)
    client.phone = normalised
    client.save(update_fields=["phone"])
    return _client_info(client)


def erase_client(telegram_id: int) -> int:
    """ "Delete my data" from the bot: see ``erase_client_data``; 0 for an unknown user."""
    client = Client.objects.filter(telegram_id=telegram_id).values_list("pk", flat=True).first()
    return 0 if client is None else erase_client_data(client)


def erase_client_data(client_id: int) -> int:
    """Forget a client, in one transaction; returns how many upcoming visits were cancelled.

    Their upcoming visits are cancelled (the cutoff does not hold back an erasure) and the
    masters and the staff chat hear of it through the outbox; the messages to the client
    (sent or not) and their waitlist entries are deleted; the row keeps only its id,
    language-free and unreachable (name, phone, Telegram id cleared), so past visits stay in
    the salon's books without the person. The bot deletes the conversation keys itself
    (``bot/dialogs/privacy.py``).
    """
    adapter = get_adapter()
    with transaction.atomic():
        upcoming = Appointment.objects.filter(
            client_id=client_id, status__in=Appointment.ACTIVE_STATUSES, datetime_end__gt=adapter.now()
        ).order_by("datetime_start", "pk")

        def lock_client() -> None:
            list(Client.objects.select_for_update(of=("self",)).filter(pk=client_id).values_list("pk"))

        # The one lock order (R2): every master of every visit, the client, the appointments.
        rows = list(upcoming)
        locked = lock_visit(adapter, rows, then=lock_client) if rows else []
        if not rows:
            lock_client()
        visits: dict[uuid.UUID, list[Appointment]] = defaultdict(list)
        for row in locked:
            visits[row.booking_ref].append(row)
        for rows in visits.values():
            rows = cancel_booking(adapter, cache_adapter, rows, by_staff=True)
            outbox.drop_pending(rows[0].booking_ref, reason="the client erased their data")
            outbox.enqueue_visit_event(rows, Notification.KIND_CANCELLED, _SALON_SIDE, extra={"by": "client"})
        client = Client.objects.get(pk=client_id)
        if client.telegram_id is not None:
            Notification.objects.filter(
                audience=Notification.AUDIENCE_CLIENT, chat_id=client.telegram_id
            ).delete()
        WaitlistEntry.objects.filter(client_id=client_id).delete()
        client.name = client.phone = client.language = client.telegram_language = ""
        client.telegram_id = client.bot_blocked_at = None
        client.save()
    return len(visits)


# --------------------------------------------------------------------------------------------
# The menu: categories, services, masters
# --------------------------------------------------------------------------------------------


def _answer_language(language: str | None) -> str:
    """The language an answer is computed in, part of its cache key."""
    return language or translation.get_language() or settings.LANGUAGE_CODE


def list_categories(*, language: str | None = None) -> list[CategoryInfo]:
    """Categories with at least one active service, in the salon's order, named in
    ``language`` (a cached answer)."""
    language = _answer_language(language)

    def compute() -> list[CategoryInfo]:
        with in_language(language):
            return _categories()

    return freshness.remember(
        "categories", (language,), compute, encode=_rows, decode=lambda rows: [CategoryInfo(*r) for r in rows]
    )


def _rows(values: Iterable[Any]) -> list[Any]:
    """Frozen dataclasses as JSON-plain rows (decimals as text) for the answer cache."""
    return [[str(v) if isinstance(v, Decimal) else v for v in astuple(value)] for value in values]


def _categories() -> list[CategoryInfo]:
    # A grouped query drops ``Meta.ordering``, so it is stated here.
    rows = (
        Category.objects.annotate(n=Count("services", filter=Q(services__is_active=True)))
        .filter(n__gt=0)
        .order_by("sort_order", "name", "pk")
    )
    return [CategoryInfo(id=c.pk, name=c.name) for c in rows]


def list_services(category_id: int | None = None, *, language: str | None = None) -> list[ServiceInfo]:
    """Active services (of one category), in the salon's order, named and described in
    ``language`` (a cached answer)."""
    language = _answer_language(language)

    def compute() -> list[ServiceInfo]:
        with in_language(language):
            return _services(category_id)

    return freshness.remember(
        "services",
        (category_id, language),
        compute,
        encode=_rows,
        decode=lambda rows: [ServiceInfo(*r[:4], Decimal(r[4]), *r[5:]) for r in rows],
    )


def _services(category_id: int | None) -> list[ServiceInfo]:
    rows = Service.objects.filter(is_active=True).order_by("category__sort_order", "sort_order", "name", "pk")
    if category_id is not None:
        rows = rows.filter(category_id=category_id)
    return [
        ServiceInfo(
            id=s.pk,
            name=s.name,
            category_id=s.category_id,
            duration=s.duration,
            price=s.price,
            description=s.description or "",
        )
        for s in rows
    ]


def list_masters(service_ids: list[int], *, language: str | None = None) -> list[MasterInfo]:
    """Active masters who can do every one of the services, in the salon's order, with name
    and bio in ``language`` (a cached answer)."""
    ids = [int(s) for s in service_ids]
    language = _answer_language(language)

    def compute() -> list[MasterInfo]:
        with in_language(language):
            return _masters(ids)

    return freshness.remember(
        "masters", (ids, language), compute, encode=_rows, decode=lambda rows: [MasterInfo(*r) for r in rows]
    )


def _masters(service_ids: list[int]) -> list[MasterInfo]:
    # A grouped query drops ``Meta.ordering``, so it is stated here.
    needed = set(Service.objects.filter(pk__in=service_ids).values_list("category_id", flat=True))
    if not needed:
        return []
    rows = (
        Master.objects.filter(status=Master.STATUS_ACTIVE, categories__in=needed)
        .annotate(matched=Count("categories", distinct=True))
        .filter(matched=len(needed))
        .order_by("sort_order", "name", "pk")
    )
    return [_master_info(m) for m in rows]


def _master_info(master: Master) -> MasterInfo:
    return MasterInfo(
        id=master.pk,
        name=master.name,
        bio=master.bio or "",
        photo=master.photo.name or "",
        photo_path=master.photo.path if master.photo else "",
        photo_file_id=master.photo_file_id,
    )


def remember_master_photo(master_id: int, photo: str, file_id: str) -> bool:
    """Keep Telegram's id of a master's photo the bot has just uploaded, so that it is never
    uploaded again. Only if the photo is still the one sent (staff may have replaced it
    meanwhile, which clears the id: see ``Master.forget_sent_photo``)."""
    return bool(Master.objects.filter(pk=master_id, photo=photo).update(photo_file_id=file_id))


# --------------------------------------------------------------------------------------------
# Availability
# --------------------------------------------------------------------------------------------


def _visit_rows(ref: str, telegram_id: int | None = None) -> list[Appointment]:
    try:
        key = uuid.UUID(hex=str(ref))
    except ValueError as error:
        raise VisitNotFoundError(ref) from error
    rows = Appointment.objects.filter(booking_ref=key, status__in=Appointment.ACTIVE_STATUSES)
    if telegram_id is not None:
        rows = rows.filter(client__telegram_id=telegram_id)
    found = list(rows.order_by("datetime_start", "pk"))
    if not found:
        raise VisitNotFoundError(ref)
    return found


def visit_query(
    service_ids: list[int], master_id: int | None, reschedule_ref: str | None = None
) -> VisitQuery:
    """The visit the client asks about, built once here for every layer below.

    A reschedule keeps the visit's services and masters and sets its own appointments aside,
    so its current time counts as free.
    """
    if reschedule_ref is None:
        return VisitQuery.any_master([int(s) for s in service_ids], master_id)
    rows = _visit_rows(reschedule_ref)
    return VisitQuery(
        service_ids=tuple(r.service_id for r in rows),
        master_ids=tuple(r.master_id for r in rows),
        exclude_appointment_ids=tuple(r.pk for r in rows),
    )


def booking_window() -> tuple[date, date]:
    """Today and the last bookable date, in the salon's time zone (a cached answer per minute
    of the clock: today changes at the salon's midnight)."""
    return freshness.remember(
        "booking_window",
        (to_minutes(timezone.now()),),
        lambda: selectors.booking_window(get_adapter()),
        encode=lambda window: [d.isoformat() for d in window],
        decode=lambda window: (date.fromisoformat(window[0]), date.fromisoformat(window[1])),
    )


# Availability answers (the calendar, a day's times, the nearest date) are cached per visit
# query and per minute of the clock: the clock decides what is past and what is too soon
# (``min_advance_minutes``), to the minute (``booking.adapters.minutes.to_minutes``). They
# depend on the appointments of the query's masters, whose tokens they carry
# (``booking.freshness``). A reschedule's query sets the visit's own appointments aside; it
# is computed afresh each time.


def _masters_of(query: VisitQuery) -> list[int]:
    """Every master the query may use (a cached answer: it depends on the catalogue only)."""

    def compute() -> list[int]:
        adapter = get_adapter()
        try:
            return master_ids_of(adapter.request_for(query, adapter.today()))
        except UnbookableRequestError:
            return []

    return freshness.remember("masters_of", (query,), compute)


def _availability_answer(
    name: str, query: VisitQuery, parts: tuple[Any, ...], compute: Callable[[], R], **codec: Any
) -> R:
    if query.exclude_appointment_ids:
        return compute()
    minute = to_minutes(timezone.now())
    return freshness.remember(
        name, (query, *parts, minute), compute, masters=lambda: _masters_of(query), **codec
    )


def month_availability(
    service_ids: list[int], master_id: int | None, year: int, month: int, *, reschedule_ref: str | None = None
) -> dict[date, DayAvailability]:
    query = visit_query(service_ids, master_id, reschedule_ref)
    return _availability_answer(
        "month",
        query,
        (year, month),
        lambda: selectors.get_month_availability(get_adapter(), query, year, month),
        encode=lambda days: [
            [d.day.isoformat(), d.status.value, d.free_starts, d.holiday_name] for d in days.values()
        ],
        decode=lambda rows: {
            (day := date.fromisoformat(r[0])): DayAvailability(day, DayStatus(r[1]), r[2], r[3]) for r in rows
        },
    )


def day_slots(
    service_ids: list[int], master_id: int | None, day: date, *, reschedule_ref: str | None = None
) -> list[str]:
    """Free start times of a day as salon-local slot tokens, in time order.

    A token is "HH:MM", or "HH:MM+1" for the second time the clocks show it (the night they
    go back): that night offers 02:30 and, an hour later, 02:30+1 (``booking.localtime``).
    """
    query = visit_query(service_ids, master_id, reschedule_ref)

    def compute() -> list[str]:
        adapter = get_adapter()
        result = selectors.get_available_slots(adapter, query, day, max_solutions=1)
        tz = adapter.salon_tz
        return list(dict.fromkeys(slot_token(start.astimezone(tz)) for start in result.start_datetimes()))

    return _availability_answer("day", query, (day,), compute)


def nearest_date(
    service_ids: list[int], master_id: int | None, *, reschedule_ref: str | None = None
) -> date | None:
    query = visit_query(service_ids, master_id, reschedule_ref)

    def compute() -> date | None:
        adapter = get_adapter()
        result = selectors.get_nearest_slots(adapter, query, adapter.today())
        return result.booking_date if result.has_solutions else None

    return _availability_answer(
        "nearest",
        query,
        (),
        compute,
        encode=lambda day: day.isoformat() if day else None,
        decode=lambda day: date.fromisoformat(day) if day else None,
    )


@dataclass(frozen=True)
class PlannedItem:
    """One service of a visit not booked yet: who would do it, and when (salon local time)."""

    service_id: int
    service_name: str
    master_name: str
    starts_at: datetime


def plan_visit(
    service_ids: list[int],
    master_id: int | None,
    day: date,
    time: str,
    *,
    reschedule_ref: str | None = None,
    language: str | None = None,
) -> list[PlannedItem]:
    """Who would do what, and when, were the visit booked at this slot now: the visit
    ``book_visit`` (or ``reschedule_visit``) would persist, for the summary to name. Booking
    decides again under the locks; an empty list when the slot is gone or names no time."""
    adapter = get_adapter()
    query = visit_query(service_ids, master_id, reschedule_ref)
    try:
        moment = _salon_moment(day, time, adapter.salon_tz)
    except ValueError:  # a token that names no time, or one the clocks skip
        return []
    solution = selectors.get_available_slots(adapter, query, day, max_solutions=1).best_at(moment)
    if solution is None:
        return []
    master_of = {item.resource_id: parse_resource_id(item.resource_id)[0] for item in solution.items}
    with in_language(language):
        names = dict(Service.objects.filter(pk__in=query.service_ids).values_list("pk", "name"))
        masters = dict(Master.objects.filter(pk__in=set(master_of.values())).values_list("pk", "name"))
    return [
        PlannedItem(
            service_id=int(item.service_id),
            service_name=names.get(int(item.service_id), ""),
            master_name=masters.get(master_of[item.resource_id], ""),
            starts_at=item.start_time.astimezone(adapter.salon_tz),
        )
        for item in solution.items
    ]


# --------------------------------------------------------------------------------------------
# Visits
# --------------------------------------------------------------------------------------------


def _salon_moment(day: date, token: str, tz: Any) -> datetime:
    """The instant a client means by a salon-local date and slot token ("HH:MM" or "HH:MM+1").

    Raises ``NonexistentLocalTimeError`` for a time the clocks skip: booking the next
    existing time instead would give the client a visit they did not choose.
    """
    return parse_slot(day, token, tz)


def _once_more_on_database_error(
    func: Callable[P, R], *, safe: Callable[..., bool] = lambda *args, **kwargs: True
) -> Callable[P, R]:
    """Run a write once more after a deadlock, a serialization failure or a lost connection.

    The first attempt's transaction was rolled back whole, so nothing of it remains; the
    connection is replaced if it broke (``close_old_connections``), and the second attempt
    reads everything afresh. Only where the call is ours to repeat: not inside a caller's
    transaction (which is broken now and only the caller can roll back), and only when
    ``safe(*args, **kwargs)`` says a lost COMMIT reply cannot make it happen twice. A second
    failure propagates (the bot answers "please try again").
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (OperationalError, InterfaceError) as error:
            if transaction.get_connection().in_atomic_block or not safe(*args, **kwargs):
                raise
            log.warning("%s failed (%s); retrying once", func.__name__, error)
            close_old_connections()
            return func(*args, **kwargs)

    return wrapper


# Who hears about a client's own change: the visit's masters and the staff chat.
_SALON_SIDE = (Notification.AUDIENCE_MASTER, Notification.AUDIENCE_STAFF)


def _has_key(*args: Any, idempotency_key: str | None = None, **kwargs: Any) -> bool:
    """A booking is repeated safely only with its key: had the first COMMIT gone through
    unreported, the key returns that visit instead of booking a second one."""
    return idempotency_key is not None


@speaks_language
@functools.partial(_once_more_on_database_error, safe=_has_key)
def book_visit(
    telegram_id: int,
    service_ids: list[int],
    master_id: int | None,
    day: date,
    time: str,
    *,
    idempotency_key: str | None = None,
    waitlist_entry_id: int | None = None,
) -> Visit:
    """Book the chosen start; raises ``SlotAlreadyBookedError`` when it was just taken.

    The appointments, the salon's notifications and the client's reminders commit together.
    With an ``idempotency_key`` (the dialog's Confirm) a visit already booked with that key is
    returned as it is, whatever its status, and nothing is booked: a double tap, a retry after
    a crash or a lost COMMIT reply gives one visit. ``waitlist_entry_id``: the client's
    waitlist entry this booking came from, removed with it.
    """
    if idempotency_key is not None and not 0 < len(idempotency_key) <= 64:
        raise ValueError("An idempotency key has 1 to 64 characters.")
    adapter = get_adapter()
    client, _ = Client.objects.get_or_create(telegram_id=telegram_id)
    needs_confirmation = adapter.booking_settings.requires_confirmation
    extra: dict[str, Any] = {
        "status": Appointment.STATUS_PENDING if needs_confirmation else Appointment.STATUS_CONFIRMED,
        "source": Appointment.SOURCE_TELEGRAM,
    }
    if idempotency_key is not None:
        extra["idempotency_key"] = idempotency_key
    if len(service_ids) == 1:
        extra["price"] = Service.objects.filter(pk=service_ids[0]).values_list("price", flat=True).first()
    try:
        with transaction.atomic():
            created = create_booking(
                adapter,
                cache_adapter,
                Appointment,
                visit=visit_query(service_ids, master_id),
                target_date=day,
                selected_time=_salon_moment(day, time, adapter.salon_tz),
                client=client,
                extra_fields=extra,
                persistence_hook=SalonPersistenceHook(),
                guard=_ClientGuard(client, adapter, idempotency_key=idempotency_key),
            )
            if isinstance(created, Visit):
                return created  # the same Confirm again: booked before, nothing new
            rows = created if isinstance(created, list) else [created]
            outbox.enqueue_visit_event(rows, Notification.KIND_BOOKED, _SALON_SIDE)
            outbox.schedule_reminders(rows)
            if waitlist_entry_id is not None:
                waitlist.fulfil(client, waitlist_entry_id)
    except SlotAlreadyBookedError:
        # Two calls with one key raced past the check under the locks: the loser hit the unique
        # key (or the slot the winner took). The winner's visit is the answer, not an error.
        replay = _visit_with_key(client, idempotency_key) if idempotency_key else None
        if replay is None:
            raise
        return replay
    return visits_of(rows, adapter)[0]


class _ClientGuard:
    """The salon's rules for one client's write, run under the master locks (so serialised with
    every other write of those masters) after locking the client's row (so serialised with
    every other write of that client, whichever masters it needs):

    - an idempotency key already used returns its visit (booking only);
    - at most ``max_active_visits_per_client`` upcoming visits (booking only; 0 = no limit);
    - no two active visits of the client overlap (a moved visit is not compared with itself).
    """

    def __init__(
        self,
        client: Client,
        adapter: DjangoAvailabilityAdapter,
        *,
        idempotency_key: str | None = None,
        moving: uuid.UUID | None = None,
    ) -> None:
        self.client = client
        self.adapter = adapter
        self.idempotency_key = idempotency_key
        self.moving = moving

    def under_lock(self) -> Visit | None:
        # NO KEY: two writes of this client still queue here, but an admin inserting an
        # appointment for the client (a foreign-key share lock on this row) does not wait.
        client_row = Client.objects.select_for_update(of=("self",), no_key=True).filter(pk=self.client.pk)
        list(client_row.values_list("pk"))
        if self.moving is not None:
            return None
        if self.idempotency_key and (replay := _replay_of(self.client, self.idempotency_key)):
            return replay
        limit = self.adapter.booking_settings.max_active_visits_per_client
        if limit and self._upcoming().values("booking_ref").distinct().count() >= limit:
            raise VisitLimitReachedError(limit)
        return None

    def check(self, solution: BookingChainSolution) -> None:
        starts_at = min(item.start_time for item in solution.items)
        ends_at = max(item.end_time for item in solution.items)
        clash = (
            self._upcoming()
            .filter(datetime_start__lt=ends_at, datetime_end__gt=starts_at)
            .order_by("datetime_start")
            .first()
        )
        if clash is not None:
            tz = self.adapter.salon_tz
            raise ClientOverlapError(clash.datetime_start.astimezone(tz), clash.datetime_end.astimezone(tz))

    def _upcoming(self) -> QuerySet[Appointment]:
        rows = Appointment.objects.filter(
            client=self.client, status__in=Appointment.ACTIVE_STATUSES, datetime_end__gt=self.adapter.now()
        )
        return rows.exclude(booking_ref=self.moving) if self.moving is not None else rows


def _replay_of(client: Client, idempotency_key: str) -> Visit | None:
    """The visit this key already booked, seen under the locks (a committed first call)."""
    return _visit_with_key(client, idempotency_key)


def _visit_with_key(client: Client, idempotency_key: str) -> Visit | None:
    """The visit (all its items, any status) whose first item carries the key, if any."""
    first = (
        Appointment.objects.filter(idempotency_key=idempotency_key).only("booking_ref", "client_id").first()
    )
    if first is None:
        return None
    if first.client_id != client.pk:
        raise IdempotencyKeyReusedError(idempotency_key)
    return visits_of(Appointment.objects.filter(booking_ref=first.booking_ref))[0]


@speaks_language
def upcoming_visits(telegram_id: int) -> list[Visit]:
    adapter = get_adapter()
    rows = Appointment.objects.filter(
        client__telegram_id=telegram_id,
        status__in=Appointment.ACTIVE_STATUSES,
        datetime_end__gt=adapter.now(),
    ).order_by("datetime_start", "pk")
    return visits_of(rows, adapter)


@speaks_language
def get_visit(telegram_id: int, ref: str) -> Visit:
    return visits_of(_visit_rows(ref, telegram_id))[0]


@speaks_language
def describe_visit(ref: str) -> Visit | None:
    """A visit in any status, for rendering a notification about it (no owner check)."""
    try:
        key = uuid.UUID(hex=str(ref))
    except ValueError:
        return None
    rows = list(Appointment.objects.filter(booking_ref=key).order_by("datetime_start", "pk"))
    return visits_of(rows)[0] if rows else None


@speaks_language
@_once_more_on_database_error
def cancel_visit(telegram_id: int, ref: str) -> Visit:
    """Cancel the client's own visit; raises ``CancellationTooLateError`` after the cutoff."""
    adapter = get_adapter()
    try:
        with transaction.atomic():
            rows = cancel_booking(adapter, cache_adapter, _visit_rows(ref, telegram_id))
            outbox.drop_pending(rows[0].booking_ref, reason="cancelled by the client")
            outbox.enqueue_visit_event(rows, Notification.KIND_CANCELLED, _SALON_SIDE, extra={"by": "client"})
    except AppointmentNotActiveError as error:
        raise VisitNotFoundError(ref) from error
    return visits_of(rows, adapter)[0]


@speaks_language
@_once_more_on_database_error
def reschedule_visit(telegram_id: int, ref: str, day: date, time: str) -> Visit:
    """Move the client's own visit; the old time is kept unless the new one is booked."""
    adapter = get_adapter()
    try:
        with transaction.atomic():
            old = _visit_rows(ref, telegram_id)
            old_start = old[0].datetime_start
            rows = reschedule_booking(
                adapter,
                cache_adapter,
                old,
                target_date=day,
                selected_time=_salon_moment(day, time, adapter.salon_tz),
                guard=_ClientGuard(old[0].client, adapter, moving=old[0].booking_ref),
            )
            outbox.drop_pending(rows[0].booking_ref, reason="moved by the client")
            outbox.enqueue_visit_event(
                rows,
                Notification.KIND_RESCHEDULED,
                _SALON_SIDE,
                extra={"by": "client", "old_starts_at": old_start.isoformat()},
            )
            outbox.schedule_reminders(rows)
    except AppointmentNotActiveError as error:
        raise VisitNotFoundError(ref) from error
    return visits_of(rows, adapter)[0]


def visits_of(
    rows: Iterable[Appointment],
    adapter: DjangoAvailabilityAdapter | None = None,
    *,
    one_master: int | None = None,
) -> list[Visit]:
    """Group appointments into visits (by visit reference), in order of start.

    ``one_master`` keeps only that master's items (a master's own view of a shared visit).
    """
    adapter = adapter or get_adapter()
    groups: dict[uuid.UUID, list[Appointment]] = defaultdict(list)
    for row in rows:
        if one_master is None or row.master_id == one_master:
            groups[row.booking_ref].append(row)
    if not groups:
        return []
    every = [r for g in groups.values() for r in g]
    names = dict(Service.objects.filter(pk__in={r.service_id for r in every}).values_list("pk", "name"))
    masters = dict(Master.objects.filter(pk__in={r.master_id for r in every}).values_list("pk", "name"))
    clients = {c.pk: c for c in Client.objects.filter(pk__in={r.client_id for r in every if r.client_id})}
    tz = adapter.salon_tz
    cutoff = timedelta(minutes=adapter.booking_settings.cancellation_cutoff_minutes)
    now = adapter.now()
    visits = []
    for ref, items in groups.items():
        items.sort(key=lambda r: (r.datetime_start, r.pk))
        starts_at = items[0].datetime_start
        client = clients.get(items[0].client_id)
        visits.append(
            Visit(
                ref=ref.hex,
                status=items[0].status,
                starts_at=starts_at.astimezone(tz),
                ends_at=max(r.datetime_end for r in items).astimezone(tz),
                items=tuple(
                    VisitItem(
                        service_name=names.get(r.service_id, ""),
                        master_name=masters.get(r.master_id, ""),
                        starts_at=r.datetime_start.astimezone(tz),
                        ends_at=r.datetime_end.astimezone(tz),
                        price=r.price if r.price is not None else Decimal("0"),
                    )
                    for r in items
                ),
                service_ids=tuple(r.service_id for r in items),
                master_ids=tuple(r.master_id for r in items),
                total_price=sum((r.price or Decimal("0") for r in items), Decimal("0")),
                can_change=in_utc(starts_at) - in_utc(now) >= cutoff,
                client_name=str(client) if client else "",
                client_phone=client.phone if client else "",
            )
        )
    return sorted(visits, key=lambda v: v.starts_at)
