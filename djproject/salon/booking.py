"""The booking core wired to the salon's models: the adapter, the cache and the visit hook."""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone

from booking.adapters.availability import DjangoAvailabilityAdapter
from booking.adapters.cache import BookingCacheAdapter
from booking.services import item_fields
from djproject.salon.models import (
    Appointment,
    BookingSettings,
    DayOff,
    Master,
    Service,
    SiteSettings,
    TimeBlock,
    WorkingDay,
)

cache_adapter = BookingCacheAdapter()


def get_adapter(clock: Callable[[], datetime] = timezone.now) -> DjangoAvailabilityAdapter:
    """A fresh adapter (it memoises the settings, so one per request or booking)."""
    return DjangoAvailabilityAdapter(
        master_model=Master,
        appointment_model=Appointment,
        service_model=Service,
        working_day_model=WorkingDay,
        day_off_model=DayOff,
        booking_settings_model=BookingSettings,
        site_settings_model=SiteSettings,
        cache_adapter=cache_adapter,
        clock=clock,
        time_block_model=TimeBlock,
    )


class SalonPersistenceHook:
    """One Appointment per service of the visit, all sharing one visit reference.

    An ``idempotency_key`` among the extra fields goes on the first item only (it is unique:
    one key, one visit).
    """

    def persist_chain(
        self,
        solution: Any,
        service_ids: list[int],
        client: Any,
        extra_fields: dict[str, Any] | None = None,
    ) -> list[Appointment]:
        extra = dict(extra_fields or {})
        ref = extra.pop("booking_ref", None) or uuid.uuid4()
        key = extra.pop("idempotency_key", None)
        prices = dict(Service.objects.filter(pk__in=service_ids).values_list("pk", "price"))
        created = []
        for index, (service_id, item) in enumerate(zip(service_ids, solution.items, strict=True)):
            created.append(
                Appointment.objects.create(
                    **item_fields(item),
                    service_id=int(service_id),
                    client=client,
                    booking_ref=ref,
                    price=prices.get(int(service_id)),
                    idempotency_key=key if index == 0 else None,
                    **extra,
                )
            )
        return created
