"""``python -m bot.bench``: whole booking conversations through the real dispatcher.

Each conversation is what a client taps: /start → Book → category → service → Continue →
master → Nearest free date → a time → Confirm → share the phone → done (10 updates). Telegram
is simulated at the Bot API boundary (``bot.local_session``), so the figures are the bot's
own cost: aiogram, aiogram-dialog, the facade and the database.

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
import logging
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

BENCH_USER_BASE = 9_000_000_000

# (category, service name prefix, master) rotated over the conversations
PLAN = [
    ("Hair", "Women's haircut", "Anna"),
    ("Hair", "Men's haircut", "Boris"),
    ("Nails", "Manicure", "Any master"),
    ("Beauty", "Brow shaping", "Dana"),
    ("Hair", "Blow-dry", "Any master"),
]


class Timer:
    """Collects the latency of each update (one ``feed_update`` of the dispatcher)."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    async def __call__(self, action: Callable[[], Awaitable[Any]]) -> Any:
        started = time.perf_counter()
        try:
            return await action()
        finally:
            self.samples.append(time.perf_counter() - started)


async def conversation(user: Any, timer: Timer, plan: tuple[str, str, str], pick: int) -> str:
    """One booking, tap by tap; returns the visit's text on the done screen."""
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
    await timer(lambda: user.press(times[pick % len(times)]))
    await timer(lambda: user.press("✅ Confirm"))
    if "📱 Share my phone number" in user.buttons():
        await timer(lambda: user.press("📱 Share my phone number"))
    return user.text


async def run(conversations: int, concurrency: int, cancel_after: bool = False) -> dict[str, float]:
    from bot.app import build_bot, build_dispatcher
    from bot.facade import BookingFacade, TooLateToChangeError
    from bot.local_session import SimulatedUser, TelegramSimulator
    from bot.throttling import Limits, MemoryBuckets

    telegram = TelegramSimulator()
    bot = build_bot(session=telegram)
    facade = BookingFacade()
    # The simulated clients tap as fast as the bot answers: a bucket none of them empties.
    unhurried = MemoryBuckets(Limits(capacity=1_000_000))
    dp = build_dispatcher(facade=facade, set_commands_on_startup=False, throttle=unhurried)
    timer = Timer()
    booked = 0
    started = time.perf_counter()
    for first in range(0, conversations, concurrency):
        batch = range(first, min(first + concurrency, conversations))
        users = [
            SimulatedUser(dp, bot, telegram, BENCH_USER_BASE + n, first_name=f"Bench {n}") for n in batch
        ]
        results = await asyncio.gather(
            *(conversation(u, timer, PLAN[n % len(PLAN)], n) for u, n in zip(users, batch, strict=True))
        )
        booked += sum("✅ You are booked!" in text for text in results)
    elapsed = time.perf_counter() - started
    if cancel_after:  # in place: leave no bench visits behind (those inside the cutoff stay)
        for n in range(conversations):
            for visit in await facade.upcoming_visits(BENCH_USER_BASE + n):
                with contextlib.suppress(TooLateToChangeError):
                    await facade.cancel_visit(BENCH_USER_BASE + n, visit.ref)
    await bot.session.close()
    # The facade's queries ran in asgiref's thread; close its connection so that the
    # throwaway database can be dropped.
    from asgiref.sync import sync_to_async
    from django.db import connections

    await sync_to_async(connections.close_all)()
    samples = sorted(timer.samples)
    return {
        "conversations": conversations,
        "booked": booked,
        "updates": len(samples),
        "seconds": elapsed,
        "updates_per_second": len(samples) / elapsed,
        "mean_ms": statistics.fmean(samples) * 1000,
        "p50_ms": samples[len(samples) // 2] * 1000,
        "p95_ms": samples[min(len(samples) - 1, int(len(samples) * 0.95))] * 1000,
        "max_ms": samples[-1] * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--conversations", type=int, default=40)
    parser.add_argument("-c", "--concurrency", type=int, default=1, help="clients tapping at the same time")
    parser.add_argument("--in-place", action="store_true", help="use the configured database as it is")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djproject.settings")
    import django

    django.setup()
    logging.getLogger("aiogram").setLevel(logging.WARNING)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    old_config = None
    if not args.in_place:
        database = settings.DATABASES["default"]
        if database["ENGINE"].endswith("sqlite3"):
            name = str(settings.BASE_DIR / ".bench-db.sqlite3")
        else:
            name = f"{database['NAME']}_bot_bench"
        database.setdefault("TEST", {})["NAME"] = name  # never the test suite's database
        old_config = setup_databases(verbosity=0, interactive=False)
    try:
        call_command("seed_demo", stdout=io.StringIO())
        result = asyncio.run(run(args.conversations, args.concurrency, cancel_after=args.in_place))
    finally:
        if old_config is not None:
            from django.db import connections

            connections.close_all()
            teardown_databases(old_config, verbosity=0)
    print(
        f"database: {connection.vendor}; {result['conversations']} conversations "
        f"({result['booked']} booked), {result['updates']} updates in {result['seconds']:.2f} s, "
        f"concurrency {args.concurrency}"
    )
    print(f"throughput: {result['updates_per_second']:.1f} updates/s")
    print(
        f"latency per update: mean {result['mean_ms']:.1f} ms, p50 {result['p50_ms']:.1f} ms, "
        f"p95 {result['p95_ms']:.1f} ms, max {result['max_ms']:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
