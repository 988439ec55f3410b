"""Cached answers about availability, and the tokens that say whether they are still true.

An answer (a month view, a day's times, the nearest date, the salon's menu) is computed from
two kinds of data: the salon's catalogue and settings (services, masters, their hours and days
off, the settings rows), which change rarely, and each master's appointments, which change with
every booking. Each kind has a *token* in the booking cache, a random string replaced on every
committed write (R1: only in ``transaction.on_commit``):

- ``booking:token:salon``: replaced when the catalogue or the settings change
  (``bump_salon``; the salon app connects it to the models' save and delete signals);
- ``booking:token:master:<id>``: replaced when an appointment of that master changes
  (``bump_masters``, called wherever busy intervals are invalidated).

A cached answer carries the tokens read *before* it was computed; it is served only while
every one of them is unchanged. A write committed while an answer was being computed replaces
a token the answer carries, so the answer is never served (it may have missed the write). The
tokens are random rather than counters so that a token evicted and made again can never equal
an old one. With Redis the tokens and answers are shared by every process, so a booking in one
process is seen by the next read in any other; with the local cache (no ``REDIS_URL``) each
process has its own tokens and answers, so only one bot process may run (as without Redis
anyway: the dialogs live in its memory), and a write in another process (the admin) is seen
once the answers expire (``BOOKING_ANSWER_TTL``: 30 s there, 300 s with Redis).

A transaction that wrote must read its own writes: inside ``transaction.atomic()`` nothing is
read from or written to this cache. A cache failure is never a booking failure: the answer is
computed as if nothing were cached, with a logged warning.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import BaseCache
from django.db import transaction

from booking.cache import booking_cache

log = logging.getLogger(__name__)

T = TypeVar("T")

SALON_KEY = "booking:token:salon"


def answer_ttl() -> int:
    """Seconds an answer or a held row may live (``BOOKING_ANSWER_TTL``, default 300). No
    answer outlives a token change; the TTL bounds what a write that replaced no token seen
    here can cost: a lost invalidation, or with the local cache a write in another process."""
    return int(getattr(settings, "BOOKING_ANSWER_TTL", 300))


def master_key(master_id: int | str) -> str:
    return f"booking:token:master:{master_id}"


def new_token() -> str:
    return secrets.token_hex(8)


def bump_salon() -> None:
    """The catalogue or the settings changed: every cached answer is stale."""
    try:
        booking_cache().set(SALON_KEY, new_token(), timeout=None)
    except Exception:
        log.warning("Could not replace the salon's cache token", exc_info=True)


def bump_salon_on_commit(*args: Any, **kwargs: Any) -> None:
    """A signal receiver: replace the salon token once the write commits (R1)."""
    transaction.on_commit(bump_salon)


def bump_masters(master_ids: Iterable[int | str]) -> None:
    """Appointments of these masters changed: answers that involve any of them are stale."""
    keys = {master_key(m): new_token() for m in sorted({str(m) for m in master_ids})}
    if not keys:
        return
    try:
        booking_cache().set_many(keys, timeout=None)
    except Exception:
        log.warning("Could not replace the cache tokens of masters %s", sorted(keys), exc_info=True)


def _tokens(cache: BaseCache, keys: list[str]) -> dict[str, str]:
    """The current token of each key; a missing one is made (``add``: the first maker wins)."""
    found = cache.get_many(keys) if keys else {}
    missing = [key for key in keys if key not in found]
    for key in missing:
        cache.add(key, new_token(), timeout=None)
    if missing:
        found.update(cache.get_many(missing))
    return found


def answer_key(name: str, parts: Iterable[Any]) -> str:
    digest = hashlib.blake2b(repr(tuple(parts)).encode(), digest_size=12).hexdigest()
    return f"booking:answer:{name}:{digest}"


def remember(
    name: str,
    parts: Iterable[Any],
    compute: Callable[[], T],
    *,
    masters: Callable[[], Iterable[int]] | None = None,
    encode: Callable[[T], Any] = lambda value: value,
    decode: Callable[[Any], T] = lambda value: value,
) -> T:
    """The cached answer named ``name`` for ``parts`` if its tokens are current, else
    ``compute()`` (stored with the tokens read before it ran).

    ``masters`` lists the masters whose appointments the answer depends on (called after the
    salon token is read, so it may itself use ``remember``); without it the answer depends on
    the catalogue and settings only. ``encode`` makes the value JSON-plain (Redis stores JSON),
    ``decode`` makes it back. ``parts`` must name everything else the answer depends on,
    including the clock where it matters.
    """
    if transaction.get_connection().in_atomic_block:
        return compute()
    key = answer_key(name, parts)
    try:
        cache = booking_cache()
        found = cache.get_many([SALON_KEY, key])
        salon = found.get(SALON_KEY) or _tokens(cache, [SALON_KEY])[SALON_KEY]
        master_keys = sorted({master_key(m) for m in masters()}) if masters else []
        tokens = _tokens(cache, master_keys)
        stamp = [salon, [[k, tokens.get(k)] for k in master_keys]]
    except Exception:
        log.warning("Cached answers unreadable; computing %s", name, exc_info=True)
        return compute()
    entry = found.get(key)
    if entry is not None and entry[0] == stamp:
        return decode(entry[1])
    value = compute()
    try:
        cache.set(key, [stamp, encode(value)], timeout=answer_ttl())
    except Exception:
        log.warning("Could not cache the answer %s", name, exc_info=True)
    return value


# Rows that are not JSON (the settings rows), held in this process:
# name -> (salon token, monotonic time read, row).
_rows: dict[str, tuple[str, float, Any]] = {}
_rows_lock = threading.Lock()


def salon_token() -> str | None:
    """The salon token now, for the rows one call holds (``remember_row(..., salon=...)``):
    one cache round trip for all of them. None inside ``transaction.atomic()`` or when the
    cache cannot be read: then rows are read from the database."""
    if transaction.get_connection().in_atomic_block:
        return None
    try:
        return _tokens(booking_cache(), [SALON_KEY]).get(SALON_KEY)
    except Exception:
        log.warning("Cache tokens unreadable; reading rows from the database", exc_info=True)
        return None


_READ_NOW = object()


def remember_row(name: str, compute: Callable[[], T], *, salon: Any = _READ_NOW) -> T:
    """A row read once per salon token in this process (a copy each time, so a caller that
    changes its copy changes nobody else's): the settings rows that every adapter reads.

    Only the salon token is read from the cache (one round trip instead of a query), or given
    as ``salon`` by a caller that read it once (``salon_token``) for several rows; inside
    ``transaction.atomic()`` the row is read from the database, as ``remember`` does.
    """
    if transaction.get_connection().in_atomic_block:
        return compute()
    token = salon_token() if salon is _READ_NOW else salon
    if token is None:
        return compute()
    held = _rows.get(name)
    now = time.monotonic()
    if held is not None and held[0] == token and now - held[1] < answer_ttl():
        return copy.copy(held[2])
    value = compute()
    with _rows_lock:
        _rows[name] = (token, now, value)
    return copy.copy(value)
