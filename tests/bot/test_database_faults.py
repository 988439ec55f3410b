"""The database misbehaving under the bot: a dropped connection, an error mid-update, and a
database that is down or not migrated when ``python -m bot`` starts."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.db import InterfaceError, OperationalError, connection

from bot.errors import UNAVAILABLE
from tests.bot.flows import give_phone, times, to_times, visits_of

ROOT = Path(__file__).resolve().parents[2]


def _orm_thread_backend_pid() -> int:
    """The PostgreSQL backend serving the ORM thread this runs in."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    """What a PostgreSQL restart or a firewall dropping an idle connection does to it (run in
    another thread, on another connection, closed afterwards)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0]
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
async def test_a_dropped_database_connection_does_not_break_the_next_booking(
    frozen_clock, demo_salon, make_user, dp
):
    """PostgreSQL drops the connection of every thread of the bot's ORM pool (all of them:
    any may take the next call) while the client looks at the summary."""
    user = make_user()
    await give_phone(user)
    await to_times(user, ("Hair", "Blow-dry"), master="Anna")
    await user.press(times(user)[0])
    assert "Please check your booking:" in user.text
    threads = dp.workflow_data["facade"].threads
    orm_pids = await threads.on_each(_orm_thread_backend_pid)

    for pid in orm_pids:
        await sync_to_async(_terminate, thread_sensitive=False)(pid)

    await user.press("✅ Confirm")
    assert "✅ You are booked!" in user.text
    assert len(await visits_of(user)) == 1
    assert not set(await threads.on_each(_orm_thread_backend_pid)) & set(orm_pids)  # new connections


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("error", [OperationalError("server closed the connection"), InterfaceError("gone")])
async def test_a_database_error_says_briefly_unavailable_and_keeps_the_summary(
    frozen_clock, demo_salon, make_user, dp, caplog, error
):
    user = make_user()
    await give_phone(user)
    await to_times(user, ("Hair", "Blow-dry"), master="Anna")
    slot = times(user)[0]
    await user.press(slot)
    facade = dp.workflow_data["facade"]
    real_book_visit = facade.book_visit

    async def database_down(*_args: object, **_kwargs: object) -> None:
        raise error

    facade.book_visit = database_down
    with caplog.at_level(logging.ERROR):
        callback_id = await user.press("✅ Confirm")

    assert user.telegram.callback_answered(callback_id)
    assert UNAVAILABLE in user.text
    assert "Sorry, something went wrong" not in "\n".join(m.text or "" for m in user.bot_messages())
    assert "Please check your booking:" in user.text and f"Time: {slot}" in user.text
    assert "✅ Confirm" in user.buttons()
    assert str(error) in caplog.text

    facade.book_visit = real_book_visit  # the database is back: the same Confirm books
    await user.press("✅ Confirm")
    assert "✅ You are booked!" in user.text
    assert len(await visits_of(user)) == 1


def _run_bot(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "BOT_TOKEN", "DJANGO_SETTINGS_MODULE"}
    }
    env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "bot", "--local"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _assert_one_clear_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == code, output
    assert len(output.splitlines()) == 1, output
    assert "Traceback" not in output
    for word in words:
        assert word in output


def test_start_up_with_the_database_unreachable_exits_with_one_line():
    result = _run_bot("postgres://postgres:secret-pw@127.0.0.1:9/salon")  # nothing listens on port 9
    _assert_one_clear_line(result, 2, "cannot reach the database", "127.0.0.1:9")
    assert "secret-pw" not in result.stderr


def test_start_up_with_an_unmigrated_database_exits_with_one_line(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    result = _run_bot(f"sqlite:///{empty}")
    _assert_one_clear_line(result, 1, "not migrated", "manage.py migrate")


@pytest.mark.django_db(transaction=True)
async def test_a_database_outage_costs_one_log_line_per_update_not_a_traceback(
    frozen_clock, demo_salon, make_user, dp, caplog
):
    """While the database is down every update fails to load the client's language: that is
    worth a line in the log, while the outage is told to the client by the error handler."""
    user = make_user(language_code="de")
    facade = dp.workflow_data["facade"]

    async def database_down(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("connection refused")

    facade.ensure_client = database_down
    with caplog.at_level(logging.WARNING, logger="bot.i18n"):
        await user.send_text("/start")

    language_records = [r for r in caplog.records if r.name == "bot.i18n"]
    assert language_records, "the failed language lookup is logged"
    assert all(r.exc_info is None for r in language_records)
    assert all("connection refused" in r.getMessage() for r in language_records)
