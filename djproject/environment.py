"""Every environment variable the project reads: its type, its default, and its check.

One pydantic-settings model, read once by ``djproject.settings`` (and by the bot for the webhook
server's address). A ``.env`` file in the working directory is read when present; variables
of the process win over it. ``SALON_ENV_FILE`` names another file, or none when empty (the
test run sets it empty, so a developer's ``.env`` never changes what the tests see).

Defaults are the production-safe ones: DEBUG is off unless ``DJANGO_DEBUG=true`` says so, and
without DEBUG the secret key must be a real one. A mistake is reported as one line that names
the variable (``SettingsError``); ``djproject.settings`` turns it into the process's exit.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from django.core.exceptions import ImproperlyConfigured
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_FILE_VARIABLE = "SALON_ENV_FILE"
DEFAULT_ENV_FILE = ".env"

# Used only with DJANGO_DEBUG=true; refused without it, like every placeholder below.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"
# Django's own check (security.W009) asks for at least 50 characters, 5 of them different.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 5
# Words that mark a key copied from an example rather than generated.
PLACEHOLDER_MARKS = ("change-me", "changeme", "django-insecure", "placeholder", "your-secret", "example")
GENERATE_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ImproperlyConfigured):
    """A variable is missing or wrong; the message is one line that starts with its name."""


CommaList = Annotated[list[str], NoDecode]


class Environment(BaseSettings):
    """The variables, named as the environment names them (case-insensitively)."""

    model_config = SettingsConfigDict(
        case_sensitive=False,
        env_ignore_empty=True,  # `BOT_TOKEN=` in .env means "not set", as in the shell
        extra="ignore",  # a .env may hold variables for docker compose or other tools
        env_file_encoding="utf-8",
    )

    django_secret_key: str = ""
    django_debug: bool = False
    django_allowed_hosts: CommaList = Field(default_factory=lambda: ["localhost", "127.0.0.1", "[::1]"])
    django_csrf_trusted_origins: CommaList = Field(default_factory=list)
    # The header the TLS proxy sets to "https" (e.g. X-Forwarded-Proto); trusted only when set.
    django_secure_proxy_ssl_header: str = ""
    # None: on exactly when DEBUG is off.
    django_secure_ssl_redirect: bool | None = None
    django_hsts_seconds: int = Field(default=31_536_000, ge=0)
    django_hsts_include_subdomains: bool = True
    django_hsts_preload: bool = True

    # Runtime files (the SQLite database, collected static files); see djproject.paths.
    salon_data_dir: Path | None = None
    database_url: str = ""
    redis_url: str = ""
    # Prefix of every cache key (Redis or local): processes that share a Redis but not a
    # database (a benchmark's throwaway database, a second salon) must not share cached answers.
    cache_key_prefix: str = Field(default="salon", min_length=1, max_length=100)
    time_zone: str = "Europe/Berlin"
    log_level: str = "INFO"

    bot_token: str = ""
    bot_api_url: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = "/webhook"
    staff_chat_id: int | None = None
    # Threads the bot runs its database calls on (bot/orm_threads.py); None: by database.
    bot_db_threads: int | None = Field(default=None, ge=1, le=64)

    @field_validator("django_allowed_hosts", "django_csrf_trusted_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _known_log_level(cls, value: Any) -> Any:
        level = str(value).strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("staff_chat_id", mode="before")
    @classmethod
    def _integer_chat_id(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise ValueError(
                    "must be an integer chat id (a group's id is negative, e.g. -1001234567890; "
                    "a @name does not work)"
                ) from None
        return value

    @field_validator("django_secure_proxy_ssl_header", mode="before")
    @classmethod
    def _header_name(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() and not value.strip().replace("-", "").isalnum():
            raise ValueError("must be a header name such as X-Forwarded-Proto")
        return value.strip() if isinstance(value, str) else value

    @property
    def proxy_ssl_header(self) -> tuple[str, str] | None:
        """Django's SECURE_PROXY_SSL_HEADER for the configured header name."""
        if not self.django_secure_proxy_ssl_header:
            return None
        return ("HTTP_" + self.django_secure_proxy_ssl_header.upper().replace("-", "_"), "https")


def env_file_from_environ() -> Path | None:
    """The .env file to read: SALON_ENV_FILE if set (empty: none), else ./.env."""
    name = os.environ.get(ENV_FILE_VARIABLE, DEFAULT_ENV_FILE)
    return Path(name) if name else None


def load_environment() -> Environment:
    """The environment of this process, with the .env file that SALON_ENV_FILE names."""
    return read_environment(env_file_from_environ())


def read_environment(env_file: Path | None) -> Environment:
    """Read and check the variables, with ``env_file`` under them when it exists."""
    try:
        return Environment(_env_file=env_file if env_file is not None and env_file.is_file() else None)
    except ValidationError as error:
        raise SettingsError(describe(error)) from None


def describe(error: ValidationError) -> str:
    """The first problem as one line: the variable's name, what is wrong, what was given."""
    problem = error.errors()[0]
    name = str(problem["loc"][0]).upper() if problem["loc"] else "a setting"
    cause = problem.get("ctx", {}).get("error")
    reason = str(cause) if isinstance(cause, ValueError) else problem["msg"].lower()
    given = problem.get("input")
    return f"{name} {reason} (got {given!r})" if isinstance(given, str) else f"{name} {reason}"


def secret_key(environment: Environment) -> str:
    """The key to sign with. With DEBUG a missing key means the development key; without it a
    missing, short or copied key stops the start, before anything is signed with it."""
    key = environment.django_secret_key.strip()
    if environment.django_debug:
        return key or DEVELOPMENT_SECRET_KEY
    hint = f"set a random one of {SECRET_KEY_MIN_LENGTH}+ characters: {GENERATE_KEY}"
    if not key:
        raise SettingsError(
            f"DJANGO_SECRET_KEY is not set and DJANGO_DEBUG is off; {hint} "
            "(for development instead: DJANGO_DEBUG=true)"
        )
    if key == DEVELOPMENT_SECRET_KEY or any(mark in key.lower() for mark in PLACEHOLDER_MARKS):
        raise SettingsError(f"DJANGO_SECRET_KEY is a placeholder, not a secret; {hint}")
    if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_UNIQUE:
        raise SettingsError(f"DJANGO_SECRET_KEY is too weak ({len(key)} characters); {hint}")
    return key
