"""``python -m bot --local``: the terminal chat drives the same dispatcher."""

from __future__ import annotations

import io

import pytest

from bot.app import build_bot, build_dispatcher
from bot.local import run_local
from bot.local_session import TelegramSimulator

pytestmark = pytest.mark.django_db(transaction=True)


async def test_local_chat_prints_messages_and_numbered_buttons_and_presses_by_number(demo_salon):
    telegram = TelegramSimulator()
    lines = iter(["4", "/help", "1", ""])
    out = io.StringIO()
    dp = build_dispatcher()
    await run_local(
        dp, build_bot(session=telegram), telegram, read_line=lambda: next(lines) + "\n", out=out, echo=True
    )
    transcript = out.getvalue()
    assert "Welcome to Salon Aurora!" in transcript
    assert "[1] 📅 Book" in transcript and "[4] 📍 Contacts" in transcript
    assert "Address: Marktplatz 1, 06108 Halle (Saale)" in transcript
    assert "Press 📅 Book" in transcript
    assert telegram.commands  # start-up ran as in polling mode


async def test_local_chat_books_with_a_typed_phone_number(demo_salon):
    telegram = TelegramSimulator()
    out = io.StringIO()
    dp = build_dispatcher()
    # Book → Hair → first service → Continue → Any master → Nearest date → first time → Confirm → phone
    script = iter(["1", "1", "1", "2", "3", "NEAREST", "TIME", "CONFIRM", "+49 151 1234567", ""])

    def read_line() -> str:
        step = next(script)
        text = out.getvalue()
        if step == "NEAREST":
            return _number_of(text, "⚡ Nearest free date")
        if step == "TIME":
            return "1\n"
        if step == "CONFIRM":
            return _number_of(text, "✅ Confirm")
        return step + "\n"

    await run_local(dp, build_bot(session=telegram), telegram, read_line=read_line, out=out, echo=True)
    transcript = out.getvalue()
    assert "[file: visit.ics]" in transcript
    assert "✅ You are booked!" in transcript


def _number_of(transcript: str, label: str) -> str:
    tail = transcript[transcript.rindex("] " + label) - 4 :]
    return tail.split("[", 1)[1].split("]", 1)[0] + "\n"
