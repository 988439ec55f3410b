"""SlotCalculator: the reference's window helpers, with the reference's results on plain days."""

from __future__ import annotations

from datetime import datetime

from booking.engine import SlotCalculator


def dt(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 5, 10, hour, minute)


def test_slots_slide_over_the_window_on_the_step() -> None:
    slots = SlotCalculator(30).find_slots_in_window(dt(9), dt(11), 60)
    assert slots == [dt(9), dt(9, 30), dt(10)]


def test_slots_respect_min_start_and_the_grid_anchor() -> None:
    calculator = SlotCalculator(30)
    assert calculator.find_slots_in_window(dt(9), dt(12), 60, min_start=dt(9, 17)) == [
        dt(9, 30),
        dt(10),
        dt(10, 30),
        dt(11),
    ]
    assert calculator.find_slots_in_window(dt(9, 10), dt(11), 30, grid_anchor=dt(9)) == [
        dt(9, 30),
        dt(10),
        dt(10, 30),
    ]
    assert calculator.find_slots_in_window(dt(9), dt(9, 50), 60) == []


def test_free_windows_subtract_appointments_buffers_and_the_break() -> None:
    # the reference's own example
    windows = SlotCalculator().merge_free_windows(
        work_start=dt(9),
        work_end=dt(18),
        busy_intervals=[(dt(10), dt(11))],
        break_interval=(dt(13), dt(14)),
        buffer_minutes=10,
    )
    assert windows == [(dt(9), dt(10)), (dt(11, 10), dt(13)), (dt(14), dt(18))]


def test_free_windows_shorter_than_the_minimum_are_dropped() -> None:
    windows = SlotCalculator().merge_free_windows(
        dt(9), dt(12), [(dt(9, 20), dt(10)), (dt(11, 30), dt(11, 45))], min_duration_minutes=30
    )
    assert windows == [(dt(10), dt(11, 30))]


def test_an_appointment_after_the_shift_does_not_stretch_the_last_window() -> None:
    windows = SlotCalculator().merge_free_windows(dt(9), dt(18), [(dt(19), dt(20))])
    assert windows == [(dt(9), dt(18))]


def test_gaps_are_windows_of_at_least_the_asked_length() -> None:
    gaps = SlotCalculator().find_gaps([(dt(14), dt(16)), (dt(9), dt(10)), (dt(11), dt(11, 30))], 60)
    assert gaps == [(dt(9), dt(10), 60), (dt(14), dt(16), 120)]


def test_a_service_splits_its_window_into_what_is_left() -> None:
    calculator = SlotCalculator()
    assert calculator.split_window_by_service(dt(9), dt(18), dt(11), dt(12)) == [
        (dt(9), dt(11)),
        (dt(12), dt(18)),
    ]
    assert calculator.split_window_by_service(dt(9), dt(18), dt(9), dt(11)) == [(dt(11), dt(18))]
    assert calculator.split_window_by_service(dt(9), dt(18), dt(9), dt(18)) == []
