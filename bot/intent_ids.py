"""Collision-free dialog intent ids.

aiogram-dialog 2.6 makes an intent id from the current second plus one of 100 random values
(``aiogram_dialog.api.entities.stack.new_int_id``), so two dialogs started within the same
second — the main menu and My bookings started by one tap, or quick taps — collide with a
probability of 1 in 100, and the newer context overwrites the older one: the client's buttons
then point at a dialog that is gone. We draw 40 random bits instead (ids stay 7 characters,
well inside the 64-byte callback data limit).
"""

from __future__ import annotations

import secrets

from aiogram_dialog.api.entities import stack

ID_BITS = 40


def _random_int_id() -> int:
    return secrets.randbits(ID_BITS) | 1  # never 0 (id_to_str maps 0 to a one-character id)


def install() -> None:
    """Replace the library's id source; idempotent."""
    stack.new_int_id = _random_int_id
