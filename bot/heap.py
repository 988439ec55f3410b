"""The heap the bot process builds at start-up, kept out of the garbage collector's full passes.

Django, aiogram, aiogram-dialog and pydantic leave some 280 000 long-lived objects (modules,
classes, schemas, the dialogs' widgets) that are never garbage. Python's cyclic collector
still walks all of them in every full (generation 2) collection: about 200 ms on a busy
2-core machine, once every few hundred updates, during which every update in flight waits.
``gc.freeze()`` moves them to the permanent generation, which no collection walks (the
technique Instagram described for its Django servers); the collector goes on collecting
everything made afterwards. Garbage present at start-up is collected first, so freezing never
keeps a dead object alive.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def freeze_startup_heap() -> None:
    """Collect the start-up garbage, then freeze what is left (the bot's long-lived objects)."""
    gc.collect()
    gc.freeze()
    log.info("froze %s start-up objects out of the garbage collector's passes", gc.get_freeze_count())


async def on_startup() -> None:
    """The dispatcher's last start-up handler (polling, the webhook, the local chat)."""
    freeze_startup_heap()
