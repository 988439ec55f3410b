"""At start-up the dispatcher collects the garbage and freezes the rest of the heap
(``bot.heap``): full collections no longer walk the start-up objects, and nothing dead is kept."""

from __future__ import annotations

import gc
import weakref

from aiogram import Bot

from bot.app import build_dispatcher


class _Node:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def _in_collected_generations(obj: object) -> bool:
    return any(o is obj for generation in range(3) for o in gc.get_objects(generation))


async def test_startup_collects_the_garbage_then_freezes_the_rest(bot: Bot) -> None:
    # given a process with a garbage cycle and a live object made before start-up
    garbage = _Node()
    dead = weakref.ref(garbage)
    del garbage
    alive = _Node()
    dp = build_dispatcher(set_commands_on_startup=False)
    assert _in_collected_generations(alive)

    # when the dispatcher starts (as polling, the webhook and the local chat start it)
    await dp.emit_startup(bot=bot, **dp.workflow_data)

    # then the garbage is gone and the live object is out of the collector's passes
    assert dead() is None
    assert gc.get_freeze_count() > 0
    assert not _in_collected_generations(alive)
