"""Code written against the reference engine (codex-services 0.1.4) runs unchanged."""

from __future__ import annotations

from datetime import date, datetime

import pytest

import booking.engine as engine


def test_a_snippet_written_for_the_reference_runs_unchanged() -> None:
    # The reference's README usage, with only the import line changed.
    from booking.engine import (
        BookingEngineRequest,
        BookingMode,
        ChainFinder,
        MasterAvailability,
        ServiceRequest,
    )

    finder = ChainFinder(step_minutes=30)
    request = BookingEngineRequest(
        service_requests=[
            ServiceRequest(service_id="5", duration_minutes=60, possible_resource_ids=["1", "3", "7"]),
            ServiceRequest(
                service_id="9", duration_minutes=30, min_gap_after_minutes=10, possible_resource_ids=["3"]
            ),
        ],
        booking_date=date(2024, 5, 10),
        mode=BookingMode.SINGLE_DAY,
    )
    resources_availability = {
        "1": MasterAvailability(
            resource_id="1",
            free_windows=[(datetime(2024, 5, 10, 9, 0), datetime(2024, 5, 10, 12, 0))],
            buffer_between_minutes=10,
        ),
        "3": MasterAvailability(
            resource_id="3",
            free_windows=[(datetime(2024, 5, 10, 10, 0), datetime(2024, 5, 10, 18, 0))],
            work_start=datetime(2024, 5, 10, 10, 0),
        ),
    }
    result = finder.find(request, resources_availability)

    assert result.has_solutions
    assert result.get_unique_start_times()[:3] == ["09:00", "09:30", "10:00"]
    assert result.best.starts_at == datetime(2024, 5, 10, 9, 0)
    assert result.solutions[0].items[0].resource_id == "1"
    assert result.solutions[0].items[1].start_time == datetime(2024, 5, 10, 10, 0)
    assert result.best_scored == result.best
    assert result.best.to_display() == {
        "5": {"resource_id": "1", "start": "09:00", "end": "10:00"},
        "9": {"resource_id": "3", "start": "10:00", "end": "10:30"},
    }
    assert result.best.items[1].gap_end_time == datetime(2024, 5, 10, 10, 40)
    assert result.best.span_minutes == 90
    assert result.best.score == 0.0
    assert result.mode == BookingMode.SINGLE_DAY


def test_the_reference_names_are_all_exported() -> None:
    names = {
        "BookingMode",
        "ServiceRequest",
        "BookingEngineRequest",
        "MasterAvailability",
        "SingleServiceSolution",
        "BookingChainSolution",
        "EngineResult",
        "ChainFinder",
        "SlotCalculator",
        "CalendarEngine",
        "BookingEngineError",
        "SlotAlreadyBookedError",
        "NoAvailabilityError",
        "InvalidServiceDurationError",
        "InvalidBookingDateError",
        "ResourceNotAvailableError",
        "ChainBuildError",
    }
    assert names <= set(engine.__all__)
    assert [mode.value for mode in engine.BookingMode] == ["single_day", "multi_day", "resource_locked"]


def test_a_result_can_be_assembled_by_hand_like_the_reference() -> None:
    item = engine.SingleServiceSolution(
        service_id="5",
        resource_id="1",
        start_time=datetime(2024, 5, 10, 10),
        end_time=datetime(2024, 5, 10, 11),
        gap_end_time=datetime(2024, 5, 10, 11, 15),
    )
    early = engine.BookingChainSolution(items=[item], score=1.0)
    late = engine.BookingChainSolution(items=[item.model_copy(update={"resource_id": "2"})], score=3.0)
    result = engine.EngineResult(mode=engine.BookingMode.SINGLE_DAY, solutions=[early, late])
    assert result.best is early
    assert result.best_scored is late
    assert result.get_unique_start_times() == ["10:00"]
    assert result.solutions_at("10:00") == [early, late]
    assert item.duration_minutes == 60
    assert not engine.EngineResult(mode="single_day").has_solutions


def test_errors_keep_the_reference_messages_and_hierarchy() -> None:
    error = engine.SlotAlreadyBookedError(
        resource_id="3", service_id="5", booking_date=date(2024, 5, 10), slot_time="14:00"
    )
    assert isinstance(error, engine.BookingEngineError)
    assert (
        str(error)
        == "Slot 14:00 on 10.05.2024 was booked while you were processing. Please choose another time."
    )
    assert (error.resource_id, error.service_id, error.slot_time) == ("3", "5", "14:00")
    assert str(engine.BookingEngineError()) == "Booking system error"
    assert str(engine.NoAvailabilityError()) == engine.NoAvailabilityError.default_message
    assert "10.05.2024" in str(engine.NoAvailabilityError(booking_date=date(2024, 5, 10), service_ids=["5"]))
    assert str(engine.ChainBuildError(reason="too long")) == "Could not assemble the chain: too long."
    assert str(engine.InvalidServiceDurationError(service_id="5", duration_minutes=0)).startswith("Service 5")
    assert str(engine.InvalidBookingDateError(booking_date=date(2024, 5, 10), reason="closed")) == (
        "Date 10.05.2024 is unavailable: closed."
    )
    assert "10.05.2024" in str(
        engine.ResourceNotAvailableError(resource_id="3", booking_date=date(2024, 5, 10))
    )
    with pytest.raises(engine.BookingEngineError, match="custom"):
        raise engine.NoAvailabilityError(message="custom")


def test_the_engine_does_not_import_django() -> None:
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, booking.engine, booking.engine.bench; print('django' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert output.stdout.strip() == "False"
