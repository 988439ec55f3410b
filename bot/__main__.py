"""``python -m bot``: long polling (default), ``--webhook`` (aiohttp server) or ``--local``
(terminal chat, no token needed). Environment variables: see docs/bot.md."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os

import django


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--webhook", action="store_true", help="serve the webhook (WEBHOOK_URL, WEBHOOK_SECRET)"
    )
    mode.add_argument("--local", action="store_true", help="chat with the bot in this terminal")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djproject.settings")
    django.setup()  # before anything that imports models (the facade's services)

    from bot.app import build_bot, build_dispatcher
    from bot.config import load_config
    from bot.storage import build_storage

    config = load_config()
    if args.local:
        from bot.local import run_local
        from bot.local_session import TelegramSimulator

        logging.getLogger("aiogram").setLevel(logging.WARNING)
        telegram = TelegramSimulator()
        dp = build_dispatcher()  # memory storage: the chat lives as long as the process
        asyncio.run(run_local(dp, build_bot(session=telegram), telegram))
        return 0

    if not config.token:
        parser.error("BOT_TOKEN is not set (use --local to try the bot without one)")
    storage, isolation = build_storage(config.redis_url)
    dp = build_dispatcher(storage=storage, events_isolation=isolation)
    bot = build_bot(config.token, api_url=config.api_url)
    if args.webhook:
        from bot.webhook import run_webhook

        run_webhook(dp, bot, config)
        return 0

    async def poll() -> None:
        await bot.delete_webhook(drop_pending_updates=False)
        await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types())

    asyncio.run(poll())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
