"""Webhook mode: an aiohttp server that receives updates from Telegram.

Telegram sends ``WEBHOOK_SECRET`` in the ``X-Telegram-Bot-Api-Secret-Token`` header; aiogram's
``SimpleRequestHandler`` refuses a request without it (401), so nobody else can post updates.

Scale-out: ``python -m bot --webhook --workers N`` starts N server processes that all listen on
the same port (``SO_REUSEPORT``: the kernel spreads the incoming connections over them). They
share PostgreSQL and Redis (FSM storage, dialog stacks, the per-user event lock and throttle),
so any process can take any update of any user; ``REDIS_URL`` is therefore required for N > 1.
Only worker 0 registers the webhook with Telegram. One process per core: each runs Python on
one core at a time (the GIL), the database calls on its small ORM thread pool.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from types import FrameType

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.config import BotConfig

log = logging.getLogger(__name__)

# Set by ``serve_workers`` in each worker's environment: its number (0 registers the webhook).
WORKER_ENV = "BOT_WEBHOOK_WORKER"


def build_webhook_app(
    dp: Dispatcher,
    bot: Bot,
    *,
    secret: str,
    path: str = "/webhook",
    handle_in_background: bool = True,
) -> web.Application:
    """The aiohttp application serving ``path``; the dispatcher's start-up and shut-down hooks
    run with the application's. ``handle_in_background=False`` answers Telegram's POST only
    once the update is handled: Telegram then redelivers an update whose process died meanwhile,
    and ``bot.bench`` times each update from request to response."""
    if not secret:
        raise ValueError("webhook mode needs WEBHOOK_SECRET")
    app = web.Application()
    SimpleRequestHandler(
        dispatcher=dp, bot=bot, secret_token=secret, handle_in_background=handle_in_background
    ).register(app, path=path)
    setup_application(app, dp, bot=bot)
    return app


def run_webhook(
    dp: Dispatcher,
    bot: Bot,
    config: BotConfig,
    *,
    reuse_port: bool = False,
    handle_in_background: bool = True,
) -> None:
    """Register the webhook with Telegram at start-up (worker 0 only when several processes
    serve the port), then serve until stopped."""
    if not config.webhook_url:
        raise SystemExit("webhook mode needs WEBHOOK_URL (the public https URL Telegram posts to)")

    async def register(bot: Bot) -> None:
        await bot.set_webhook(
            config.webhook_url,
            secret_token=config.webhook_secret,
            allowed_updates=dp.resolve_used_update_types(),
            drop_pending_updates=False,
        )
        log.info("webhook set to %s", config.webhook_url)

    if os.environ.get(WORKER_ENV, "0") == "0":
        dp.startup.register(register)
    app = build_webhook_app(
        dp,
        bot,
        secret=config.webhook_secret,
        path=config.webhook_path,
        handle_in_background=handle_in_background,
    )
    web.run_app(app, host=config.webhook_host, port=config.webhook_port, reuse_port=reuse_port)


def serve_workers(count: int, argv: list[str]) -> int:
    """Start ``count`` copies of this webhook server (``argv``: the arguments without
    ``--workers``), each with ``reuse_port``, and wait for them. SIGINT and SIGTERM are passed
    on; if one worker exits, the others are stopped and its exit code returned (a supervisor
    such as systemd or Docker restarts the whole group)."""
    workers = [
        subprocess.Popen([sys.executable, "-m", "bot", *argv], env={**os.environ, WORKER_ENV: str(index)})
        for index in range(count)
    ]

    def forward(signum: int, _frame: FrameType | None) -> None:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    try:
        while True:
            for worker in workers:
                code = worker.poll()
                if code is not None:
                    forward(signal.SIGTERM, None)
                    for other in workers:
                        other.wait()
                    return code
            time.sleep(0.2)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
