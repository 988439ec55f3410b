"""``CalendarEngine``: the day grid of a month for a calendar widget, and the month's name.

Public holidays come from the ``holidays`` library (any country and subdivision it knows), month
names from Babel's CLDR data (any locale it knows). Weeks start on Monday. ``today`` is an
argument: the engine has no clock.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

__all__ = ["CalendarEngine"]


@lru_cache(maxsize=64)
def _holiday_names(country: str, subdiv: str | None, year: int, language: str | None) -> dict[date, str]:
    """The public holidays of one year, ``{date: name}``, computed once per arguments."""
    import holidays

    try:
        probe = holidays.country_holidays(country, subdiv=subdiv, years=year)
        # Names in the country's own language unless asked otherwise: the library's default
        # depends on the process locale, which would make the calendar differ between machines.
        chosen = language or getattr(probe, "default_language", None)
        table = holidays.country_holidays(country, subdiv=subdiv, years=year, language=chosen)
    except NotImplementedError as error:  # unknown country or subdivision
        raise ValueError(str(error)) from error
    return dict(table.items())


class CalendarEngine:
    """Builds month grids; static methods, like the reference's."""

    @staticmethod
    def get_month_matrix(
        year: int,
        month: int,
        today: date,
        selected_date: date | None = None,
        holidays_subdiv: str | None = "ST",
        country: str = "DE",
        closed_weekdays: Iterable[int] = (6,),
        holidays_language: str | None = None,
    ) -> list[dict[str, Any]]:
        """The days of the month, padded to whole Monday-first weeks.

        Each day: ``num``, ``date`` (ISO), ``status``, ``is_holiday``, ``weekday`` (0 = Monday),
        ``holiday_name`` (None on ordinary days). ``status`` is ``disabled`` for past days and
        closed weekdays, else ``holiday`` on a public holiday, else ``available``; the selected
        day is ``active`` whatever it was. Padding cells are ``{"num": "", "status": "empty"}``.
        """
        names = _holiday_names(country, holidays_subdiv or None, year, holidays_language)
        closed = frozenset(closed_weekdays)
        days: list[dict[str, Any]] = []
        for number in _stdlib_calendar.Calendar(firstweekday=0).itermonthdays(year, month):
            if number == 0:
                days.append({"num": "", "status": "empty"})
                continue
            day = date(year, month, number)
            weekday = day.weekday()
            name = names.get(day)
            if day < today or weekday in closed:
                status = "disabled"
            elif name is not None:
                status = "holiday"
            else:
                status = "available"
            if selected_date is not None and day == selected_date:
                status = "active"
            days.append(
                {
                    "num": str(number),
                    "date": day.isoformat(),
                    "status": status,
                    "is_holiday": name is not None,
                    "weekday": weekday,
                    "holiday_name": name,
                }
            )
        return days

    @staticmethod
    def get_month_label(year: int, month: int, locale: str = "ru") -> str:
        """The stand-alone month name and the year, e.g. "Март 2026", "March 2026", "März 2026"."""
        from babel.dates import format_date

        label = format_date(date(year, month, 1), "LLLL y", locale=locale.replace("-", "_"))
        return label[:1].upper() + label[1:]
