"""The durable outbox: messages are written with the booking change and sent later.

Writing (``enqueue_visit_event``, ``schedule_reminders``, ``drop_pending``) happens inside the
transaction of the booking change, so both commit or neither does. Sending is the bot's job
(``bot/outbox.py``); it uses the claim protocol below:

- ``claim_due`` takes due, unclaimed rows with ``select_for_update(skip_locked=True)`` on
  PostgreSQL (on SQLite the immediate transaction serialises claimers), stamps a lease
  (``claimed_until``) and commits. Another sender skips a leased row: a row is never sent by
  two workers at once. A sender that dies mid-send leaves the lease to expire and the row is
  sent again later: at least once.
- ``mark_sent`` ends a row; ``mark_retry`` puts it back with a back-off delay (flood control,
  network errors) until ``MAX_ATTEMPTS``; ``mark_recipient_blocked`` (Telegram said 403) fails
  it, drops every other pending row for that chat and flags the client, so there is no retry
  storm; ``mark_dropped`` ends a row that no longer applies (a reminder of a moved visit).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from booking.localtime import in_utc
from djproject.salon.models import Appointment, BookingSettings, Client, Master, Notification, SiteSettings

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)

N = Notification


@dataclass(frozen=True)
class OutboxMessage:
    """A claimed row, JSON-plain, for the sender to render and send."""

    id: int
    kind: str
    audience: str
    chat_id: int
    language: str
    ref: str
    payload: dict[str, Any]
    attempts: int


# --------------------------------------------------------------------------------------------
# Writing (inside the booking change's transaction)
# --------------------------------------------------------------------------------------------


def staff_chat() -> tuple[int | None, str]:
    """The staff chat id (site settings, else STAFF_CHAT_ID) and its language."""
    site = SiteSettings.load()
    return site.staff_chat_id or settings.STAFF_CHAT_ID, site.staff_language or "en"


def _client_recipient(rows: Sequence[Appointment]) -> tuple[int, str] | None:
    client = rows[0].client if rows[0].client_id else None
    # Demo and walk-in clients have no (or a negative, made-up) Telegram id.
    if client is None or not client.telegram_id or client.telegram_id <= 0 or client.bot_blocked_at:
        return None
    return client.telegram_id, client.language or client.telegram_language or "en"


def enqueue_visit_event(
    rows: Sequence[Appointment],
    kind: str,
    audiences: Iterable[str],
    *,
    extra: dict[str, Any] | None = None,
    now: datetime | None = None,
    skip_chats: Iterable[int | None] = (),
) -> list[Notification]:
    """One message per recipient about one visit (all its appointments): due now.

    ``skip_chats``: chats that made the change themselves and need not hear of it.
    """
    if not rows:
        return []
    now = now or timezone.now()
    payload = {
        "starts_at": min(r.datetime_start for r in rows).isoformat(),
        "status": rows[0].status,
        **(extra or {}),
    }
    recipients: list[tuple[str, int, str]] = []
    wanted = set(audiences)
    if N.AUDIENCE_CLIENT in wanted and (client := _client_recipient(rows)):
        recipients.append((N.AUDIENCE_CLIENT, *client))
    if N.AUDIENCE_MASTER in wanted:
        masters = Master.objects.filter(pk__in={r.master_id for r in rows}, telegram_id__isnull=False)
        recipients += [(N.AUDIENCE_MASTER, m.telegram_id, m.language or "en") for m in masters]
    if N.AUDIENCE_STAFF in wanted:
        chat_id, language = staff_chat()
        if chat_id:
            recipients.append((N.AUDIENCE_STAFF, chat_id, language))
    # A master who is also the staff chat (a one-person salon) hears it once.
    unique = {chat_id: (audience, chat_id, language) for audience, chat_id, language in recipients}
    for chat_id in skip_chats:
        unique.pop(chat_id, None)
    return Notification.objects.bulk_create(
        Notification(
            kind=kind,
            audience=audience,
            chat_id=chat_id,
            language=language,
            booking_ref=rows[0].booking_ref,
            payload=payload,
            due_at=now,
        )
        for audience, chat_id, language in unique.values()
    )


def schedule_reminders(rows: Sequence[Appointment], *, now: datetime | None = None) -> list[Notification]:
    """Reminders for the client at the salon's offsets before the visit (those still ahead)."""
    client = _client_recipient(rows) if rows else None
    if client is None:
        return []
    now = now or timezone.now()
    # In UTC: a reminder two hours before 03:30 on the night the clocks go back is due at
    # 02:30 summer time, not at 01:30 (wall-clock arithmetic on the salon-local start).
    starts_at = min(in_utc(r.datetime_start) for r in rows)
    offsets = BookingSettings.load().reminder_offsets_minutes or []
    return Notification.objects.bulk_create(
        Notification(
            kind=N.KIND_REMINDER,
            audience=N.AUDIENCE_CLIENT,
            chat_id=client[0],
            language=client[1],
            booking_ref=rows[0].booking_ref,
            payload={"starts_at": starts_at.isoformat(), "offset_minutes": offset},
            due_at=starts_at - timedelta(minutes=offset),
        )
        for offset in sorted(set(offsets), reverse=True)
        if starts_at - timedelta(minutes=offset) > now
    )


def drop_pending(booking_ref: Any, kinds: Iterable[str] = (N.KIND_REMINDER,), reason: str = "") -> int:
    """Drop the visit's unsent messages of these kinds (reminders of a cancelled or moved visit)."""
    return Notification.objects.filter(
        booking_ref=booking_ref, status=N.STATUS_PENDING, kind__in=list(kinds)
    ).update(status=N.STATUS_DROPPED, last_error=reason, claimed_until=None)


# --------------------------------------------------------------------------------------------
# Sending (the claim protocol)
# --------------------------------------------------------------------------------------------


def claim_due(
    limit: int = 20, *, now: datetime | None = None, lease: timedelta = LEASE
) -> list[OutboxMessage]:
    """Lease up to ``limit`` due rows to this sender and return them."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=N.STATUS_PENDING, due_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("due_at", "pk")[:limit]
        )
        for row in rows:
            row.claimed_until = now + lease
            row.attempts += 1
        Notification.objects.bulk_update(rows, ["claimed_until", "attempts"])
    return [
        OutboxMessage(
            id=row.pk,
            kind=row.kind,
            audience=row.audience,
            chat_id=row.chat_id,
            language=row.language,
            ref=row.booking_ref.hex,
            payload=row.payload,
            attempts=row.attempts,
        )
        for row in rows
    ]


def next_due_in(*, now: datetime | None = None) -> float | None:
    """Seconds until the next pending row is due (0 if one is due now), None if there is none."""
    now = now or timezone.now()
    row = (
        Notification.objects.filter(status=N.STATUS_PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    return None if row is None else max(0.0, (row - now).total_seconds())


def mark_sent(message_id: int, *, now: datetime | None = None) -> None:
    Notification.objects.filter(pk=message_id, status=N.STATUS_PENDING).update(
        status=N.STATUS_SENT, sent_at=now or timezone.now(), claimed_until=None, last_error=""
    )


def mark_dropped(message_id: int, reason: str) -> None:
    Notification.objects.filter(pk=message_id, status=N.STATUS_PENDING).update(
        status=N.STATUS_DROPPED, claimed_until=None, last_error=reason[:500]
    )


def mark_retry(
    message_id: int,
    error: str,
    delay_seconds: float,
    *,
    tried: bool = True,
    now: datetime | None = None,
) -> bool:
    """Try again after ``delay_seconds``; after ``MAX_ATTEMPTS`` the row fails. True if it will retry.

    ``tried=False`` releases a claimed row the sender never attempted (the batch stopped for
    flood control or a dead network): its claim does not count as an attempt, so a long
    outage cannot fail rows that were never tried.
    """
    now = now or timezone.now()
    row = Notification.objects.filter(pk=message_id, status=N.STATUS_PENDING).first()
    if row is None:
        return False
    if not tried:
        row.attempts = max(0, row.attempts - 1)
    if row.attempts >= MAX_ATTEMPTS:
        row.status, row.claimed_until = N.STATUS_FAILED, None
    else:
        row.claimed_until = now + timedelta(seconds=delay_seconds)
    row.last_error = error[:500]
    row.save(update_fields=["status", "claimed_until", "last_error", "attempts"])
    return row.status == N.STATUS_PENDING


# Delivered messages are kept this long (for staff looking into "did the client get it?"),
# then the sender deletes them: they name clients' chats and visits.
KEEP_DELIVERED = timedelta(days=30)
PURGE_BATCH = 500


def purge_delivered(
    *, older_than: timedelta = KEEP_DELIVERED, limit: int = PURGE_BATCH, now: datetime | None = None
) -> int:
    """Delete up to ``limit`` rows sent more than ``older_than`` ago; returns how many. Bounded,
    so one sender cycle never holds a long delete; the next cycle takes the rest."""
    cutoff = (now or timezone.now()) - older_than
    ids = list(
        Notification.objects.filter(status=N.STATUS_SENT, sent_at__lt=cutoff)
        .order_by("sent_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    deleted, _ = Notification.objects.filter(pk__in=ids).delete()
    return deleted


def backoff_seconds(attempts: int) -> float:
    """30 s, 1 min, 2 min ... capped at an hour."""
    return float(min(3600, 30 * 2 ** max(0, attempts - 1)))


def mark_recipient_blocked(message_id: int, error: str, *, now: datetime | None = None) -> int:
    """Telegram refused the chat (403): fail this row, drop the chat's other pending rows, and
    flag the client so nothing more is queued until they return. Returns rows dropped."""
    now = now or timezone.now()
    with transaction.atomic():
        row = Notification.objects.filter(pk=message_id).first()
        if row is None:
            return 0
        Notification.objects.filter(pk=message_id).update(
            status=N.STATUS_FAILED, claimed_until=None, last_error=error[:500]
        )
        dropped = Notification.objects.filter(chat_id=row.chat_id, status=N.STATUS_PENDING).update(
            status=N.STATUS_DROPPED, claimed_until=None, last_error="recipient blocked the bot"
        )
        Client.objects.filter(telegram_id=row.chat_id).update(bot_blocked_at=now)
    return dropped
