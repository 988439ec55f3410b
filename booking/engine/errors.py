"""Errors of the booking engine.

One base class, so a caller can catch every engine error at once, and one subclass per thing
that can go wrong for a client. The constructors keep the reference engine's keyword arguments
(codex-services 0.1.4), so code that raises them keeps working.

    BookingEngineError
    ├── NoAvailabilityError          no free slot for the request
    ├── InvalidServiceDurationError  a service with a duration that cannot be booked
    ├── InvalidBookingDateError      a date that cannot be booked (past, too far, closed)
    ├── ResourceNotAvailableError    the chosen master does not work that day
    ├── SlotAlreadyBookedError       the slot was taken between showing and confirming
    └── ChainBuildError              a multi-service visit could not be put together
"""

from __future__ import annotations

from datetime import date

__all__ = [
    "BookingEngineError",
    "ChainBuildError",
    "InvalidBookingDateError",
    "InvalidServiceDurationError",
    "NoAvailabilityError",
    "ResourceNotAvailableError",
    "SlotAlreadyBookedError",
]


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


class BookingEngineError(Exception):
    """Base of all engine errors; ``str(error)`` is a message a client may read."""

    default_message: str = "Booking system error"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)


class NoAvailabilityError(BookingEngineError):
    """The engine found no visit for the request on the date."""

    default_message = "Unfortunately, there are no available slots for these services on the selected date."

    def __init__(
        self,
        booking_date: date | None = None,
        service_ids: list[str] | None = None,
        message: str | None = None,
    ) -> None:
        self.booking_date = booking_date
        self.service_ids = list(service_ids or [])
        if message is None and booking_date is not None:
            message = (
                f"No free slots on {_day(booking_date)} for the selected services. "
                "Please try choosing another date."
            )
        super().__init__(message)


class InvalidServiceDurationError(BookingEngineError):
    """A service whose duration cannot be booked (zero, negative or beyond a limit)."""

    default_message = "Incorrect service duration."

    def __init__(
        self,
        service_id: str | None = None,
        duration_minutes: int | None = None,
        message: str | None = None,
    ) -> None:
        self.service_id = service_id
        self.duration_minutes = duration_minutes
        if message is None and service_id is not None and duration_minutes is not None:
            message = (
                f"Service {service_id}: incorrect duration {duration_minutes} min. "
                "Duration must be greater than 0."
            )
        super().__init__(message)


class InvalidBookingDateError(BookingEngineError):
    """A date that cannot be booked: in the past, too far ahead, or the salon is closed."""

    default_message = "The selected date is unavailable for booking."

    def __init__(
        self,
        booking_date: date | None = None,
        reason: str | None = None,
        message: str | None = None,
    ) -> None:
        self.booking_date = booking_date
        self.reason = reason
        if message is None and booking_date is not None:
            message = (
                f"Date {_day(booking_date)} is unavailable: {reason}."
                if reason
                else f"Date {_day(booking_date)} is unavailable for booking."
            )
        super().__init__(message)


class SlotAlreadyBookedError(BookingEngineError):
    """The slot was free when shown but taken by someone else before the client confirmed."""

    default_message = "The selected slot was booked. Please choose another time."

    def __init__(
        self,
        resource_id: str | None = None,
        service_id: str | None = None,
        booking_date: date | None = None,
        slot_time: str | None = None,
        message: str | None = None,
    ) -> None:
        self.resource_id = resource_id
        self.service_id = service_id
        self.booking_date = booking_date
        self.slot_time = slot_time
        if message is None and slot_time and booking_date is not None:
            message = (
                f"Slot {slot_time} on {_day(booking_date)} was booked while you were processing. "
                "Please choose another time."
            )
        super().__init__(message)


class ChainBuildError(BookingEngineError):
    """A multi-service visit was started but could not be completed under the rules."""

    default_message = "Could not find a schedule for all selected services."

    def __init__(
        self,
        failed_at_index: int | None = None,
        reason: str | None = None,
        message: str | None = None,
    ) -> None:
        self.failed_at_index = failed_at_index
        self.reason = reason
        if message is None and reason:
            message = f"Could not assemble the chain: {reason}."
        super().__init__(message)


class ResourceNotAvailableError(BookingEngineError):
    """The master the client locked on does not work on the date (RESOURCE_LOCKED)."""

    default_message = "The selected resource is unavailable on this date."

    def __init__(
        self,
        resource_id: str | None = None,
        booking_date: date | None = None,
        message: str | None = None,
    ) -> None:
        self.resource_id = resource_id
        self.booking_date = booking_date
        if message is None and booking_date is not None:
            message = f"Resource unavailable on {_day(booking_date)}. Please try another date."
        super().__init__(message)
