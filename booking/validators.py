"""Field validators shared by the booking mixins, and the one phone-number normaliser."""

import zoneinfo
from datetime import date, datetime

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

# Upper bounds of the numeric settings. Generous for any salon, yet small enough that every
# date the engine derives (today + max advance, a start + a duration) stays inside the
# calendar: an unbounded ``max_advance_days`` of 10**9 made every calendar in the bot fail.
MAX_SLOT_STEP_MINUTES = 12 * 60
MAX_BUFFER_MINUTES = 12 * 60
MAX_DURATION_MINUTES = 24 * 60
MAX_NOTICE_MINUTES = 30 * 24 * 60  # notice before a booking, cancellation cutoff, reminders
MAX_ADVANCE_DAYS = 2 * 366
MAX_PARALLEL_CLIENTS = 50
MAX_ACTIVE_VISITS = 1000
MAX_REMINDERS = 10

# The dates staff may open or book: far wider than any salon's diary, far inside Python's
# ``date.min``/``date.max`` (9999-12-31 overflowed as soon as a day or a duration was added).
EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def bounded(low: int, high: int) -> list[MinValueValidator | MaxValueValidator]:
    """Validators of a whole number between ``low`` and ``high`` inclusive."""
    return [MinValueValidator(low), MaxValueValidator(high)]


def in_calendar(value: date | datetime) -> bool:
    """Whether a date (or a moment's date) lies in the range staff may use."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def validate_calendar_date(value: date | datetime) -> None:
    if not in_calendar(value):
        raise ValidationError(
            _("Choose a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


def validate_reminder_offsets(value: object) -> None:
    """A list of up to ``MAX_REMINDERS`` whole minutes, each within the notice bound."""
    if (
        not isinstance(value, list)
        or len(value) > MAX_REMINDERS
        or not all(
            isinstance(x, int) and not isinstance(x, bool) and 0 < x <= MAX_NOTICE_MINUTES for x in value
        )
    ):
        raise ValidationError(
            _("Give a list of at most %(count)d whole minutes between 1 and %(max)d, such as [1440, 120]."),
            code="invalid_reminders",
            params={"count": MAX_REMINDERS, "max": MAX_NOTICE_MINUTES},
        )


def validate_timezone_name(value: str) -> None:
    """Accept empty or an IANA zone name.

    A validator rather than ``choices``: the zone list changes with tzdata, and choices would
    make migrations differ between machines.
    """
    if not value:
        return
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(name)s"), params={"name": value}) from exc


# The shortest national number the salon can call back: below this a "number" is a typo or a
# service code, even where the numbering plan allows it.
MIN_NATIONAL_DIGITS = 6


class InvalidPhoneNumberError(ValidationError):
    """Text that is not a phone number one can call (a ``ValidationError``, so forms show it)."""


def normalise_phone(text: str, region: str | None = None, *, shared: bool = False) -> str:
    """A phone number as typed, shared or entered by staff, in E.164 ("+491512345678").

    The one normaliser of every path (bot contact card, typed text, admin form): the
    ``phonenumbers`` library parses national forms against ``region`` (ISO code, e.g. "DE"),
    reads any script's decimal digits as ASCII ones and refuses letters, markup and
    impossible lengths. A ``shared`` number (Telegram's contact card) written in digits only
    is read as international first: Telegram sends the user's own number without the "+".
    Raises ``InvalidPhoneNumberError``.
    """
    invalid = InvalidPhoneNumberError(
        _("Enter a phone number such as +49 151 2345678."), code="invalid_phone"
    )
    if not text or len(text) > 64:
        raise invalid
    candidates = [f"+{text}"] if shared and text.isdigit() and text.isascii() else []
    for candidate, parse_region in (*((c, None) for c in candidates), (text, (region or "").upper() or None)):
        try:
            number = phonenumbers.parse(candidate, parse_region)
        except phonenumbers.NumberParseException:
            continue
        national = str(number.national_number)
        if phonenumbers.is_possible_number(number) and len(national) >= MIN_NATIONAL_DIGITS:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise invalid
