"""The client's screens as aiogram-dialog dialogs: one ``Dialog`` per flow, states in
``states.py``, shared widgets in ``common.py`` and ``calendar.py``."""

from aiogram_dialog import Dialog

from bot.dialogs.booking import booking_dialog
from bot.dialogs.menu import menu_dialog
from bot.dialogs.my_bookings import my_bookings_dialog
from bot.dialogs.phone import phone_dialog
from bot.dialogs.reschedule import reschedule_dialog
from bot.dialogs.slot_picker import slot_picker_dialog
from bot.dialogs.time_off import time_off_dialog
from bot.dialogs.waitlist import waitlist_dialog


def all_dialogs() -> list[Dialog]:
    """Fresh dialog objects (a Dialog is a Router and can be attached to one dispatcher only)."""
    return [
        menu_dialog(),
        booking_dialog(),
        slot_picker_dialog(),
        phone_dialog(),
        my_bookings_dialog(),
        reschedule_dialog(),
        waitlist_dialog(),
        time_off_dialog(),
    ]
