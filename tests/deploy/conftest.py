"""Helpers for the deployment tests: the checkout's root and a clean environment for the
subprocesses that play a production start (nothing of the developer's own settings leaks in)."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A key as a deployment would generate it: long, random-looking, no placeholder words.
PRODUCTION_KEY = "q7Vf2-Lr9xZpW3kTn8Bd4Yh6Js1Mc5Ge0Ua7Oi2Xe9Rw4Tb8Nz6Kp3Ly1Hv5Qs0Fd"

# What a production start configures, and nothing else: DEBUG off, a real key, the admin's
# public host name, the TLS proxy's header.
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": PRODUCTION_KEY,
    "DJANGO_ALLOWED_HOSTS": "admin.example.com",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def clean_environ(**overrides: str) -> dict[str, str]:
    """The process environment without any project setting, plus ``overrides``.

    The variables the project reads all start with one of these prefixes or names; the
    developer's .env is switched off (SALON_ENV_FILE empty) unless an override sets it."""
    project = ("DJANGO_", "BOT_", "WEBHOOK_", "STAFF_", "LOG_", "SALON_", "TIME_ZONE", "DATABASE_", "REDIS_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(project)}
    env["SALON_ENV_FILE"] = ""
    env.update(overrides)
    return env


@pytest.fixture
def python() -> str:
    return sys.executable
