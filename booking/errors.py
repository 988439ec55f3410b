"""Errors of the booking services, each one a situation a client or staff member can be told about."""

from booking.engine import NoAvailabilityError, SlotAlreadyBookedError

__all__ = [
    "AppointmentNotActiveError",
    "BookingError",
    "CancellationTooLateError",
    "SlotAlreadyBookedError",
    "UnbookableRequestError",
]


class BookingError(Exception):
    """Base of the booking services' own errors."""


class UnbookableRequestError(NoAvailabilityError, ValueError):
    """A service is unknown or inactive, or no master may do it as asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message)


class CancellationTooLateError(BookingError):
    """A client tried to cancel or move a visit after the salon's cutoff."""

    def __init__(self, starts_at: object, cutoff_minutes: int) -> None:
        self.starts_at = starts_at
        self.cutoff_minutes = cutoff_minutes
        super().__init__(f"Changes are possible until {cutoff_minutes} minutes before the start.")


class AppointmentNotActiveError(BookingError):
    """The appointment is already cancelled, completed or marked as a no-show."""
