"""The Bot API simulator as the tests use it: ``bot.local_session.TelegramSimulator`` plus a
record of every call and every error answer, and failures on demand (Telegram's own errors,
a network error, a user who blocked the bot). Test doubles live in tests; the terminal chat
keeps only what it needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from bot.local_session import ApiError, SimMessage, TelegramSimulator

BLOCKED = "Forbidden: bot was blocked by the user"


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]


@dataclass
class Failure:
    method: str
    description: str
    status: int
    retry_after: int | None
    times: int
    chat_id: int | None = None
    network: bool = False


class RecordingTelegram(TelegramSimulator):
    """Records calls (``calls``) and error answers (``errors``: (method, description)); fails
    on demand (``fail``, ``blocked``)."""

    def __init__(self, bot_id: int = 4242, bot_username: str = "salon_test_bot") -> None:
        super().__init__(bot_id, bot_username)
        self.calls: list[ApiCall] = []
        self.errors: list[tuple[str, str]] = []
        self.blocked: set[int] = set()  # chats whose user blocked the bot: every send gets 403
        self._failures: list[Failure] = []

    def fail(
        self,
        method: str,
        description: str,
        *,
        status: int = 400,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
        network: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id`` only, if given) fail with
        this error; ``network=True``: no response at all (aiogram's TelegramNetworkError)."""
        self._failures.append(Failure(method, description, status, retry_after, times, chat_id, network))

    def calls_of(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def sent_to(self, chat_id: int) -> list[SimMessage]:
        """Messages the bot sent to a chat, in order (edits change them in place)."""
        return [message for kind, chat, message in self.events if kind == "send" and chat == chat_id]

    def callback_answered(self, callback_id: str) -> bool:
        return self._callbacks.get(callback_id, False)

    def check_request(self, method: TelegramMethod[Any], name: str, params: dict[str, Any]) -> None:
        self.calls.append(ApiCall(name, params))
        chat_id = params.get("chat_id")
        for failure in self._failures:
            if (
                failure.method == name
                and failure.times > 0
                and (failure.chat_id is None or str(failure.chat_id) == str(chat_id))
            ):
                failure.times -= 1
                if failure.network:
                    raise TelegramNetworkError(method=method, message="Request timeout error")
                raise ApiError(failure.description, failure.status, failure.retry_after)
        if name.startswith("send") and chat_id is not None and int(chat_id) in self.blocked:
            raise ApiError(BLOCKED, status=403)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        try:
            return await super().make_request(bot, method, timeout)
        except TelegramNetworkError:
            raise  # no answer at all
        except TelegramAPIError as error:
            self.errors.append((method.__api_method__, error.message))
            raise
