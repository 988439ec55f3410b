"""The bot's only door to the database: one async method per salon service.

Each method is exactly one ``sync_to_async`` call into ``djproject.salon.services``, so a
whole booking step (transaction, locks, insert) runs in one thread hop and no ORM object
escapes into async code. Handlers and getters never import the ORM.

The salon's own errors are re-exported here under the names the handlers catch, so the
dialogs do not depend on where the core keeps them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date
from types import ModuleType
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async

from booking.engine import BookingEngineError, SlotAlreadyBookedError
from booking.errors import CancellationTooLateError

if TYPE_CHECKING:
    from djproject.salon.services import (
        CategoryInfo,
        ClientInfo,
        MasterInfo,
        SalonInfo,
        ServiceInfo,
        Visit,
    )


__all__ = [
    "BookingEngineError",
    "BookingFacade",
    "SlotAlreadyBookedError",
    "TooLateToChangeError",
    "VisitNotFoundError",
]


class TooLateToChangeError(Exception):
    """The visit is inside the cancellation cutoff (the core's CancellationTooLateError)."""


class VisitNotFoundError(LookupError):
    """No such upcoming visit of this client (also what a forged visit reference gets)."""


class BookingFacade:
    """Async wrapper over the salon services module (injectable for tests and benchmarks)."""

    def __init__(self, services: ModuleType | None = None) -> None:
        self._services = services or importlib.import_module("djproject.salon.services")
        self._not_found = getattr(self._services, "VisitNotFoundError", VisitNotFoundError)

    async def _call(self, function_name: str, /, *args: Any, **kwargs: Any) -> Any:
        function: Callable[..., Any] = getattr(self._services, function_name)
        try:
            return await sync_to_async(function)(*args, **kwargs)
        except self._not_found as error:
            raise VisitNotFoundError(str(error)) from error
        except CancellationTooLateError as error:
            raise TooLateToChangeError(str(error)) from error

    async def salon_info(self) -> SalonInfo:
        return await self._call("salon_info")

    async def ensure_client(
        self, telegram_id: int, *, name: str = "", language_code: str | None = None
    ) -> ClientInfo:
        return await self._call("ensure_client", telegram_id, name=name, language_code=language_code)

    async def set_client_language(self, telegram_id: int, language: str) -> ClientInfo:
        return await self._call("set_client_language", telegram_id, language)

    async def set_client_phone(self, telegram_id: int, phone: str) -> ClientInfo:
        return await self._call("set_client_phone", telegram_id, phone)

    async def list_categories(self) -> list[CategoryInfo]:
        return await self._call("list_categories")

    async def list_services(self, category_id: int | None = None) -> list[ServiceInfo]:
        return await self._call("list_services", category_id)

    async def list_masters(self, service_ids: list[int]) -> list[MasterInfo]:
        return await self._call("list_masters", list(service_ids))

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

    async def booking_window(self) -> tuple[date, date]:
        return await self._call("booking_window")

    async def book_visit(
        self, telegram_id: int, service_ids: list[int], master_id: int | None, day: date, time: str
    ) -> Visit:
        return await self._call("book_visit", telegram_id, list(service_ids), master_id, day, time)

    async def upcoming_visits(self, telegram_id: int) -> list[Visit]:
        return await self._call("upcoming_visits", telegram_id)

    async def get_visit(self, telegram_id: int, ref: str) -> Visit:
        return await self._call("get_visit", telegram_id, ref)

    async def cancel_visit(self, telegram_id: int, ref: str) -> Visit:
        return await self._call("cancel_visit", telegram_id, ref)

    async def reschedule_visit(self, telegram_id: int, ref: str, day: date, time: str) -> Visit:
        return await self._call("reschedule_visit", telegram_id, ref, day, time)
