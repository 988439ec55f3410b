"""A small pool of threads for the bot's ORM calls, each call handled as Django handles a request.

asgiref's default ``sync_to_async`` (thread-sensitive) runs every ORM call of the process on
one shared thread: a booking transaction waiting for PostgreSQL holds up every other client's
query, so one process served about the same number of updates per second with 1 or 5 clients.
Here ``size`` threads take calls from one queue, so while one waits for the database another
runs; each thread keeps its own Django connection (Django's connections are per thread).

Every call is wrapped like a Django request: ``close_old_connections`` before and after. A
connection the server dropped (a restart, an idle timeout) is checked and replaced before the
call's first query (``CONN_HEALTH_CHECKS``), one that failed during a call is closed after it,
one older than ``CONN_MAX_AGE`` is closed (SQLite: after every call, as its setting is 0).

``on_each`` runs a function once on every thread of the pool (the tests and the benchmark close
every thread's connection so that their database can be dropped). Nothing here is bound to an
event loop: one pool serves every loop of the process (the tests run one loop per test).

SQLite works with several threads too: its transactions begin IMMEDIATE (the write lock is
taken at BEGIN, so two bookings cannot both read a free slot and write it) and a connection
waits up to its timeout for the lock (``djproject/settings.py``).
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connections

T = TypeVar("T")

# PostgreSQL: each thread holds one connection; four keep a 2-core machine's database busy
# while the process's own Python (one GIL) runs. SQLite writes one at a time anyway.
DEFAULT_POSTGRES_THREADS = 4
DEFAULT_SQLITE_THREADS = 2


def default_size() -> int:
    """``BOT_DB_THREADS`` if set, else a size that suits the configured database."""
    configured = getattr(settings, "BOT_DB_THREADS", None)  # validated by djproject.environment
    if configured:
        return int(configured)
    engine = connections["default"].settings_dict["ENGINE"]
    return DEFAULT_SQLITE_THREADS if engine.endswith("sqlite3") else DEFAULT_POSTGRES_THREADS


def as_a_request(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run ``function`` between the connection checks Django makes around a request."""
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()


class _Job:
    __slots__ = ("args", "function", "future", "kwargs")

    def __init__(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.function, self.args, self.kwargs = function, args, kwargs
        self.future: Future[Any] = Future()

    def run(self) -> None:
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            result = self.function(*self.args, **self.kwargs)
        except BaseException as error:  # handed to the awaiting coroutine, as any executor does
            self.future.set_exception(error)
        else:
            self.future.set_result(result)


class OrmThreads(Executor):
    """``size`` daemon threads, started on first use, taking jobs from one shared queue, and
    each from a queue of its own (``on_each``) first."""

    def __init__(self, size: int, *, name: str = "orm") -> None:
        if size < 1:
            raise ValueError("an ORM pool needs at least one thread")
        self.size = size
        self._name = name
        self._ready = threading.Condition()
        self._shared: deque[_Job] = deque()
        self._own: list[deque[_Job]] = [deque() for _ in range(size)]
        self._threads: list[threading.Thread] = []
        self._shutdown = False

    # --- concurrent.futures.Executor (what sync_to_async hands the call to) ------------------

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        job = _Job(fn, args, kwargs)
        with self._ready:
            self._refuse_after_shutdown()
            self._start_threads()
            self._shared.append(job)
            self._ready.notify()
        return job.future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._ready:
            self._shutdown = True
            if cancel_futures:
                for job in self._shared:
                    job.future.cancel()
                self._shared.clear()
            self._ready.notify_all()
        if wait:
            for thread in self._threads:
                thread.join()

    # --- the bot's side ----------------------------------------------------------------------

    async def run(self, function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` on a pool thread, as a request (see ``as_a_request``)."""
        call = functools.partial(as_a_request, function, *args, **kwargs)
        return await sync_to_async(call, thread_sensitive=False, executor=self)()

    async def on_each(self, function: Callable[[], T]) -> list[T]:
        """``function()`` once on every thread, as a request (each runs it as soon as its
        current call ends, before the calls queued for any thread); the results in thread
        order."""
        return await self._on_each(functools.partial(as_a_request, function))

    async def close_all(self) -> None:
        """Close every thread's connections (the next call of a thread opens a new one).
        Not as a request: closing needs no usable connection, nor database access at all."""
        await self._on_each(connections.close_all)

    async def _on_each(self, function: Callable[[], T]) -> list[T]:
        with self._ready:
            self._refuse_after_shutdown()
            self._start_threads()
            jobs = [_Job(function, (), {}) for _ in range(self.size)]
            for own, job in zip(self._own, jobs, strict=True):
                own.append(job)
            self._ready.notify_all()
        return [await asyncio.wrap_future(job.future) for job in jobs]

    # --- the threads -----------------------------------------------------------------------

    def _refuse_after_shutdown(self) -> None:
        if self._shutdown:
            raise RuntimeError("cannot schedule new calls after shutdown")

    def _start_threads(self) -> None:
        while len(self._threads) < self.size:
            index = len(self._threads)
            thread = threading.Thread(
                target=self._work, args=(index,), name=f"{self._name}-{index}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _work(self, index: int) -> None:
        own = self._own[index]
        while True:
            with self._ready:
                while not own and not self._shared and not self._shutdown:
                    self._ready.wait()
                if own:
                    job = own.popleft()
                elif self._shared:
                    job = self._shared.popleft()
                else:
                    return  # shut down and nothing left to do
            job.run()


_default: OrmThreads | None = None
_default_lock = threading.Lock()


def default_pool() -> OrmThreads:
    """The process's pool (one per process, so that every dispatcher and the tests share it
    and its connections can be closed in one place)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = OrmThreads(default_size())
        return _default
