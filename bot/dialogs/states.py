"""Dialog states. Renaming one leaves old callbacks with an ``UnknownState`` (handled in
``bot/errors.py``), so names are kept short and stable."""

from aiogram.fsm.state import State, StatesGroup


class MenuSG(StatesGroup):
    main = State()
    contacts = State()
    language = State()
    erase = State()


class BookingSG(StatesGroup):
    category = State()
    service = State()
    cart = State()
    master = State()
    summary = State()
    done = State()


class SlotPickerSG(StatesGroup):
    """The day-and-time picker: a sub-dialog that returns ``{"day", "time"}``."""

    day = State()
    time = State()


class PhoneSG(StatesGroup):
    """The phone step: a sub-dialog that saves the client's phone and returns ``{"phone"}``."""

    phone = State()


class MyBookingsSG(StatesGroup):
    visits = State()
    visit = State()
    confirm_cancel = State()
    cancelled = State()
    too_late = State()


class RescheduleSG(StatesGroup):
    summary = State()
    done = State()


class WaitlistSG(StatesGroup):
    join = State()
    joined = State()
    entry = State()


class OffSG(StatesGroup):
    """A master's time-off request (``/off``)."""

    day = State()
    span = State()
    start = State()
    end = State()
    reason = State()
    sent = State()
