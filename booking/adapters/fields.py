"""Questions about the injected models' shape, answered from ``_meta``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist


def has_field(model: type[Any], name: str) -> bool:
    """Whether an injected model has a field (the adapter works with models of any shape)."""
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
