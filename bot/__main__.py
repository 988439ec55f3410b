"""``python -m bot``: long polling (default), ``--webhook`` (aiohttp server), ``--worker`` (only
the notification sender) or ``--local`` (terminal chat, no token needed). Polling and the
webhook server run the notification sender beside them; local mode does not (it must not
consume the real outbox). Environment variables: see docs/bot.md."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from typing import TYPE_CHECKING, Any

import django

if TYPE_CHECKING:
    from bot.outbox import OutboxSender


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--webhook", action="store_true", help="serve the webhook (WEBHOOK_URL, WEBHOOK_SECRET)"
    )
    mode.add_argument("--local", action="store_true", help="chat with the bot in this terminal")
    mode.add_argument(
        "--worker", action="store_true", help="only send notifications (no updates are received)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="with --webhook: N server processes on one port (SO_REUSEPORT; needs REDIS_URL)",
    )
    parser.add_argument(
        "--answer-after-handling",
        action="store_true",
        help="with --webhook: answer each POST once its update is handled (Telegram redelivers "
        "an update whose process died; bot.bench times updates this way)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djproject.settings")
    django.setup()  # before anything that imports models (the facade's services)
    if not args.local and not _token_is_set():
        # Not a failure to retry: exit 0, so `restart: on-failure` (docker-compose.yml) leaves
        # the bot stopped, with this line in its log, instead of a restart loop.
        print(NO_TOKEN, file=sys.stderr)
        return 0
    problem = check_database()
    if problem is not None:
        code, line = problem
        print(f"python -m bot: {line}", file=sys.stderr)
        return code

    from bot.app import build_bot, build_dispatcher
    from bot.config import load_config
    from bot.outbox import OutboxSender, attach_sender, build_sender_bot
    from bot.storage import build_storage
    from bot.webhook import WORKER_ENV, run_webhook, serve_workers

    config = load_config()
    if args.webhook and args.workers > 1 and WORKER_ENV not in os.environ:
        if not config.redis_url:
            parser.error("--workers needs REDIS_URL: the processes share the dialogs through Redis")
        return serve_workers(args.workers, _worker_argv(args))
    if args.local:
        from bot.local import run_local
        from bot.local_session import TelegramSimulator

        logging.getLogger("aiogram").setLevel(logging.WARNING)
        telegram = TelegramSimulator()
        dp = build_dispatcher()  # memory storage: the chat lives as long as the process
        asyncio.run(run_local(dp, build_bot(session=telegram), telegram))
        return 0

    sender = OutboxSender(build_sender_bot(config.token, api_url=config.api_url))
    if args.worker:
        asyncio.run(_work(sender))
        return 0

    storage, isolation = build_storage(config.redis_url)
    dp = build_dispatcher(storage=storage, events_isolation=isolation)
    bot = build_bot(config.token, api_url=config.api_url)
    attach_sender(dp, sender)  # started and stopped with polling or the webhook server
    if args.webhook:
        run_webhook(
            dp,
            bot,
            config,
            reuse_port=args.workers > 1,
            handle_in_background=not args.answer_after_handling,
        )
        return 0

    async def poll() -> None:
        await bot.delete_webhook(drop_pending_updates=False)
        await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types())

    asyncio.run(poll())
    return 0


NO_TOKEN = (
    "python -m bot: BOT_TOKEN is empty, so the bot is not started; set it (from @BotFather) "
    "and start the bot again, or run `python -m bot --local` to try it in this terminal"
)


def _token_is_set() -> bool:
    from django.conf import settings

    return bool(settings.BOT_TOKEN.strip())


def _worker_argv(args: argparse.Namespace) -> list[str]:
    """The command line of one webhook worker: the supervisor's own; ``WORKER_ENV`` in its
    environment makes it serve (with ``reuse_port``) instead of starting workers."""
    argv = ["--webhook", "--workers", str(args.workers)]
    return [*argv, "--answer-after-handling"] if args.answer_after_handling else argv


DATABASE_UNREACHABLE = 2
DATABASE_NOT_MIGRATED = 1


def check_database() -> tuple[int, str] | None:
    """Connect once and compare the migrations with the code, before any update is taken: a
    bot started against a database that is down or not migrated would otherwise answer every
    update with an apology and log a traceback for each. ``None`` when all is well, else the
    exit code and the one line to print."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[DEFAULT_DB_ALIAS]
    where = _describe(connection.settings_dict)
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:  # any driver error: the message, not a traceback
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return DATABASE_UNREACHABLE, f"cannot reach the database {where}: {first_line}"
    finally:
        connection.close()  # the bot's queries run in another thread with their own connection
    if plan:
        return (
            DATABASE_NOT_MIGRATED,
            f"the database {where} is not migrated ({len(plan)} migrations not applied); "
            "run `python manage.py migrate` first",
        )
    return None


def _describe(settings: dict[str, Any]) -> str:
    """Where the database is, without the password."""
    if settings["ENGINE"].endswith("sqlite3"):
        return f"SQLite file {settings['NAME']}"
    return (
        f"{settings.get('HOST') or 'localhost'}:{settings.get('PORT') or 'default port'}/{settings['NAME']}"
    )


async def _work(sender: OutboxSender) -> None:
    """``--worker``: the sender alone, until SIGINT or SIGTERM."""
    from bot.outbox import run_worker

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await run_worker(sender, stop)


if __name__ == "__main__":
    raise SystemExit(main())
