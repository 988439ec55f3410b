"""Keeps aiogram's parametrised response models alive for the life of the process.

Every Bot API answer is validated as ``Response[method.__returning__]`` (aiogram's
``BaseSession.check_response``). pydantic (2.12+) caches a parametrised generic model in a
``WeakValueDictionary`` only, and nothing else holds ``Response[Message]``: as soon as the
garbage collector runs, the class is freed and the next answer builds it again — schema,
validator and all, about 2–5 ms each time, several times per update. Holding one strong
reference per return type makes every later ``Response[...]`` a dictionary hit.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


class ResponseModelKeeper(BaseRequestMiddleware):
    """A session middleware: before a method's request, holds ``Response[<its return type>]``
    so that the session's own ``check_response`` finds it in pydantic's cache."""

    def __init__(self) -> None:
        # One entry per return type the bot has used (a few dozen at most: the Bot API's).
        self.held: dict[Any, type[Response[Any]]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self.held:
            self.held[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)
