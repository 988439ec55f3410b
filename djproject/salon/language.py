"""The language the catalogue is read in, passed explicitly with every call from the bot.

django-modeltranslation reads the *active* language (``service.name`` is ``name_de`` under
German). The bot calls the salon services on its ORM threads (``bot/orm_threads.py``), where no
request has activated a language and a thread's last one would leak into the next call: so the
bot passes the client's (or the staff chat's) language with each call, and the call runs in it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, ParamSpec, TypeVar

from django.utils import translation

P = ParamSpec("P")
R = TypeVar("R")


def in_language(language: str | None) -> AbstractContextManager[Any]:
    """Names and descriptions in ``language`` inside the block; None leaves the active one
    (the admin's request language, a management command's default)."""
    return translation.override(language) if language else nullcontext()


def speaks_language(func: Callable[P, R]) -> Callable[..., R]:
    """Gives a service the keyword ``language``: the whole call runs in it, so every name in
    what it returns (visits, waitlist entries and offers) is in the language the bot asked for."""

    @functools.wraps(func)
    def wrapper(*args: Any, language: str | None = None, **kwargs: Any) -> R:
        with in_language(language):
            return func(*args, **kwargs)

    return wrapper
