"""The bot's only door to the database: one async method per salon service.

Each method is exactly one call into ``djproject.salon.services`` (or ``djproject.salon.staff``
for the staff side) on a thread of the ORM pool (``bot.orm_threads``), so a whole booking step
(transaction, locks, insert) runs in one thread hop and no ORM object escapes into async code.
The pool's threads run the calls of different clients at the same time, and each call is
handled as Django handles a request: a connection that the server dropped is replaced before
the call's first query. Handlers and getters never import the ORM.

``OutboxFacade`` is the notification sender's door: the outbox claim protocol
(``djproject.salon.outbox``) plus what rendering needs, on a thread of the sender's own.

Everything a client reads by name (categories, services, masters, visits, waitlist entries) is
asked for in the language of the update being handled (``bot.texts.current_locale``), passed
explicitly as ``language=``: the ORM thread has no idea who it is serving.

The salon's own errors are re-exported here under the names the handlers catch, so the
dialogs do not depend on where the core keeps them.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, time, timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections

from booking.engine import BookingEngineError, SlotAlreadyBookedError
from booking.errors import (
    CancellationTooLateError,
    ClientOverlapError,
    NonexistentLocalTimeError,
    UnbookableRequestError,
    VisitLimitReachedError,
)
from booking.validators import InvalidPhoneNumberError
from bot.orm_threads import OrmThreads, default_pool
from bot.texts import current_locale

if TYPE_CHECKING:
    from djproject.salon.off_requests import OffRequestInfo
    from djproject.salon.outbox import OutboxMessage
    from djproject.salon.services import (
        CategoryInfo,
        ClientInfo,
        MasterInfo,
        SalonInfo,
        ServiceInfo,
        Visit,
    )
    from djproject.salon.waitlist import WaitlistChoice, WaitlistInfo, WaitlistOffer


__all__ = [
    "VISIT_REF_RE",
    "BookingEngineError",
    "BookingFacade",
    "ClientOverlapError",
    "InvalidPhoneNumberError",
    "NonexistentLocalTimeError",
    "NotAllowedError",
    "OffRequestRefusedError",
    "OutboxFacade",
    "SlotAlreadyBookedError",
    "TooLateToChangeError",
    "UnbookableRequestError",
    "VisitLimitReachedError",
    "VisitNotFoundError",
    "WaitlistRefusedError",
    "WaitlistSlotGoneError",
]


log = logging.getLogger(__name__)

# A visit reference as the salon services hand it out (uuid hex): anything else is forged.
VISIT_REF_RE = re.compile(r"^[0-9a-f]{32}$")


class TooLateToChangeError(Exception):
    """The visit is inside the cancellation cutoff (the core's CancellationTooLateError)."""


class VisitNotFoundError(LookupError):
    """No such upcoming visit of this client (also what a forged visit reference gets); for
    the staff buttons: the visit is no longer pending."""


class NotAllowedError(PermissionError):
    """This Telegram user may not act on that visit (not the staff chat, not its master)."""


class WaitlistRefusedError(ValueError):
    """The waitlist entry cannot be made (days outside the window, too many entries)."""


class WaitlistSlotGoneError(LookupError):
    """The time tapped under a waitlist offer has gone; ``offer`` is what is free now (or None)."""

    def __init__(self, offer: WaitlistOffer | None) -> None:
        super().__init__("the time has gone")
        self.offer = offer


class OffRequestRefusedError(ValueError):
    """A time-off request for a day or hours that cannot be asked for."""


class BookingFacade:
    """Async wrapper over the salon services module (injectable for tests and benchmarks).

    ``threads``: the pool the calls run on; by default the process's one pool, shared by
    every dispatcher of the process."""

    def __init__(
        self,
        services: ModuleType | None = None,
        staff: ModuleType | None = None,
        waitlist: ModuleType | None = None,
        off_requests: ModuleType | None = None,
        *,
        threads: OrmThreads | None = None,
    ) -> None:
        self._threads = threads or default_pool()
        self._services = services or importlib.import_module("djproject.salon.services")
        self._staff = staff or importlib.import_module("djproject.salon.staff")
        self._waitlist = waitlist or importlib.import_module("djproject.salon.waitlist")
        self._off = off_requests or importlib.import_module("djproject.salon.off_requests")
        self._not_found = getattr(self._services, "VisitNotFoundError", VisitNotFoundError)
        self._not_allowed = getattr(self._staff, "NotAllowedError", NotAllowedError)
        self._refused = getattr(self._waitlist, "WaitlistError", WaitlistRefusedError)
        self._gone = getattr(self._waitlist, "WaitlistSlotGoneError", WaitlistSlotGoneError)
        self._off_refused = getattr(self._off, "OffRequestError", OffRequestRefusedError)

    async def _call(self, function_name: str, /, *args: Any, **kwargs: Any) -> Any:
        return await self._run(getattr(self._services, function_name), *args, **kwargs)

    async def _run(self, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        try:
            return await self._threads.run(function, *args, **kwargs)
        except self._not_found as error:
            raise VisitNotFoundError(str(error)) from error
        except CancellationTooLateError as error:
            raise TooLateToChangeError(str(error)) from error
        except self._not_allowed as error:
            raise NotAllowedError(str(error)) from error
        except self._refused as error:
            raise WaitlistRefusedError(str(error)) from error
        except self._gone as error:
            raise WaitlistSlotGoneError(getattr(error, "offer", None)) from error
        except self._off_refused as error:
            raise OffRequestRefusedError(str(error)) from error

    @property
    def threads(self) -> OrmThreads:
        return self._threads

    async def salon_info(self) -> SalonInfo:
        return await self._call("salon_info")

    async def ensure_client(
        self, telegram_id: int, *, name: str = "", language_code: str | None = None
    ) -> ClientInfo:
        return await self._call("ensure_client", telegram_id, name=name, language_code=language_code)

    async def set_client_language(self, telegram_id: int, language: str) -> ClientInfo:
        return await self._call("set_client_language", telegram_id, language)

    async def erase_client(self, telegram_id: int) -> int:
        return await self._call("erase_client", telegram_id)

    async def set_client_phone(self, telegram_id: int, phone: str, *, shared: bool = False) -> ClientInfo:
        return await self._call("set_client_phone", telegram_id, phone, shared=shared)

    async def list_categories(self) -> list[CategoryInfo]:
        return await self._call("list_categories", language=current_locale())

    async def list_services(self, category_id: int | None = None) -> list[ServiceInfo]:
        return await self._call("list_services", category_id, language=current_locale())

    async def list_masters(self, service_ids: list[int]) -> list[MasterInfo]:
        return await self._call("list_masters", list(service_ids), language=current_locale())

    async def remember_master_photo(self, master_id: int, photo: str, file_id: str) -> bool:
        """Telegram's id of a master's photo just uploaded: later sends reuse it."""
        return await self._call("remember_master_photo", master_id, photo, file_id)

    async def month_availability(
        self,
        service_ids: list[int],
        master_id: int | None,
        year: int,
        month: int,
        *,
        reschedule_ref: str | None = None,
    ) -> dict[date, Any]:
        return await self._call(
            "month_availability", list(service_ids), master_id, year, month, reschedule_ref=reschedule_ref
        )

    async def day_slots(
        self, service_ids: list[int], master_id: int | None, day: date, *, reschedule_ref: str | None = None
    ) -> list[str]:
        return await self._call("day_slots", list(service_ids), master_id, day, reschedule_ref=reschedule_ref)

    async def nearest_date(
        self, service_ids: list[int], master_id: int | None, *, reschedule_ref: str | None = None
    ) -> date | None:
        return await self._call("nearest_date", list(service_ids), master_id, reschedule_ref=reschedule_ref)

    async def plan_visit(
        self,
        service_ids: list[int],
        master_id: int | None,
        day: date,
        time: str,
        *,
        reschedule_ref: str | None = None,
    ) -> list[Any]:
        return await self._call(
            "plan_visit",
            list(service_ids),
            master_id,
            day,
            time,
            reschedule_ref=reschedule_ref,
            language=current_locale(),
        )

    async def booking_window(self) -> tuple[date, date]:
        return await self._call("booking_window")

    async def book_visit(
        self,
        telegram_id: int,
        service_ids: list[int],
        master_id: int | None,
        day: date,
        time: str,
        *,
        idempotency_key: str | None = None,
        waitlist_entry_id: int | None = None,
    ) -> Visit:
        """Book; with the summary's ``idempotency_key`` a Confirm repeated for any reason
        returns the visit that key already booked instead of booking another. A booking from a
        waitlist offer names its entry, which goes with the booking."""
        return await self._call(
            "book_visit",
            telegram_id,
            list(service_ids),
            master_id,
            day,
            time,
            idempotency_key=idempotency_key,
            waitlist_entry_id=waitlist_entry_id,
            language=current_locale(),
        )

    async def upcoming_visits(self, telegram_id: int) -> list[Visit]:
        return await self._call("upcoming_visits", telegram_id, language=current_locale())

    async def get_visit(self, telegram_id: int, ref: str) -> Visit:
        return await self._call("get_visit", telegram_id, ref, language=current_locale())

    async def cancel_visit(self, telegram_id: int, ref: str) -> Visit:
        return await self._call("cancel_visit", telegram_id, ref, language=current_locale())

    async def reschedule_visit(self, telegram_id: int, ref: str, day: date, time: str) -> Visit:
        return await self._call("reschedule_visit", telegram_id, ref, day, time, language=current_locale())

    # --- the waitlist (djproject.salon.waitlist) -------------------------------------------------

    async def join_waitlist(
        self, telegram_id: int, service_ids: list[int], master_id: int | None, first: date, last: date
    ) -> WaitlistInfo:
        """``WaitlistRefusedError`` when the days or the services cannot be waited for."""
        return await self._run(self._waitlist.join, telegram_id, list(service_ids), master_id, first, last)

    async def waitlist_entries(self, telegram_id: int) -> list[WaitlistInfo]:
        return await self._run(self._waitlist.entries_of, telegram_id, language=current_locale())

    async def remove_waitlist_entry(self, telegram_id: int, entry_id: int) -> bool:
        return await self._run(self._waitlist.remove, telegram_id, entry_id)

    async def choose_waitlist_slot(
        self, telegram_id: int, entry_id: int, day: date, time: str
    ) -> WaitlistChoice:
        """What to book for a time tapped under an offer; ``WaitlistSlotGoneError`` if it has gone."""
        return await self._run(
            self._waitlist.choose, telegram_id, entry_id, day, time, language=current_locale()
        )

    # --- a visit the salon cancelled (djproject.salon.schedule_changes) -------------------------

    async def rebook_services(self, telegram_id: int, ref: str) -> list[int]:
        """The bookable services of the client's own visit, for "Choose another time"."""
        module = importlib.import_module("djproject.salon.schedule_changes")
        return await self._run(module.rebook_services, telegram_id, ref)

    # --- the staff side (djproject.salon.staff) ------------------------------------------------

    async def confirm_visit(
        self, ref: str, *, chat_id: int, user_id: int, language: str | None = None
    ) -> Visit:
        """A Confirm button: pending → confirmed (``VisitNotFoundError`` if no longer pending).
        ``language``: the staff message's (the edit keeps it), else the presser's."""
        return await self._run(
            self._staff.confirm_visit,
            ref,
            actor=(chat_id, user_id),
            pending_only=True,
            language=language or current_locale(),
        )

    async def decline_visit(
        self, ref: str, *, chat_id: int, user_id: int, language: str | None = None
    ) -> Visit:
        """A Decline button: pending → cancelled, the time freed (``VisitNotFoundError`` if no
        longer pending)."""
        return await self._run(
            self._staff.decline_visit,
            ref,
            actor=(chat_id, user_id),
            pending_only=True,
            language=language or current_locale(),
        )

    async def master_day(self, telegram_id: int) -> tuple[str, list[Visit]]:
        """The master's name and visits today (salon time); ``NotAllowedError`` for others."""
        return await self._run(self._staff.master_day, telegram_id, language=current_locale())

    async def master_week(self, telegram_id: int) -> tuple[str, list[tuple[date, list[Visit]]]]:
        """The master's name and the next seven days with their visits; ``NotAllowedError``."""
        return await self._run(self._staff.master_week, telegram_id, language=current_locale())

    # --- time off asked for by a master (djproject.salon.off_requests) ---------------------------

    async def off_request_days(self, telegram_id: int) -> list[date]:
        """The days a master may ask off; ``NotAllowedError`` for anyone else."""
        return await self._run(self._off.request_days, telegram_id)

    async def request_off(
        self, telegram_id: int, day: date, start: time | None, end: time | None, reason: str
    ) -> OffRequestInfo:
        """Store the request and tell the staff chat; ``OffRequestRefusedError`` for bad days."""
        return await self._run(self._off.request_off, telegram_id, day, start, end, reason)

    async def decide_off(
        self, ref: str, *, approve: bool, cancel_affected: bool, chat_id: int, user_id: int, name: str
    ) -> OffRequestInfo:
        """Approve or decline in the staff chat (``NotAllowedError`` elsewhere or for the asking
        master, ``VisitNotFoundError`` when decided already)."""
        return await self._run(
            self._off.decide,
            ref,
            approve=approve,
            cancel_affected=cancel_affected,
            chat_id=chat_id,
            user_id=user_id,
            name=name,
        )


class OutboxFacade:
    """The notification sender's door to the database.

    Every call runs on ``executor`` — give each sender its own single-thread executor. With
    asgiref's default (thread-sensitive) mode every sender of a process would share one thread
    and never really overlap; with its own thread each sender holds its own connection and
    claims, sends and marks independently of the others and of the dispatcher's queries.
    """

    def __init__(
        self,
        executor: ThreadPoolExecutor,
        *,
        outbox: ModuleType | None = None,
        services: ModuleType | None = None,
    ) -> None:
        self._executor = executor
        self._outbox = outbox or importlib.import_module("djproject.salon.outbox")
        self._services = services or importlib.import_module("djproject.salon.services")

    async def _run(self, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return await sync_to_async(function, thread_sensitive=False, executor=self._executor)(*args, **kwargs)

    async def refresh_connection(self) -> None:
        """Drop the thread's connection if it broke or outlived CONN_MAX_AGE (a long-running
        worker has no request cycle to do it)."""
        await self._run(close_old_connections)

    async def close_connection(self) -> None:
        await self._run(connections.close_all)

    async def claim_due(self, limit: int, *, lease: timedelta | None = None) -> list[OutboxMessage]:
        if lease is None:
            return await self._run(self._outbox.claim_due, limit)
        return await self._run(self._outbox.claim_due, limit, lease=lease)

    async def next_due_in(self) -> float | None:
        return await self._run(self._outbox.next_due_in)

    async def purge_delivered(self) -> int:
        return await self._run(self._outbox.purge_delivered)

    async def mark_sent(self, message_id: int) -> None:
        await self._run(self._outbox.mark_sent, message_id)

    async def mark_retry(
        self, message_id: int, error: str, delay_seconds: float, *, tried: bool = True
    ) -> bool:
        return await self._run(self._outbox.mark_retry, message_id, error, delay_seconds, tried=tried)

    async def mark_recipient_blocked(self, message_id: int, error: str) -> int:
        return await self._run(self._outbox.mark_recipient_blocked, message_id, error)

    async def mark_dropped(self, message_id: int, reason: str) -> None:
        await self._run(self._outbox.mark_dropped, message_id, reason)

    def backoff_seconds(self, attempts: int) -> float:
        return self._outbox.backoff_seconds(attempts)  # pure arithmetic, no database

    async def describe_visit(self, ref: str, language: str) -> Visit | None:
        """The visit as the row's recipient reads it (names in the row's language)."""
        return await self._run(self._services.describe_visit, ref, language=language)

    async def waitlist_offer(self, ref: str, day: date, language: str) -> WaitlistOffer | None:
        """The free times of a waitlist entry on a day, read when its message is sent."""
        waitlist = importlib.import_module("djproject.salon.waitlist")
        return await self._run(waitlist.offer, ref, day, language=language)

    async def salon_info(self) -> SalonInfo:
        return await self._run(self._services.salon_info)

    async def off_request(self, ref: str) -> OffRequestInfo | None:
        """A time-off request as it is when its message is sent."""
        off_requests = importlib.import_module("djproject.salon.off_requests")
        return await self._run(off_requests.describe, ref)
