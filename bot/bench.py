"""``python -m bot.bench``: whole booking conversations through the real dispatcher.

Each conversation is what a client taps: /start → Book → category → service → Continue →
master → Nearest free date → a time → Confirm → share the phone → done (10 updates), each by a
new client (a new Telegram user). ``--clients 1,5,20,50`` runs one measurement per number of
clients tapping at the same time: each client starts its next conversation as soon as it ends
one and taps as soon as it sees the bot's answer (``--think MS`` waits that long before each
tap, as a person reads). Telegram is simulated at the Bot API boundary
(``bot.local_session``), so the figures are the bot's own cost: aiogram, aiogram-dialog, the
facade and the database.

In-process mode (the default) feeds the updates to a dispatcher in this process. ``--webhook``
starts ``python -m bot --webhook --workers N --answer-after-handling`` for each N of
``--processes 1,2`` and POSTs every update to it on 127.0.0.1 with the secret header, as
Telegram does; the bot processes call a fake Bot API server in this process
(``BOT_API_URL``), so a client sees the bot's answers as in-process. The workers share the
database and Redis (``REDIS_URL`` is required); a new connection per update lets the kernel
(``SO_REUSEPORT``) hand consecutive updates of one client to different processes.

A figure is per update: from the update sent to its handling done (in webhook mode, to the
HTTP response). Throughput is all updates over the wall time of the measurement.

By default it creates a throwaway database next to the configured one (Django's test-database
machinery: ``test_<name>`` on PostgreSQL), migrates it, seeds the demo salon, runs, and drops
it. ``--in-place`` uses the configured database as it is (migrated and seeded; the benchmark's
clients get Telegram ids from 9_000_000_000 up and their visits are cancelled at the end).
``DATABASE_URL`` decides the database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import itertools
import logging
import os
import random
import secrets
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import IO, Any
from urllib.parse import urlsplit

BENCH_USER_BASE = 9_000_000_000
# The webhook processes' bot (its id prefixes their Redis keys, removed at the end).
BENCH_TOKEN = "4299:bench-token-never-sent-to-telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

# (category, service name prefix, master) rotated over the conversations
PLAN = [
    ("Hair", "Women's haircut", "Anna"),
    ("Hair", "Men's haircut", "Boris"),
    ("Nails", "Manicure", "Any master"),
    ("Beauty", "Brow shaping", "Dana"),
    ("Hair", "Blow-dry", "Any master"),
]


class Timer:
    """Collects the latency of each update; waits about ``think`` seconds (untimed) before
    each: 0.5–1.5 × ``think`` at random, so that clients do not tap in lockstep."""

    def __init__(self, think: float = 0.0) -> None:
        self.think = think
        self.samples: list[float] = []

    async def __call__(self, action: Callable[[], Awaitable[Any]]) -> Any:
        if self.think:
            await asyncio.sleep(self.think * random.uniform(0.5, 1.5))
        started = time.perf_counter()
        try:
            return await action()
        finally:
            self.samples.append(time.perf_counter() - started)


async def conversation(user: Any, timer: Timer, plan: tuple[str, str, str], pick: int) -> str:
    """One booking, tap by tap; returns the text on the last screen: the visit on the done
    screen, else why not (the time was taken meanwhile, the day is full: clients racing for the
    same times lose some races, as people would)."""
    with contextlib.suppress(LookupError):  # the button to press next is not there
        await _book(user, timer, plan, pick)
    return user.text


async def _book(user: Any, timer: Timer, plan: tuple[str, str, str], pick: int) -> None:
    category, service, master = plan
    await timer(lambda: user.send_text("/start"))
    await timer(lambda: user.press("📅 Book"))
    await timer(lambda: user.press(category))
    label = next(b for b in user.buttons() if b.startswith(f"{service} · "))
    await timer(lambda: user.press(label))
    await timer(lambda: user.press("Continue ▶"))
    await timer(lambda: user.press(master))
    await timer(lambda: user.press("⚡ Nearest free date"))
    times = [b for b in user.buttons() if len(b) == 5 and b[2] == ":"]
    if not times:
        raise LookupError("no free time")
    await timer(lambda: user.press(times[pick % len(times)]))
    await timer(lambda: user.press("✅ Confirm"))
    if "📱 Share my phone number" in user.buttons():
        await timer(lambda: user.press("📱 Share my phone number"))


@dataclass
class Measurement:
    mode: str
    processes: int
    clients: int
    conversations: int
    booked: int = 0
    seconds: float = 0.0
    samples: list[float] = field(default_factory=list)

    @property
    def updates(self) -> int:
        return len(self.samples)

    @property
    def updates_per_second(self) -> float:
        return self.updates / self.seconds

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000

    def row(self) -> str:
        return (
            f"| {self.mode} | {self.processes} | {self.clients} | {self.booked}/{self.conversations} "
            f"| {self.updates} | {self.updates_per_second:.0f} | {statistics.fmean(self.samples) * 1000:.1f} "
            f"| {self.percentile_ms(0.5):.1f} | {self.percentile_ms(0.95):.1f} "
            f"| {max(self.samples) * 1000:.0f} |"
        )


HEADER = (
    "| mode | processes | clients | booked | updates | updates/s | mean ms | p50 ms | p95 ms | max ms |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


async def drive(
    measurement: Measurement, make_user: Callable[[int], Any], think: float, first_user: int
) -> None:
    """``measurement.clients`` clients share out ``measurement.conversations`` conversations."""
    timer = Timer(think)
    numbers = iter(range(measurement.conversations))

    async def client() -> None:
        for n in numbers:
            user = make_user(first_user + n)
            text = await conversation(user, timer, PLAN[n % len(PLAN)], n)
            measurement.booked += "✅ You are booked!" in text

    started = time.perf_counter()
    async with asyncio.TaskGroup() as clients:  # one failing stops the others
        for _ in range(measurement.clients):
            clients.create_task(client())
    measurement.seconds = time.perf_counter() - started
    measurement.samples = timer.samples


# --- in process --------------------------------------------------------------------------------


async def run_in_process(measurement: Measurement, think: float, first_user: int) -> None:
    from bot.app import build_bot, build_dispatcher
    from bot.local_session import SimulatedUser, TelegramSimulator
    from bot.throttling import Limits, MemoryBuckets

    telegram = TelegramSimulator()
    bot = build_bot(session=telegram)
    # The simulated clients tap as fast as the bot answers: a bucket none of them empties.
    unhurried = MemoryBuckets(Limits(capacity=1_000_000))
    dp = build_dispatcher(set_commands_on_startup=False, throttle=unhurried)
    await dp.emit_startup(bot=bot, **dp.workflow_data)  # as polling and the webhook server do
    try:
        await drive(
            measurement,
            lambda user_id: SimulatedUser(dp, bot, telegram, user_id, first_name=f"Bench {user_id}"),
            think,
            first_user,
        )
    finally:
        await dp.emit_shutdown(bot=bot, **dp.workflow_data)
        await bot.session.close()


# --- through the webhook -----------------------------------------------------------------------


def _fake_bot_api(telegram: Any, calls: Counter[str]) -> Any:
    """An aiohttp app answering the Bot API's HTTP calls from ``telegram`` (a
    ``TelegramSimulator``): the form fields aiogram posts, decoded as the simulator's own
    session decodes them. ``calls`` counts the calls per method."""
    import json

    from aiohttp import web

    from bot.local_session import ApiError

    async def call(request: web.Request) -> web.Response:
        name = request.match_info["method"]
        params: dict[str, Any] = {}
        for key, value in (await request.post()).items():
            if isinstance(value, str):
                params[key] = json.loads(value) if value[:1] in "[{" else value
            else:  # an uploaded file (an .ics): the simulator's "file:<name>" convention
                params[f"file:{key}"] = (value.filename, value.file.read())
        calls[name] += 1
        handler = getattr(telegram, f"_api_{name}", None)
        try:
            if handler is None:
                raise ApiError("Not Found: method not found", status=404)
            body: dict[str, Any] = {"ok": True, "result": handler(params)}
        except ApiError as error:
            body = {"ok": False, "error_code": error.status, "description": error.description}
            return web.json_response(body, status=error.status)
        return web.json_response(body)

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", call)
    return app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _accepts(port: int) -> bool:
    """Whether a server listens on ``port`` of 127.0.0.1 (a connection opened and closed)."""
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


@contextlib.asynccontextmanager
async def bot_processes(
    processes: int, database_url: str, api_url: str, calls: Counter[str], log: IO[bytes]
) -> AsyncIterator[tuple[str, str]]:
    """``python -m bot --webhook --workers N`` on a free port of 127.0.0.1, until every worker
    has started (each sets its commands menu once); yields the webhook URL and the secret."""
    from django.conf import settings

    from bot.commands import SUPPORTED_LANGUAGES

    port, secret = _free_port(), secrets.token_urlsafe(16)
    url = f"http://127.0.0.1:{port}/webhook"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "djproject.settings",  # the real bot's, whoever starts the bench
        "DATABASE_URL": database_url,
        "BOT_TOKEN": BENCH_TOKEN,
        "BOT_API_URL": api_url,
        "WEBHOOK_URL": url,
        "WEBHOOK_SECRET": secret,
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        # This process's cache keys: the bot processes see the tokens of its writes (the seeded
        # salon), and no answer cached for another database.
        "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX") or "salon",
    }
    command = [sys.executable, "-m", "bot", "--webhook", "--workers", str(processes)]
    server = await asyncio.create_subprocess_exec(
        *command, "--answer-after-handling", env=env, stdout=log, stderr=log
    )
    try:
        started = time.monotonic()
        while calls["setMyCommands"] < processes * len(SUPPORTED_LANGUAGES):
            if server.returncode is not None or time.monotonic() - started > 60:
                raise RuntimeError(f"the bot processes did not start (see {log.name})")
            await asyncio.sleep(0.1)
        # The commands are set by a start-up handler, which runs before the server listens
        # (and the last one, freezing the start-up heap, can take a few hundred milliseconds on
        # a busy machine): the first update must wait for the port, not only for the menu.
        while not await _accepts(port):
            if server.returncode is not None or time.monotonic() - started > 60:
                raise RuntimeError(f"the bot processes did not listen on {port} (see {log.name})")
            await asyncio.sleep(0.05)
        yield url, secret
    finally:
        if server.returncode is None:
            server.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(server.wait(), 30)
        except TimeoutError:
            server.kill()
            await server.wait()


async def run_webhook(
    measurement: Measurement, think: float, first_user: int, database_url: str, redis_url: str
) -> None:
    import aiohttp
    from aiohttp import web

    from bot.local_session import SimulatedUser, TelegramSimulator

    telegram = TelegramSimulator()
    update_ids = itertools.count(1)
    # A new connection per update (as Telegram may use any of its connections): the kernel
    # spreads them over the processes, so one client's updates meet different processes.
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True, limit=0))

    class WebhookUser(SimulatedUser):
        url = secret = ""

        async def feed(self, update: dict[str, Any]) -> Any:
            update = {"update_id": next(update_ids), **update}
            async with http.post(self.url, json=update, headers={SECRET_HEADER: self.secret}) as response:
                if response.status != 200:
                    raise RuntimeError(f"the webhook answered {response.status}: {await response.text()}")
                await response.read()

    calls: Counter[str] = Counter()
    runner = web.AppRunner(_fake_bot_api(telegram, calls), access_log=None)
    await runner.setup()
    api_port = _free_port()
    await web.TCPSite(runner, "127.0.0.1", api_port).start()
    with tempfile.NamedTemporaryFile(prefix="bot-bench-", suffix=".log", delete=False) as log:
        try:
            async with bot_processes(
                measurement.processes, database_url, f"http://127.0.0.1:{api_port}", calls, log
            ) as (WebhookUser.url, WebhookUser.secret):
                await drive(
                    measurement,
                    lambda user_id: WebhookUser(
                        None,  # type: ignore[arg-type]  # the dispatchers are in the bot processes
                        None,  # type: ignore[arg-type]
                        telegram,
                        user_id,
                        first_name=f"Bench {user_id}",
                    ),
                    think,
                    first_user,
                )
        finally:
            await http.close()
            await runner.cleanup()
            await _drop_redis_keys(redis_url)
    os.unlink(log.name)


async def _drop_redis_keys(redis_url: str) -> None:
    """The dialogs of the benchmark's bot (its own bot id) are of no use after the run."""
    from redis.asyncio import Redis

    bot_id = BENCH_TOKEN.split(":", 1)[0]
    client = Redis.from_url(redis_url)
    try:
        async for key in client.scan_iter(f"fsm:{bot_id}:*", count=1000):
            await client.delete(key)
        prefix = os.environ.get("CACHE_KEY_PREFIX", "")
        if "-bench-" in prefix:  # this run's cache keys (``main``); never a bot's own
            async for key in client.scan_iter(f"{prefix}:*", count=1000):
                await client.delete(key)
    finally:
        await client.aclose()


# --- the command ---------------------------------------------------------------------------------


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _database_url(in_place: bool) -> str:
    """The URL of the database the benchmark uses, for the webhook processes."""
    from django.conf import settings

    configured = os.environ.get("DATABASE_URL", "")
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    if in_place:
        return configured
    return urlsplit(configured)._replace(path=f"/{database['NAME']}").geturl()


async def measure(args: argparse.Namespace) -> list[Measurement]:
    # Fresh Telegram ids per run: no dialog or throttle state of an earlier run in Redis.
    first_user = BENCH_USER_BASE + random.randrange(1000) * 1_000_000
    used: list[int] = []
    results: list[Measurement] = []
    try:
        await _measure_all(args, first_user, used, results)
    finally:
        await _clean_up(args.in_place, used)
    return results


async def _measure_all(
    args: argparse.Namespace, first_user: int, used: list[int], results: list[Measurement]
) -> None:
    for processes in _numbers(args.processes) if args.webhook else [1]:
        for clients in _numbers(args.clients):
            measurement = Measurement(
                "webhook" if args.webhook else "in-process",
                processes,
                clients,
                max(args.conversations, 2 * clients),
            )
            if args.webhook:
                await run_webhook(
                    measurement, args.think / 1000, first_user, _database_url(args.in_place), args.redis_url
                )
            else:
                await run_in_process(measurement, args.think / 1000, first_user)
            used.extend(range(first_user, first_user + measurement.conversations))
            first_user += measurement.conversations
            results.append(measurement)
            print(measurement.row(), flush=True)


async def _clean_up(in_place: bool, used: list[int]) -> None:
    from asgiref.sync import sync_to_async
    from django.db import connections

    from bot.facade import BookingFacade, TooLateToChangeError
    from bot.orm_threads import default_pool

    if in_place:  # leave no bench visits behind (those inside the cutoff stay)
        facade = BookingFacade()
        for user_id in used:
            for visit in await facade.upcoming_visits(user_id):
                with contextlib.suppress(TooLateToChangeError):
                    await facade.cancel_visit(user_id, visit.ref)
    # Close the connections of the facade's threads so that the throwaway database can be dropped.
    await default_pool().close_all()

    await sync_to_async(connections.close_all)()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-n", "--conversations", type=int, default=40, help="per measurement (at least 2 per client)"
    )
    parser.add_argument(
        "-c",
        "--clients",
        "--concurrency",
        default="1,5,20",
        help="comma-separated numbers of clients tapping at the same time (default 1,5,20)",
    )
    parser.add_argument("--think", type=float, default=0.0, metavar="MS", help="pause before each tap")
    parser.add_argument("--webhook", action="store_true", help="through `python -m bot --webhook` processes")
    parser.add_argument(
        "--processes", default="1,2", help="with --webhook: comma-separated numbers of processes"
    )
    parser.add_argument("--in-place", action="store_true", help="use the configured database as it is")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djproject.settings")
    # Cache keys of this run only: its throwaway database shares no cached answer with the
    # database of a bot that uses the same Redis (the keys are dropped at the end).
    os.environ["CACHE_KEY_PREFIX"] = (
        f"{os.environ.get('CACHE_KEY_PREFIX') or 'salon'}-bench-{secrets.token_hex(4)}"
    )
    import django

    django.setup()
    logging.getLogger("aiogram").setLevel(logging.WARNING)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    args.redis_url = settings.REDIS_URL
    if args.webhook and not args.redis_url:
        parser.error("--webhook needs REDIS_URL (the bot processes share the dialogs through Redis)")
    old_config = None
    if not args.in_place:
        database = settings.DATABASES["default"]
        if database["ENGINE"].endswith("sqlite3"):
            name = str(settings.BASE_DIR / ".bench-db.sqlite3")
        else:
            name = f"{database['NAME']}_bot_bench"
        database.setdefault("TEST", {})["NAME"] = name  # never the test suite's database
        old_config = setup_databases(verbosity=0, interactive=False)
    threads = os.environ.get("BOT_DB_THREADS") or "default"
    print(
        f"database: {connection.vendor}; ORM threads per process: {threads}; "
        f"think time {args.think:g} ms; cores: {os.cpu_count()}"
    )
    print(HEADER, flush=True)
    try:
        call_command("seed_demo", stdout=io.StringIO())
        connection.close()
        asyncio.run(measure(args))
    finally:
        if args.redis_url:
            asyncio.run(_drop_redis_keys(args.redis_url))
        if old_config is not None:
            from django.db import connections

            from bot.orm_threads import default_pool

            asyncio.run(default_pool().close_all())
            connections.close_all()
            teardown_databases(old_config, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
