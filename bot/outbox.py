"""The notification sender: claims due outbox rows, renders them, sends them, marks them.

The rows are written by the salon core in the transaction of the booking change
(``djproject/salon/outbox.py``, which also explains the claim protocol). This loop runs beside
polling or the webhook server in ``python -m bot``, or alone in ``python -m bot --worker``; any
number of senders may run at once: a claimed row is leased to one of them.

What happens to a row (R1: a row is sent at most once per lease; R2: no retry storm):

- sent → ``mark_sent``;
- a reminder of a visit that is no longer active or has moved, a confirmation of a visit
  cancelled meanwhile, a visit that no longer exists → ``mark_dropped``, never sent;
- a waitlist offer lists the entry's times free when it is sent (``waitlist.offer``); an entry
  gone (booked, removed, expired) or a day full again → ``mark_dropped``, never sent;
- flood control (429) → the row comes back after ``retry_after``; the untried rest of the batch
  after the same delay, and the sender pauses that long (Telegram asked us to wait);
- network error, Telegram 5xx, timeout → the row comes back after ``backoff_seconds`` (30 s,
  1 min, 2 min ... until the core's MAX_ATTEMPTS, then it fails); the rest of the batch, untried,
  after the same delay, and the sender pauses a poll interval: a network that is down costs one
  request per interval, not one per row;
- 403 (the user blocked the bot, was deactivated, the bot was kicked) or "chat not found" →
  ``mark_recipient_blocked``: the row fails, the chat's other pending rows are dropped and the
  client is flagged until they write to the bot again; no retries;
- any other 400 (a message Telegram will never accept) → dropped with the error, logged;
- a bug while rendering or an unexpected error → retried with back-off, logged with traceback.

Rows of one batch are sent one after another, so one chat hears about one visit in order.
Before each send the sender checks that the lease still has ``send_timeout`` + a margin left;
otherwise it stops the batch and leaves the rest to come back when the lease ends (R1: a row
whose lease ran out may be claimed by another sender, so this one must not send it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.utils.i18n import I18n

from bot.facade import OutboxFacade
from bot.i18n import build_i18n
from bot.notifications import WAITLIST, Rendered, Skip, language_of, render, render_waitlist_offer
from bot.time_off import OFF_DECIDED, OFF_REQUEST, render_off

if TYPE_CHECKING:
    from djproject.salon.outbox import OutboxMessage
    from djproject.salon.services import SalonInfo, Visit

log = logging.getLogger(__name__)

# The core's lease (djproject.salon.outbox.LEASE); the sender passes its own explicitly.
DEFAULT_LEASE = timedelta(minutes=5)
# What must be left of the lease, beyond one request's timeout, to start sending a row.
LEASE_MARGIN = 5.0


def build_sender_bot(token: str, *, session: BaseSession | None = None, api_url: str = "") -> Bot:
    """A Bot for the sender: unlike ``app.build_bot`` without the session middleware that
    sleeps through flood control — the sender reschedules the row instead of blocking."""
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else AiohttpSession()
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=None))


@dataclass
class _Stop:
    """Why a batch ended early: the untried rows come back after ``delay`` seconds."""

    delay: float
    reason: str
    pause: float  # seconds the sender waits before it claims again


class OutboxSender:
    """Claims, renders, sends and marks outbox rows; ``run_once`` for one batch, ``run_forever``
    for the loop. Each sender owns a one-thread executor for its database calls."""

    def __init__(
        self,
        bot: Bot,
        *,
        i18n: I18n | None = None,
        db: OutboxFacade | None = None,
        batch_size: int = 20,
        poll_interval: float = 5.0,
        lease: timedelta = DEFAULT_LEASE,
        send_timeout: float = 20.0,
        name: str = "outbox",
        purge_interval: float = 3600.0,
    ) -> None:
        if lease.total_seconds() <= send_timeout + LEASE_MARGIN:
            raise ValueError("the lease must outlast one request (send_timeout) by a margin")
        self.bot = bot
        self.i18n = i18n or build_i18n()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self.db = db or OutboxFacade(self._executor)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.lease = lease
        self.send_timeout = send_timeout
        self.name = name
        self._pause_until = 0.0  # time.monotonic() before which no claim is made
        self.purge_interval = purge_interval
        self._next_purge = 0.0  # time.monotonic() of the next purge of old delivered rows
        self._closed = False

    # --- one batch --------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Claim up to ``batch_size`` due rows and deal with each; returns how many were claimed."""
        await self.db.refresh_connection()
        await self._purge_when_due()
        claimed_at = time.monotonic()
        messages = await self.db.claim_due(self.batch_size, lease=self.lease)
        if not messages:
            return 0
        salon = await self.db.salon_info()
        visits: dict[str, Visit | None] = {}
        for index, message in enumerate(messages):
            if self._lease_left(claimed_at) < self.send_timeout + LEASE_MARGIN:
                log.warning(
                    "%s: lease nearly over; %d rows left for after it", self.name, len(messages) - index
                )
                break
            stop = await self._deliver(message, salon, visits)
            if stop is not None:
                await self._release(messages[index + 1 :], stop)
                self._pause_until = time.monotonic() + stop.pause
                break
        return len(messages)

    async def _purge_when_due(self) -> None:
        """Once per ``purge_interval``, one bounded batch of delivered rows older than 30 days
        (``djproject.salon.outbox.purge_delivered``): they name clients' chats and visits."""
        if time.monotonic() < self._next_purge:
            return
        self._next_purge = time.monotonic() + self.purge_interval
        if purged := await self.db.purge_delivered():
            log.info("%s: deleted %d delivered notifications older than 30 days", self.name, purged)

    def _lease_left(self, claimed_at: float) -> float:
        return self.lease.total_seconds() - (time.monotonic() - claimed_at)

    async def _deliver(
        self, message: OutboxMessage, salon: SalonInfo, visits: dict[str, Visit | None]
    ) -> _Stop | None:
        """Render and send one row and mark it; a ``_Stop`` ends the batch."""
        try:
            if message.kind == WAITLIST:
                language = language_of(message.language)
                offer = await self.db.waitlist_offer(message.ref, _payload_day(message), language)
                rendered = render_waitlist_offer(message, offer, salon, self.i18n)
            elif message.kind in (OFF_REQUEST, OFF_DECIDED):
                rendered = render_off(message, await self.db.off_request(message.ref), self.i18n)
            else:
                # Names in the row's language: a visit's rows go to the client and to the staff,
                # who may read different languages.
                language = language_of(message.language)
                key = f"{message.ref}:{language}"
                if key not in visits:
                    visits[key] = await self.db.describe_visit(message.ref, language)
                rendered = render(message, visits[key], salon, self.i18n)
        except Exception as error:  # a bug in rendering must not stop the other rows
            log.exception("%s: could not render outbox row %s", self.name, message.id)
            await self._retry(message, f"render failed: {error!r}", self.db.backoff_seconds(message.attempts))
            return None
        if isinstance(rendered, Skip):
            log.info("%s: row %s dropped: %s", self.name, message.id, rendered.reason)
            await self.db.mark_dropped(message.id, rendered.reason)
            return None
        return await self._send_and_mark(message, rendered, message.chat_id)

    async def _send_and_mark(self, message: OutboxMessage, rendered: Rendered, chat_id: int) -> _Stop | None:
        try:
            await self._send(chat_id, rendered)
        except TelegramRetryAfter as error:
            delay = float(error.retry_after)
            log.warning("%s: flood control on row %s: again in %s s", self.name, message.id, delay)
            await self._retry(message, f"flood control: {error.message}", delay)
            return _Stop(delay, "flood control", pause=delay)  # Telegram asked us to wait
        except (TelegramNetworkError, TelegramServerError, TimeoutError) as error:
            delay = self.db.backoff_seconds(message.attempts)
            log.warning("%s: row %s not sent (%r): again in %s s", self.name, message.id, error, delay)
            await self._retry(message, f"{type(error).__name__}: {error}", delay)
            return _Stop(delay, "network", pause=min(delay, self.poll_interval))
        except TelegramForbiddenError as error:
            await self._blocked(message, error)
        except TelegramBadRequest as error:
            if "chat not found" in error.message.lower():
                await self._blocked(message, error)
            else:
                log.error("%s: Telegram refused row %s: %s", self.name, message.id, error.message)
                await self.db.mark_dropped(message.id, f"refused by Telegram: {error.message}")
        except TelegramMigrateToChat as error:
            if chat_id != message.chat_id:  # migrated twice: give up on this row for now
                await self._retry(message, repr(error), self.db.backoff_seconds(message.attempts))
                return None
            # A group became a supergroup: deliver to the new chat; the settings need its id.
            log.error(
                "%s: chat %s is now %s: update the staff chat id",
                self.name,
                chat_id,
                error.migrate_to_chat_id,
            )
            return await self._send_and_mark(message, rendered, error.migrate_to_chat_id)
        except TelegramAPIError as error:  # 401, 404, 409 ...: logged, retried with back-off
            log.error("%s: row %s not sent: %r", self.name, message.id, error)
            await self._retry(message, repr(error), self.db.backoff_seconds(message.attempts))
        except Exception as error:
            log.exception("%s: row %s failed unexpectedly", self.name, message.id)
            await self._retry(message, repr(error), self.db.backoff_seconds(message.attempts))
        else:
            await self.db.mark_sent(message.id)
        return None

    async def _send(self, chat_id: int, rendered: Rendered) -> None:
        await self.bot.send_message(
            chat_id,
            rendered.text,
            reply_markup=rendered.markup,
            request_timeout=int(self.send_timeout),
        )

    async def _retry(self, message: OutboxMessage, error: str, delay: float, *, tried: bool = True) -> None:
        if not await self.db.mark_retry(message.id, error, delay, tried=tried):
            log.error(
                "%s: row %s failed after %d attempts: %s", self.name, message.id, message.attempts, error
            )

    async def _blocked(self, message: OutboxMessage, error: TelegramAPIError) -> None:
        dropped = await self.db.mark_recipient_blocked(message.id, error.message)
        log.info(
            "%s: chat %s refuses the bot (%s); %d pending rows dropped",
            self.name,
            message.chat_id,
            error.message,
            dropped,
        )

    async def _release(self, untried: list[OutboxMessage], stop: _Stop) -> None:
        for message in untried:
            await self._retry(message, f"not attempted: {stop.reason}", stop.delay, tried=False)

    # --- the loop ---------------------------------------------------------------------------

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Batches until ``stop_event`` is set. Between batches it sleeps until the next row is
        due, at most ``poll_interval`` (rows written by another process are seen within it),
        never less than a short floor when nothing could be claimed: no busy loop."""
        log.info("%s: sending notifications", self.name)
        while not stop_event.is_set():
            delay = self.poll_interval
            try:
                paused = self._pause_until - time.monotonic()
                if paused > 0:
                    delay = paused
                else:
                    claimed = await self.run_once()
                    delay = await self._idle_time(claimed)
            except Exception:  # the database is down, most likely: try again later
                log.exception("%s: batch failed; next try in %s s", self.name, self.poll_interval)
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop_event.wait(), timeout=delay)
            else:
                await asyncio.sleep(0)  # a full batch: go on, but let the other tasks run
        log.info("%s: stopped", self.name)

    async def _idle_time(self, claimed: int) -> float:
        if self._pause_until > time.monotonic():
            return self._pause_until - time.monotonic()
        if claimed >= self.batch_size:
            return 0.0
        due_in = await self.db.next_due_in()
        if due_in is None:
            return self.poll_interval
        # Due now yet not claimed: another sender holds those rows for a moment.
        return min(max(due_in, 0.05 if claimed == 0 else 0.0), self.poll_interval)

    async def close(self) -> None:
        """Close this sender's database connection (in its own thread) and its executor."""
        if self._closed:
            return
        self._closed = True
        try:
            await self.db.close_connection()
        finally:
            self._executor.shutdown(wait=True)


def _payload_day(message: OutboxMessage) -> date:
    """The day a waitlist offer is about (a malformed payload is a rendering failure)."""
    return date.fromisoformat(str(message.payload.get("day", "")))


def attach_sender(dp: Dispatcher, sender: OutboxSender) -> None:
    """Run ``sender`` beside the dispatcher: started with it (polling or the webhook server),
    stopped and closed when it shuts down."""
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    async def start() -> None:
        stop.clear()
        tasks.append(asyncio.create_task(sender.run_forever(stop), name="outbox-sender"))

    async def shutdown() -> None:
        stop.set()
        while tasks:
            await tasks.pop()
        await sender.close()
        await sender.bot.session.close()

    dp.startup.register(start)
    dp.shutdown.register(shutdown)


async def run_worker(sender: OutboxSender, stop: asyncio.Event) -> None:
    """``python -m bot --worker``: only the sender, until ``stop`` is set."""
    try:
        await sender.run_forever(stop)
    finally:
        await sender.close()
        await sender.bot.session.close()
