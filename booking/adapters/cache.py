"""Busy-interval cache: what a master's appointments occupy on one date, per (master, date).

Busy intervals — not free slots — are cached: free slots depend on the clock (minimum
advance), the service asked for and the settings, busy intervals only on appointments. Every
write invalidates the affected keys after its transaction commits (R1), so a reader never
re-caches a state that was rolled back and never keeps one that was replaced.

A cache failure is never a booking failure: reads fall back to the database and writes are
skipped, each with a logged warning.
"""

import logging
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from booking.adapters.minutes import to_minutes
from booking.cache import booking_cache
from booking.freshness import bump_masters

log = logging.getLogger(__name__)

# One cached entry: [appointment id, start, end, gap after, seat]; start and end in minutes
# since the UTC epoch (JSON-plain and cheap to compare).
BusyEntry = list[int]

# The seed cached ``[[start, end], ...]`` with ISO datetimes and nothing else. Such entries are
# read as [SEED_ENTRY_ID, start, end, 0, 0]: no appointment id (no real row has id 0), no gap,
# the first seat. A cache filled by the seed stays readable until its entries expire.
SEED_ENTRY_ID = 0


def busy_key(master_id: int | str, day: date | str) -> str:
    return f"booking:busy:{master_id}:{day}"


class BookingCacheAdapter:
    """The seed's cache adapter over Django's cache framework, with batch variants."""

    def get_busy(self, master_id: str, date_str: str) -> list[BusyEntry] | None:
        return self.get_busy_many([(master_id, date_str)]).get((str(master_id), str(date_str)))

    def set_busy(self, master_id: str, date_str: str, intervals: list[BusyEntry], timeout: int = 300) -> None:
        self.set_busy_many({(str(master_id), str(date_str)): intervals}, timeout=timeout)

    def invalidate_master_date(self, master_id: str, date_str: str) -> None:
        self.invalidate_many([(master_id, date_str)])

    def get_busy_many(self, pairs: Iterable[tuple[Any, Any]]) -> dict[tuple[str, str], list[BusyEntry]]:
        """Cached entries for the (master, date) pairs that are present; one round trip."""
        keys = {busy_key(m, d): (str(m), str(d)) for m, d in pairs}
        if not keys:
            return {}
        try:
            found = booking_cache().get_many(list(keys))
        except Exception:
            log.warning("Busy-interval cache unreadable; reading the database", exc_info=True)
            return {}
        entries = {keys[key]: read_entries(value) for key, value in found.items()}
        return {pair: value for pair, value in entries.items() if value is not None}

    def set_busy_many(self, entries: Mapping[tuple[Any, Any], list[BusyEntry]], timeout: int = 300) -> None:
        if not entries or timeout <= 0:
            return
        try:
            booking_cache().set_many({busy_key(m, d): v for (m, d), v in entries.items()}, timeout=timeout)
        except Exception:
            log.warning("Busy-interval cache unwritable; continuing without it", exc_info=True)

    def invalidate_many(self, pairs: Iterable[tuple[Any, Any]]) -> None:
        """Drop the busy intervals of these (master, date) pairs and replace the masters' cache
        tokens, so no cached answer about them is served again (``booking.freshness``)."""
        pairs = list(pairs)
        keys = sorted({busy_key(m, d) for m, d in pairs})
        if not keys:
            return
        bump_masters({m for m, _ in pairs})
        try:
            booking_cache().delete_many(keys)
        except Exception:
            # The entries expire with their TTL; until then a reader may see a booked slot as
            # free, and the booking transaction (which never reads the cache) refuses it.
            log.warning("Could not invalidate busy intervals %s", keys, exc_info=True)

    def invalidate_appointments(self, spans: Iterable[tuple[Any, datetime, datetime]]) -> None:
        """Invalidate every key an appointment (master, start, end) may be cached under.

        Keys are per *local* date of the master; the time zone is not known here, so the UTC
        dates from a day before the start to a day after the end are covered: a few spare
        deletes instead of a stale calendar.
        """
        pairs = set()
        for master_id, start, end in spans:
            day = (start - timedelta(days=1)).date()
            last = (end + timedelta(days=1)).date()
            while day <= last:
                pairs.add((master_id, day.isoformat()))
                day += timedelta(days=1)
        self.invalidate_many(pairs)


def read_entries(value: Any) -> list[BusyEntry] | None:
    """Cached entries in either format (ours, or the seed's ``[start, end]``); None — a miss,
    read from the database again — for anything else."""
    try:
        return [_entry(item) for item in value]
    except (TypeError, ValueError):
        log.warning("Unreadable busy-interval cache entry %r; reading the database", value)
        return None


def _entry(item: Any) -> BusyEntry:
    if len(item) == 5:
        return [int(part) for part in item]
    start, end = (_minutes(part) for part in item)  # the seed's [start, end]
    return [SEED_ENTRY_ID, start, end, 0, 0]


def _minutes(moment: Any) -> int:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"not an aware datetime: {moment!r}")
    return to_minutes(moment)
