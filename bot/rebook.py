"""The "Choose another time" button under a visit the salon cancelled for a schedule change
(``djproject.salon.schedule_changes``; ``bot/notifications.py``: ``Rebook``).

A cancelled visit cannot be moved by the reschedule dialog, so the button starts a fresh
booking with the visit's services already chosen, on the master step: the client may keep
"Any master" (another master where one does the services) or pick one, then a day and time,
and Confirm books as usual (phone step, locks, limits). Only the tapping client's own visit is
read; a forged or stale button opens the ordinary start of the booking.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import CallbackQuery
from aiogram_dialog import DialogManager, ShowMode, StartMode

from bot.dialogs.booking import REBOOK
from bot.dialogs.states import BookingSG, MenuSG
from bot.facade import VISIT_REF_RE, BookingFacade
from bot.notifications import Rebook

log = logging.getLogger(__name__)


async def on_rebook(
    callback: CallbackQuery, callback_data: Rebook, facade: BookingFacade, dialog_manager: DialogManager
) -> None:
    service_ids: list[int] = []
    if VISIT_REF_RE.match(callback_data.ref):
        service_ids = await facade.rebook_services(callback.from_user.id, callback_data.ref)
    else:
        log.warning("ignored rebook %r from user %s", callback.data, callback.from_user.id)
    await callback.answer()
    # The main menu underneath, so Back and Cancel of the booking end there.
    await dialog_manager.start(MenuSG.main, mode=StartMode.RESET_STACK, show_mode=ShowMode.NO_UPDATE)
    if not service_ids:
        await dialog_manager.start(BookingSG.category, show_mode=ShowMode.SEND)
        return
    data = {"service_ids": service_ids, REBOOK: True}
    await dialog_manager.start(BookingSG.master, data=data, show_mode=ShowMode.SEND)


def rebook_router() -> Router:
    """The button's handler; included beside the other notifications' buttons, before the dialogs."""
    router = Router(name="rebook")
    router.callback_query.register(on_rebook, Rebook.filter())
    return router
