"""Errors of the booking services, each one a situation a client or staff member can be told about."""

from booking.engine import NoAvailabilityError, SlotAlreadyBookedError

__all__ = [
    "AppointmentNotActiveError",
    "BookingError",
    "CancellationTooLateError",
    "ClientOverlapError",
    "NonexistentLocalTimeError",
    "SlotAlreadyBookedError",
    "UnbookableRequestError",
    "VisitLimitReachedError",
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


class VisitLimitReachedError(BookingError):
    """The client already holds ``BookingSettings.max_active_visits_per_client`` upcoming visits."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"A client may hold at most {limit} upcoming visits.")


class ClientOverlapError(BookingError):
    """The new time overlaps another active visit of the same client (one client, one place)."""

    def __init__(self, starts_at: object, ends_at: object) -> None:
        self.starts_at = starts_at
        self.ends_at = ends_at
        super().__init__(f"The client already has a visit from {starts_at} to {ends_at}.")


class NonexistentLocalTimeError(BookingError, ValueError):
    """A wall-clock time that the clocks skip (the spring-forward gap of a DST change)."""

    def __init__(self, moment: object) -> None:
        self.moment = moment
        super().__init__(f"{moment} does not exist in the salon's time zone (the clocks skip it).")
