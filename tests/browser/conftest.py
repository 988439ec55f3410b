"""Browser tests: a real Chromium (Debian's /usr/bin/chromium) driven by Playwright for Python.

Playwright's own browser downloads (``playwright install``) are not used: CI installs Debian's
Chromium with apt-get, and the tests point Playwright at it. A missing Chromium or Playwright
skips the tests outside CI and fails them under ``CI=true`` (``missing_service``).

Playwright runs in a thread of its own. Its sync API keeps an asyncio loop running in the
thread that started it, and Django refuses ORM calls from a thread with a running loop
(``SynchronousOnlyOperation``): in the test's thread that broke the test database setup and
every query the test makes. So the test's thread does the database work and hands browser
work to ``BrowserThread.run``; Playwright objects never leave their thread.
"""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.conftest import missing_service

CHROMIUM = Path("/usr/bin/chromium")
# Quiet, offline, sandbox-free: CI runs as root in a container without a GPU or a network
# to phone home to.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


T = TypeVar("T")


class BrowserThread:
    """A headless Chromium that lives in one worker thread; ``run`` calls into that thread."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")
        self._playwright: Any = None
        self._browser: Any = None
        self._executor.submit(self._start).result()

    def _start(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )

    def run(self, scenario: Callable[..., T], *args: Any) -> T:
        """``scenario(browser, *args)`` in the browser's thread; its exceptions re-raise here."""
        return self._executor.submit(scenario, self._browser, *args).result()

    def close(self) -> None:
        def stop() -> None:
            if self._browser is not None:
                self._browser.close()
            if self._playwright is not None:
                self._playwright.stop()

        try:
            self._executor.submit(stop).result()
        finally:
            self._executor.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[BrowserThread]:
    """One headless Chromium for the session's browser tests."""
    if not CHROMIUM.exists():
        missing_service(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing_service("Playwright for Python (pip install playwright)")
    thread = BrowserThread()
    yield thread
    thread.close()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (gitignored), created on demand."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
