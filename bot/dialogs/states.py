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
    day = State()
    time = State()
    summary = State()
    phone = State()
    done = State()


class MyBookingsSG(StatesGroup):
    visits = State()
    visit = State()
    confirm_cancel = State()
    cancelled = State()
    too_late = State()


class RescheduleSG(StatesGroup):
    day = State()
    time = State()
    summary = State()
    done = State()
