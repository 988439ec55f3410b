"""Shared test setup: which real services are present, and what happens when one is not;
and which day the suite believes it is.

Tests that need PostgreSQL carry ``@pytest.mark.postgres``; tests that need Redis use the
``redis_url`` fixture. Outside CI a missing service skips them; under ``CI=true`` it fails
them, so CI can never go green by skipping.

``SALON_TEST_TODAY=YYYY-MM-DD`` (or ``YYYY-MM-DDTHH:MM``) runs the suite as if it were that
day, at 08:00 salon time unless a time is given, with the clock ticking. Tests pinned to
``tests.moments.NOW`` (``frozen_clock``) keep their own date: their expectations are written
for that Tuesday. Everything else — the bot conversations, the booking flows — must hold on
any day, and this is how they are made to prove it on the awkward ones (a month's last day,
31 December, the eve of a DST change).
"""

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, time

import pytest
import redis
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


TODAY_VARIABLE = "SALON_TEST_TODAY"
MORNING = time(8, 0)  # salon time: the whole working day is still ahead, as at NOW


_pretended_now_key = pytest.StashKey["datetime | None"]()


def pretended_now(value: str | None) -> datetime | None:
    """The moment ``SALON_TEST_TODAY`` asks for (salon time), or None for the real clock."""
    if not value:
        return None
    from tests.moments import BERLIN

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"{TODAY_VARIABLE}={value!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    if len(value) == len("YYYY-MM-DD"):
        moment = datetime.combine(moment.date(), MORNING)
    return moment.replace(tzinfo=BERLIN) if moment.tzinfo is None else moment


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_pretended_now_key] = pretended_now(os.environ.get(TODAY_VARIABLE))


def pytest_report_header(config: pytest.Config) -> str:
    moment = config.stash[_pretended_now_key]
    if moment is None:
        from tests.moments import BERLIN

        real = datetime.now(BERLIN)
        return (
            f"clock: real ({real:%Y-%m-%d %H:%M} Berlin); replay with {TODAY_VARIABLE}={real:%Y-%m-%dT%H:%M}"
        )
    return f"clock: {TODAY_VARIABLE} -> {moment.isoformat()} (ticking; frozen_clock tests keep NOW)"


@pytest.fixture(autouse=True)
def _pretended_today(request: pytest.FixtureRequest) -> Iterator[None]:
    """Move the clock to ``SALON_TEST_TODAY`` for the whole test, fixtures included.

    Autouse, so it starts before the test's other function fixtures (the demo salon is seeded
    on the pretended day too); ``frozen_clock`` and ``time_machine.travel`` inside a test
    nest in it and win. The clock ticks, as the real one does, so timeouts and TTLs work.
    """
    moment = request.config.stash[_pretended_now_key]
    if moment is None:
        yield
        return
    import time_machine

    with time_machine.travel(moment, tick=True):
        yield


def missing_service(what: str) -> None:
    message = f"{what} is not available"
    if IN_CI:
        pytest.fail(f"{message}, and CI=true forbids skipping for a missing service")
    pytest.skip(message)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        missing_service("PostgreSQL (DATABASE_URL=postgres://...)")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A reachable Redis: REDIS_URL, else a local server on the default port (database 15)."""
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        missing_service(f"Redis at {url}")
    return url


def redis_cache_settings(url: str, prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {
                "serializer": "booking.cache.JSONSerializer",
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
            },
        }
    }


@pytest.fixture
def redis_cache(settings, redis_url: str) -> Iterator[redis.Redis]:
    """Point Django's cache at the real Redis under a fresh key prefix; yields a raw client."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = redis_cache_settings(redis_url, prefix)
    client = redis.Redis.from_url(redis_url)
    yield client
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def dead_redis_cache(settings) -> None:
    """Django's cache pointed at a port where nothing listens: Redis is down."""
    settings.CACHES = redis_cache_settings("redis://127.0.0.1:9/0", "dead")


@pytest.fixture(autouse=True)
def _isolated_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts with an empty cache of its own.

    Ids repeat after rollbacks, so cached keys of one test would leak into the next. A local
    cache is cleared; a Redis cache (REDIS_URL) gets a fresh key prefix, and its keys are
    deleted afterwards — never a FLUSHDB of somebody's Redis.
    """
    if not request.config.pluginmanager.hasplugin("django"):  # pure tests (tests/engine) run without it
        yield
        return
    from django.core.cache import caches

    settings = request.getfixturevalue("settings")
    config = settings.CACHES["default"]
    if "RedisCache" not in config["BACKEND"]:
        for cache in caches.all(initialized_only=True):
            cache.clear()
        yield
        return
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {**settings.CACHES, "default": {**config, "KEY_PREFIX": prefix}}
    yield
    client = redis.Redis.from_url(config["LOCATION"], socket_connect_timeout=0.5)
    try:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    except redis.RedisError:
        pass
    finally:
        client.close()


@pytest.fixture
def salon(db):
    """A salon configured like a real one (30-minute grid, an hour's notice, two months
    ahead, Berlin, Saxony-Anhalt holidays); returns its "Hair" category."""
    from tests import factories as f

    f.site_settings(timezone="Europe/Berlin", holidays_country="DE", holidays_subdiv="ST", phone="+49 1")
    f.booking_settings(
        step_minutes=30,
        min_advance_minutes=60,
        max_advance_days=60,
        default_buffer_between_minutes=0,
        work_start_weekdays="09:00",
        work_end_weekdays="18:00",
        work_start_saturday="10:00",
        work_end_saturday="14:00",
        cancellation_cutoff_minutes=120,
    )
    return f.category(name="Hair")


@pytest.fixture
def adapter(salon):
    """The availability adapter with the clock stopped at ``tests.moments.NOW``."""
    from djproject.salon.booking import get_adapter
    from tests.moments import NOW

    return get_adapter(clock=lambda: NOW)


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    """Stop the clock at ``tests.moments.NOW`` (Tuesday 1 December 2026, 08:00 Berlin)."""
    import time_machine

    from tests.moments import NOW

    with time_machine.travel(NOW, tick=False):
        yield
