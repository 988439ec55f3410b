"""How the engine searches: the modes of the reference engine, with the same string values."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["BookingMode"]


class BookingMode(StrEnum):
    """Search strategy of :class:`~booking.engine.ChainFinder`.

    ``SINGLE_DAY``: every service of the visit on the booking date (the usual case).
    ``RESOURCE_LOCKED``: the client chose the master; the caller locks it by listing only that
    master in ``possible_resource_ids``, and the rules are those of ``SINGLE_DAY``.
    ``MULTI_DAY``: one service per day; not supported (``find`` raises ``NotImplementedError``).
    """

    SINGLE_DAY = "single_day"
    MULTI_DAY = "multi_day"
    RESOURCE_LOCKED = "resource_locked"
