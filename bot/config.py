"""Bot settings: Django settings for what the whole project shares, the environment for the
webhook server's own address (only the bot process listens there)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class BotConfig:
    token: str
    api_url: str
    webhook_url: str
    webhook_secret: str
    redis_url: str
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    webhook_path: str = "/webhook"


def load_config() -> BotConfig:
    """Read the configuration; call after ``django.setup()``."""
    from django.conf import settings

    return BotConfig(
        token=settings.BOT_TOKEN,
        api_url=settings.BOT_API_URL,
        webhook_url=settings.WEBHOOK_URL,
        webhook_secret=settings.WEBHOOK_SECRET,
        redis_url=settings.REDIS_URL,
        webhook_host=os.environ.get("WEBHOOK_HOST", "0.0.0.0"),
        webhook_port=int(os.environ.get("WEBHOOK_PORT", "8080")),
        webhook_path=os.environ.get("WEBHOOK_PATH", "/webhook"),
    )
