"""The slot engine: complete and exact start times for salon visits. Pure Python, no Django.

It keeps the public names and call shapes of the reference engine (codex-services 0.1.4), so
code written against it runs unchanged. The contract and the rules are in docs/engine.md.
"""

from .calculator import SlotCalculator
from .calendar import CalendarEngine
from .dto import (
    BookingChainSolution,
    BookingEngineRequest,
    MasterAvailability,
    ServiceRequest,
    SingleServiceSolution,
)
from .errors import (
    BookingEngineError,
    ChainBuildError,
    InvalidBookingDateError,
    InvalidServiceDurationError,
    NoAvailabilityError,
    ResourceNotAvailableError,
    SlotAlreadyBookedError,
)
from .finder import ChainFinder
from .modes import BookingMode
from .result import EngineResult

__all__ = [
    "BookingChainSolution",
    "BookingEngineError",
    "BookingEngineRequest",
    "BookingMode",
    "CalendarEngine",
    "ChainBuildError",
    "ChainFinder",
    "EngineResult",
    "InvalidBookingDateError",
    "InvalidServiceDurationError",
    "MasterAvailability",
    "NoAvailabilityError",
    "ResourceNotAvailableError",
    "ServiceRequest",
    "SingleServiceSolution",
    "SlotAlreadyBookedError",
    "SlotCalculator",
]
