"""``python -m bot --local``: the same dispatcher as a chat in the terminal, without a token.

Telegram is simulated in memory (``bot.local_session``); the bot's messages are printed with
numbered buttons. Type a number to press a button, anything else to send it as text
(``/start``, ``/help``, ``/cancel`` are commands). When the bot asks for the phone, typing a
number sends it. An empty line or Ctrl+D ends the chat.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TextIO

from aiogram import Bot, Dispatcher

from bot.dialogs.calendar import NOOP
from bot.dialogs.slot_picker import CALENDAR_ID
from bot.local_session import SimMessage, SimulatedUser, TelegramSimulator, visible

LOCAL_USER_ID = 1_000_001


def _inert(callback_data: str) -> bool:
    """Calendar cells that do nothing (titles, weekday names, closed days) get no number."""
    _intent, _sep, data = callback_data.rpartition("\x1d")
    return data.startswith(f"{CALENDAR_ID}:{NOOP}")


class LocalChat:
    """Prints what the bot does in the chat since the last look; maps numbers to buttons."""

    def __init__(self, user: SimulatedUser, out: TextIO) -> None:
        self.user = user
        self.out = out
        self.seen_events = 0
        self.numbered: list[tuple[str, SimMessage | None]] = []
        self.printed: dict[int, tuple[str | None, str | None, bool]] = {}

    def render(self) -> None:
        """Print each message the bot sent or re-worded since the last look (an edit that
        only takes a keyboard away is not news), then the buttons in view."""
        events = self.user.telegram.events[self.seen_events :]
        self.seen_events += len(events)
        for kind, chat_id, message in events:
            if chat_id != self.user.chat.id or kind == "delete":
                continue
            if message.message_id not in self.user.chat.messages:
                continue
            content = (message.text, message.caption, bool(message.document))
            if self.printed.get(message.message_id) == content:
                continue
            self.printed[message.message_id] = content
            self._print_message(message)
        self._print_buttons()

    def _print_message(self, message: SimMessage) -> None:
        print("-" * 40, file=self.out)
        if message.document:
            print(f"[file: {message.document['file_name']}]", file=self.out)
        if message.photo:
            print("[photo]", file=self.out)
        if message.text or message.caption:
            print(message.text or message.caption, file=self.out)

    def _print_buttons(self) -> None:
        self.numbered = []
        inline = self.user.keyboard_message()
        for row in (inline.inline_keyboard if inline else []) or []:
            self._print_row([(b["text"], inline, _inert(b.get("callback_data", ""))) for b in row])
        for row in self.user.chat.reply_keyboard or []:
            self._print_row([(b["text"], None, False) for b in row], reply=True)

    def _print_row(self, buttons: list[tuple[str, SimMessage | None, bool]], reply: bool = False) -> None:
        cells = []
        for text, message, inert in buttons:
            label = visible(text)
            if inert or not label:
                cells.append(f"{label:>4}")
                continue
            self.numbered.append((label, message))
            cells.append(f"[{len(self.numbered)}] {label}")
        if any(cell.strip() for cell in cells):
            print(("  (keyboard) " if reply else "  ") + "  ".join(cells), file=self.out)

    async def handle(self, line: str) -> None:
        line = line.strip()
        if line.isdigit() and 1 <= int(line) <= len(self.numbered):
            label, message = self.numbered[int(line) - 1]
            await self.user.press(label, message)
        elif self._asks_for_contact() and any(ch.isdigit() for ch in line) and not line.startswith("/"):
            await self.user.share_contact(line)
        else:
            await self.user.send_text(line)
        self.render()

    def _asks_for_contact(self) -> bool:
        return any(b.get("request_contact") for row in self.user.chat.reply_keyboard or [] for b in row)


async def run_local(
    dp: Dispatcher,
    bot: Bot,
    telegram: TelegramSimulator,
    *,
    read_line: Callable[[], str] = sys.stdin.readline,
    out: TextIO = sys.stdout,
    language_code: str = "en",
    echo: bool = False,
) -> None:
    """The terminal loop: /start first, then one line of input per action."""
    user = SimulatedUser(dp, bot, telegram, LOCAL_USER_ID, first_name="You", language_code=language_code)
    chat = LocalChat(user, out)
    print("Local chat with the bot. Type a number to press a button, or text; empty line quits.", file=out)
    await dp.emit_startup(bot=bot, **dp.workflow_data)
    try:
        await chat.handle("/start")
        while True:
            print("> ", end="", file=out, flush=True)
            line = await asyncio.to_thread(read_line)
            if echo:
                print(line.rstrip("\n"), file=out)
            if not line or not line.strip():
                break
            await chat.handle(line)
    finally:
        await dp.emit_shutdown(bot=bot, **dp.workflow_data)
