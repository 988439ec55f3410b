"""The month grid for the calendar widget and the month's name."""

from __future__ import annotations

from datetime import date

import pytest

from booking.engine import CalendarEngine


def day_of(matrix: list[dict], iso: str) -> dict:
    return next(cell for cell in matrix if cell.get("date") == iso)


def test_weeks_start_on_monday_and_are_padded_to_whole_weeks() -> None:
    # given March 2026, which begins on a Sunday
    matrix = CalendarEngine.get_month_matrix(2026, 3, today=date(2026, 3, 1))
    # then six empty cells come first, and the grid is whole weeks
    assert [cell["status"] for cell in matrix[:7]] == ["empty"] * 6 + ["disabled"]
    assert matrix[6]["num"] == "1" and matrix[6]["weekday"] == 6
    assert len(matrix) % 7 == 0
    assert matrix[0] == {"num": "", "status": "empty"}
    assert [cell["num"] for cell in matrix if cell["status"] != "empty"] == [str(n) for n in range(1, 32)]


def test_a_day_has_the_reference_keys_and_the_holiday_name() -> None:
    matrix = CalendarEngine.get_month_matrix(2026, 5, today=date(2026, 5, 1), holidays_language="en_US")
    assert day_of(matrix, "2026-05-04") == {
        "num": "4",
        "date": "2026-05-04",
        "status": "available",
        "is_holiday": False,
        "weekday": 0,
        "holiday_name": None,
    }
    assert day_of(matrix, "2026-05-14")["holiday_name"] == "Ascension Day"


def test_public_holidays_are_named_in_the_countrys_language_by_default() -> None:
    matrix = CalendarEngine.get_month_matrix(2026, 1, today=date(2026, 1, 1))
    epiphany = day_of(matrix, "2026-01-06")
    assert epiphany["status"] == "holiday"
    assert epiphany["is_holiday"] is True
    assert epiphany["holiday_name"] == "Heilige Drei Könige"


def test_the_subdivision_decides_regional_holidays() -> None:
    # given Reformation Day, a holiday in Saxony-Anhalt but not in Bavaria
    anhalt = CalendarEngine.get_month_matrix(2026, 10, today=date(2026, 10, 1), holidays_subdiv="ST")
    bavaria = CalendarEngine.get_month_matrix(2026, 10, today=date(2026, 10, 1), holidays_subdiv="BY")
    assert day_of(anhalt, "2026-10-31")["is_holiday"] is True
    assert day_of(bavaria, "2026-10-31")["is_holiday"] is False


def test_the_country_is_a_parameter() -> None:
    matrix = CalendarEngine.get_month_matrix(
        2026, 1, today=date(2026, 1, 1), country="RU", holidays_subdiv=None, holidays_language="ru"
    )
    assert day_of(matrix, "2026-01-07")["holiday_name"] == "Рождество Христово"


def test_past_days_and_closed_weekdays_are_disabled() -> None:
    matrix = CalendarEngine.get_month_matrix(2026, 3, today=date(2026, 3, 15))
    assert day_of(matrix, "2026-03-10")["status"] == "disabled"  # past
    assert day_of(matrix, "2026-03-22")["status"] == "disabled"  # Sunday
    assert day_of(matrix, "2026-03-23")["status"] == "available"  # Monday
    mondays_off = CalendarEngine.get_month_matrix(2026, 3, today=date(2026, 3, 15), closed_weekdays=(0,))
    assert day_of(mondays_off, "2026-03-23")["status"] == "disabled"
    assert day_of(mondays_off, "2026-03-22")["status"] == "available"


def test_a_past_holiday_is_disabled_but_still_a_holiday() -> None:
    matrix = CalendarEngine.get_month_matrix(2026, 1, today=date(2026, 1, 20))
    assert day_of(matrix, "2026-01-06")["status"] == "disabled"
    assert day_of(matrix, "2026-01-06")["is_holiday"] is True


def test_the_selected_day_is_active_whatever_it_was() -> None:
    matrix = CalendarEngine.get_month_matrix(2026, 1, today=date(2026, 1, 1), selected_date=date(2026, 1, 6))
    assert day_of(matrix, "2026-01-06")["status"] == "active"
    assert day_of(matrix, "2026-01-06")["is_holiday"] is True


def test_an_unknown_subdivision_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="XX"):
        CalendarEngine.get_month_matrix(2026, 1, today=date(2026, 1, 1), holidays_subdiv="XX")


@pytest.mark.parametrize(
    ("locale", "label"),
    [("en", "March 2026"), ("ru", "Март 2026"), ("de", "März 2026"), ("pt-BR", "Março 2026")],
)
def test_month_label_is_the_stand_alone_month_name(locale: str, label: str) -> None:
    assert CalendarEngine.get_month_label(2026, 3, locale=locale) == label


def test_month_label_defaults_to_russian_like_the_reference() -> None:
    assert CalendarEngine.get_month_label(2026, 5) == "Май 2026"
