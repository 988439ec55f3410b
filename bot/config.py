"""Bot settings: Django settings for what the whole project shares, the environment (read and
checked by djproject.environment, .env included) for the webhook server's own address (only
the bot process listens there)."""

from __future__ import annotations

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

    from djproject.environment import load_environment

    environment = load_environment()
    return BotConfig(
        token=settings.BOT_TOKEN,
        api_url=settings.BOT_API_URL,
        webhook_url=settings.WEBHOOK_URL,
        webhook_secret=settings.WEBHOOK_SECRET,
        redis_url=settings.REDIS_URL,
        webhook_host=environment.webhook_host,
        webhook_port=environment.webhook_port,
        webhook_path=environment.webhook_path,
    )
