"""Webhook mode: an aiohttp server that receives updates from Telegram.

Telegram sends ``WEBHOOK_SECRET`` in the ``X-Telegram-Bot-Api-Secret-Token`` header; aiogram's
``SimpleRequestHandler`` refuses a request without it (401), so nobody else can post updates.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.config import BotConfig

log = logging.getLogger(__name__)


def build_webhook_app(dp: Dispatcher, bot: Bot, *, secret: str, path: str = "/webhook") -> web.Application:
    """The aiohttp application serving ``path``; the dispatcher's start-up and shut-down hooks
    run with the application's."""
    if not secret:
        raise ValueError("webhook mode needs WEBHOOK_SECRET")
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, path=path)
    setup_application(app, dp, bot=bot)
    return app


def run_webhook(dp: Dispatcher, bot: Bot, config: BotConfig) -> None:
    """Register the webhook with Telegram at start-up, then serve until stopped."""
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

    dp.startup.register(register)
    app = build_webhook_app(dp, bot, secret=config.webhook_secret, path=config.webhook_path)
    web.run_app(app, host=config.webhook_host, port=config.webhook_port)
