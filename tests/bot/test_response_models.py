"""The models aiogram validates Bot API answers with are built once per process
(``bot.response_models``), not again after every garbage collection."""

from __future__ import annotations

import gc
import weakref

from aiogram import Bot
from aiogram.methods import Response
from aiogram.types import Message

from tests.bot.simulator import RecordingTelegram


async def test_the_answer_model_outlives_the_garbage_collector(bot: Bot, telegram: RecordingTelegram) -> None:
    # given a bot that has sent a message (its answer validated as Response[Message])
    await bot.send_message(chat_id=700_999, text="Hello")
    model = weakref.ref(Response[Message])

    # when the garbage collector runs between two updates
    gc.collect()

    # then the next answer finds the same model: pydantic's weak cache alone would have lost it
    assert model() is not None
    assert Response[Message] is model()
    sent = await bot.send_message(chat_id=700_999, text="Again")
    assert sent.text == "Again"
