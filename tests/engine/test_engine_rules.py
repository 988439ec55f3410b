"""Each rule of docs/engine.md pinned by a small day, given / when / then."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.engine import (
    BookingEngineRequest,
    BookingMode,
    ChainFinder,
    EngineResult,
    MasterAvailability,
    ServiceRequest,
)

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 5, 11)


def at(hour: int, minute: int = 0, second: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=BERLIN)


def master(resource_id: str, *windows: tuple[datetime, datetime], **fields) -> MasterAvailability:
    return MasterAvailability(resource_id=resource_id, free_windows=list(windows), **fields)


def service(
    service_id: str, minutes: int, *masters: str, gap: int = 0, group: str | None = None
) -> ServiceRequest:
    return ServiceRequest(
        service_id=service_id,
        duration_minutes=minutes,
        min_gap_after_minutes=gap,
        possible_resource_ids=list(masters),
        parallel_group=group,
    )


def request(*services: ServiceRequest, **fields) -> BookingEngineRequest:
    return BookingEngineRequest(service_requests=list(services), booking_date=DAY, **fields)


def find(req: BookingEngineRequest, *masters: MasterAvailability, step: int = 30, **options) -> EngineResult:
    min_start = options.pop("min_start", None)
    return ChainFinder(step_minutes=step, min_start=min_start).find(
        req, {item.resource_id: item for item in masters}, **options
    )


def times(solution) -> list[tuple[str, str, str, str]]:
    return [
        (
            item.service_id,
            item.resource_id,
            item.start_time.strftime("%H:%M"),
            item.end_time.strftime("%H:%M"),
        )
        for item in solution.items
    ]


# -- rule 5: the grid --------------------------------------------------------------------------


def test_first_start_lies_on_the_grid_anchored_at_work_start() -> None:
    # given a shift from 9:00 whose first window opens at 9:10, after an appointment
    anna = master("anna", (at(9, 10), at(12)), work_start=at(9))
    # when a 60-minute service is searched on a 30-minute grid
    result = find(request(service("cut", 60, "anna")), anna)
    # then the starts are the shift's grid points, not 9:10, 9:40 ...
    assert result.get_unique_start_times() == ["09:30", "10:00", "10:30", "11:00"]


def test_without_work_start_the_grid_starts_at_each_window() -> None:
    # given windows without a shift start (the reference's behaviour)
    anna = master("anna", (at(9, 10), at(11)), (at(13, 5), at(14, 10)))
    # when searched
    result = find(request(service("cut", 60, "anna")), anna)
    # then each window has its own grid
    assert result.get_unique_start_times() == ["09:10", "09:40", "13:05"]


def test_grid_never_starts_before_work_start() -> None:
    # given a window that opens before the shift does
    anna = master("anna", (at(8), at(11)), work_start=at(9))
    # then the first start is the shift start
    assert find(request(service("cut", 60, "anna")), anna).get_unique_start_times() == [
        "09:00",
        "09:30",
        "10:00",
    ]


def test_window_edges_with_seconds_shrink_to_whole_minutes() -> None:
    # given a window from 9:00:30 to 10:00 and no shift start
    anna = master("anna", (at(9, 0, 30), at(10)))
    # then the window starts at 9:01, and so does its grid
    assert find(request(service("cut", 30, "anna")), anna).get_unique_start_times() == ["09:01"]


# -- rule 6: min_start -------------------------------------------------------------------------


def test_min_start_rounds_up_to_the_next_grid_point() -> None:
    anna = master("anna", (at(9), at(12)), work_start=at(9))
    # when the earliest allowed moment is 10:17, or 10:30 and one second
    late = find(request(service("cut", 60, "anna")), anna, min_start=at(10, 17))
    later = find(request(service("cut", 60, "anna")), anna, min_start=at(10, 30, 1))
    # then the starts begin at the next grid point
    assert late.get_unique_start_times() == ["10:30", "11:00"]
    assert later.get_unique_start_times() == ["11:00"]


# -- rule 1: windows and gaps ------------------------------------------------------------------


def test_gap_must_fit_before_the_next_appointment() -> None:
    # given a shift to 18:00 and a window closed at 10:30 by an appointment
    anna = master("anna", (at(9), at(10, 30)), work_start=at(9), work_end=at(18))
    # when a 60-minute service needs 15 minutes of cleanup
    result = find(request(service("colour", 60, "anna", gap=15)), anna, step=15)
    # then it must end by 10:15
    assert result.get_unique_start_times() == ["09:00", "09:15"]


def test_gap_may_run_past_the_end_of_the_shift() -> None:
    # given the last window of the shift
    anna = master("anna", (at(17), at(18)), work_start=at(9), work_end=at(18))
    # then a service ending at 18:00 fits, although its cleanup runs to 18:15
    assert find(request(service("colour", 60, "anna", gap=15)), anna).get_unique_start_times() == ["17:00"]


def test_without_work_end_the_gap_is_not_checked_against_windows() -> None:
    # given the same window but no shift end (the reference's behaviour)
    anna = master("anna", (at(9), at(10, 30)), work_start=at(9))
    # then only the service itself must fit
    result = find(request(service("colour", 60, "anna", gap=15)), anna, step=15)
    assert result.get_unique_start_times() == ["09:00", "09:15", "09:30"]


# -- rule 2: one master, gap and buffer --------------------------------------------------------


def test_gap_and_buffer_block_the_same_master_for_the_next_service() -> None:
    # given one master with a 10-minute buffer between clients
    anna = master("anna", (at(9), at(12)), work_start=at(9), buffer_between_minutes=10)
    # when two services need her, the first with 20 minutes of cleanup
    result = find(request(service("colour", 60, "anna", gap=20), service("dry", 30, "anna")), anna)
    # then the second starts after the cleanup and the buffer
    assert times(result.best_at("09:00")) == [
        ("colour", "anna", "09:00", "10:00"),
        ("dry", "anna", "10:30", "11:00"),
    ]


# -- rule 4: sequence --------------------------------------------------------------------------


def test_later_services_start_tight_not_on_the_grid() -> None:
    # given two masters free all morning
    anna, ben = (
        master("anna", (at(9), at(12)), work_start=at(9)),
        master("ben", (at(9), at(12)), work_start=at(9)),
    )
    # when a 45-minute service is followed by another
    result = find(request(service("cut", 45, "anna"), service("wash", 30, "ben")), anna, ben)
    # then the second starts when the first ends, not at the next grid point
    assert times(result.best_at("09:00")) == [
        ("cut", "anna", "09:00", "09:45"),
        ("wash", "ben", "09:45", "10:15"),
    ]


def test_each_service_starts_after_the_previous_one_ends() -> None:
    # given the second master free only before the first service could end
    anna = master("anna", (at(9), at(12)), work_start=at(9))
    ben = master("ben", (at(9), at(9, 50)), work_start=at(9))
    # then no visit exists, though ben is free at 9:00
    assert not find(request(service("cut", 60, "anna"), service("wash", 30, "ben")), anna, ben).has_solutions


def test_a_start_is_offered_only_when_the_whole_chain_fits() -> None:
    anna = master("anna", (at(9), at(12)), work_start=at(9))
    ben = master("ben", (at(10), at(11)), work_start=at(9))
    result = find(request(service("cut", 60, "anna"), service("wash", 30, "ben")), anna, ben)
    # then only starts whose second service lands in ben's window remain
    assert result.get_unique_start_times() == ["09:00", "09:30"]
    assert times(result.best) == [("cut", "anna", "09:00", "10:00"), ("wash", "ben", "10:00", "10:30")]


# -- overlap -----------------------------------------------------------------------------------


def test_overlap_lets_two_masters_work_at_once() -> None:
    anna, ben = (
        master("anna", (at(9), at(12)), work_start=at(9)),
        master("ben", (at(9), at(12)), work_start=at(9)),
    )
    req = request(service("nails", 60, "anna"), service("feet", 30, "ben"), overlap_allowed=True)
    best = find(req, anna, ben).best_at("09:00")
    assert times(best) == [("nails", "anna", "09:00", "10:00"), ("feet", "ben", "09:00", "09:30")]
    assert best.span_minutes == 60


def test_overlap_may_start_with_a_later_service_of_the_request() -> None:
    # given the first service's master free only from 10:00
    anna = master("anna", (at(10), at(12)), work_start=at(9))
    ben = master("ben", (at(9), at(12)), work_start=at(9))
    req = request(service("nails", 60, "anna"), service("feet", 60, "ben"))
    # when overlap is allowed, the visit may begin with ben
    overlapping = find(req.model_copy(update={"overlap_allowed": True}), anna, ben)
    sequential = find(req, anna, ben)
    assert overlapping.get_unique_start_times()[0] == "09:00"
    assert times(overlapping.best) == [("nails", "anna", "10:00", "11:00"), ("feet", "ben", "09:00", "10:00")]
    assert sequential.get_unique_start_times() == ["10:00"]


def test_with_overlap_every_step_starts_on_its_masters_grid() -> None:
    # given ben's shift grid from 9:10
    anna = master("anna", (at(9), at(12)), work_start=at(9))
    ben = master("ben", (at(9, 10), at(12)), work_start=at(9, 10))
    req = request(service("nails", 60, "anna"), service("feet", 30, "ben"), overlap_allowed=True)
    # then at 9:00 ben's service starts at 9:10, his first grid point, not at 9:00 or 9:05
    assert times(find(req, anna, ben).best_at("09:00"))[1] == ("feet", "ben", "09:10", "09:40")


# -- rule 3: parallel groups -------------------------------------------------------------------


def test_services_of_a_parallel_group_start_together() -> None:
    anna = master("anna", (at(9), at(12)), work_start=at(9))
    ben = master("ben", (at(9, 30), at(12)), work_start=at(9))
    req = request(
        service("hands", 60, "anna", "ben", group="spa"), service("feet", 45, "anna", "ben", group="spa")
    )
    result = find(req, anna, ben)
    # then both start at once, with two masters
    assert result.get_unique_start_times() == ["09:30", "10:00", "10:30", "11:00"]
    assert times(result.best) == [("hands", "anna", "09:30", "10:30"), ("feet", "ben", "09:30", "10:15")]


def test_a_parallel_group_needs_a_master_per_service() -> None:
    anna = master("anna", (at(9), at(12)), work_start=at(9))
    req = request(service("hands", 60, "anna", group="spa"), service("feet", 45, "anna", group="spa"))
    assert not find(req, anna).has_solutions


def test_a_parallel_group_is_one_step_where_its_first_service_stands() -> None:
    anna, ben, cleo = (master(name, (at(9), at(13)), work_start=at(9)) for name in ("anna", "ben", "cleo"))
    # given hands and feet together, a massage between them in the list
    req = request(
        service("hands", 60, "anna", group="spa"),
        service("massage", 30, "cleo"),
        service("feet", 45, "ben", group="spa"),
    )
    # then hands and feet run first, side by side, and the massage follows them
    assert times(find(req, anna, ben, cleo).best_at("09:00")) == [
        ("hands", "anna", "09:00", "10:00"),
        ("massage", "cleo", "10:00", "10:30"),
        ("feet", "ben", "09:00", "09:45"),
    ]


# -- rule 7: length ----------------------------------------------------------------------------


def test_max_chain_duration_bounds_first_start_to_last_end() -> None:
    anna = master("anna", (at(9), at(12)), work_start=at(9))
    ben = master("ben", (at(11), at(12)), work_start=at(9))
    req = request(service("cut", 60, "anna"), service("wash", 60, "ben"))
    # when the visit may last at most two hours
    bounded = find(req.model_copy(update={"max_chain_duration_minutes": 120}), anna, ben)
    # then 9:00 and 9:30 (which wait for ben until 11:00) are gone, 10:00 remains
    assert find(req, anna, ben).get_unique_start_times() == ["09:00", "09:30", "10:00"]
    assert bounded.get_unique_start_times() == ["10:00"]


def test_max_chain_duration_with_overlap_counts_from_the_earliest_start() -> None:
    anna = master("anna", (at(10), at(12)), work_start=at(9))
    ben = master("ben", (at(9), at(12)), work_start=at(9))
    req = request(service("nails", 60, "anna"), service("feet", 30, "ben"), overlap_allowed=True)
    # at 9:00 ben starts and anna ends at 11:00: two hours
    assert (
        "09:00"
        in find(
            req.model_copy(update={"max_chain_duration_minutes": 120}), anna, ben
        ).get_unique_start_times()
    )
    assert (
        "09:00"
        not in find(
            req.model_copy(update={"max_chain_duration_minutes": 119}), anna, ben
        ).get_unique_start_times()
    )


# -- modes -------------------------------------------------------------------------------------


def test_resource_locked_follows_the_same_rules_for_the_chosen_master() -> None:
    anna = master("anna", (at(9), at(12)), work_start=at(9), buffer_between_minutes=10)
    req = request(service("cut", 60, "anna"), service("dry", 30, "anna"))
    locked = find(req.model_copy(update={"mode": BookingMode.RESOURCE_LOCKED}), anna)
    assert locked.mode == BookingMode.RESOURCE_LOCKED
    assert (
        locked.get_unique_start_times()
        == find(req, anna).get_unique_start_times()
        == ["09:00", "09:30", "10:00"]
    )


def test_multi_day_is_refused_with_a_clear_message() -> None:
    req = request(service("cut", 60, "anna"), mode=BookingMode.MULTI_DAY)
    with pytest.raises(NotImplementedError, match="SINGLE_DAY"):
        find(req, master("anna", (at(9), at(12))))


def test_group_size_above_one_is_refused() -> None:
    with pytest.raises(NotImplementedError, match="parallel_group"):
        find(request(service("cut", 60, "anna"), group_size=2), master("anna", (at(9), at(12))))


# -- which solutions -----------------------------------------------------------------------------


def test_best_at_is_the_visit_at_the_chosen_time_not_the_earliest() -> None:
    anna = master("anna", (at(9), at(12)), work_start=at(9))
    result = find(request(service("cut", 60, "anna")), anna)
    assert result.best is not None and result.best.starts_at == at(9)
    chosen = result.best_at("10:30")
    assert chosen is not None and chosen.starts_at == at(10, 30)
    assert result.best_at(at(10, 30)) == chosen
    assert result.best_at("10:15") is None


def test_best_visit_is_the_shortest_then_the_first_master_listed() -> None:
    anna = master("anna", (at(9), at(12)), work_start=at(9))
    ben = master("ben", (at(10, 30), at(12)), work_start=at(9))
    cleo = master("cleo", (at(10), at(12)), work_start=at(9))
    dora = master("dora", (at(10), at(12)), work_start=at(9))
    req = request(service("cut", 60, "anna"), service("wash", 30, "ben", "dora", "cleo"))
    alternatives = find(req, anna, ben, cleo, dora).solutions_at("09:00")
    # then dora and cleo (no wait) come before ben (waits 30 minutes); dora is listed first
    assert [solution.items[1].resource_id for solution in alternatives] == ["dora", "cleo", "ben"]
    assert [solution.span_minutes for solution in alternatives] == [90, 90, 120]


def test_max_solutions_bounds_alternatives_per_start_and_keeps_every_start() -> None:
    team = [master(name, (at(9), at(11)), work_start=at(9)) for name in ("anna", "ben", "cleo")]
    req = request(service("cut", 60, "anna", "ben", "cleo"))
    complete = find(req, *team)
    trimmed = find(req, *team, max_solutions=2)
    assert (
        trimmed.get_unique_start_times() == complete.get_unique_start_times() == ["09:00", "09:30", "10:00"]
    )
    assert [len(trimmed.solutions_at(time)) for time in trimmed.get_unique_start_times()] == [2, 2, 2]
    assert len(trimmed.solutions) == 6
    assert [len(complete.solutions_at(time)) for time in complete.get_unique_start_times()] == [3, 3, 3]


def test_max_unique_starts_keeps_the_earliest_starts() -> None:
    anna = master("anna", (at(9), at(18)), work_start=at(9))
    result = find(request(service("cut", 60, "anna")), anna, max_unique_starts=3)
    assert result.get_unique_start_times() == ["09:00", "09:30", "10:00"]


def test_unknown_and_repeated_master_ids_are_skipped() -> None:
    anna = master("anna", (at(9), at(10)), work_start=at(9))
    result = find(request(service("cut", 60, "ghost", "anna", "anna")), anna)
    assert result.get_unique_start_times() == ["09:00"]
    assert len(result.solutions) == 1


def test_start_times_are_shown_in_the_time_zone_of_the_input() -> None:
    # given the same instants written in UTC
    utc = ZoneInfo("UTC")
    anna = master("anna", (at(9).astimezone(utc), at(11).astimezone(utc)), work_start=at(9).astimezone(utc))
    result = find(request(service("cut", 60, "anna")), anna)
    # then the labels are UTC wall-clock times, and the items are in UTC too
    assert result.get_unique_start_times() == ["07:00", "07:30", "08:00"]
    assert result.best.items[0].start_time.tzinfo == utc


def test_start_times_need_no_solution_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    # given solution objects that cannot be built
    def refuse(*args, **kwargs):
        raise AssertionError("a solution object was built")

    monkeypatch.setattr("booking.engine.result.BookingChainSolution", refuse)
    anna = master("anna", (at(9), at(12)), work_start=at(9))
    result = find(request(service("cut", 60, "anna"), service("dry", 30, "anna")), anna)
    # then the calendar's questions are still answered
    assert result.has_solutions
    assert result.get_unique_start_times() == ["09:00", "09:30", "10:00", "10:30"]
    assert result.start_datetimes()[0] == at(9)


# -- find_nearest ------------------------------------------------------------------------------


def test_find_nearest_returns_the_first_day_with_a_start() -> None:
    asked: list[date] = []

    def availability(day: date) -> dict[str, MasterAvailability]:
        asked.append(day)
        if day == DAY:
            return {}  # a day off
        if day == DAY + timedelta(days=1):
            return {"anna": master("anna", (at(9, day=day), at(9, 30, day=day)))}  # too short
        return {"anna": master("anna", (at(14, day=day), at(16, day=day)), work_start=at(9, day=day))}

    result = ChainFinder().find_nearest(request(service("cut", 60, "anna")), availability, search_from=DAY)
    assert result.booking_date == DAY + timedelta(days=2)
    assert result.best.starts_at == at(14, day=DAY + timedelta(days=2))
    assert asked == [DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)]


def test_find_nearest_returns_an_empty_result_when_nothing_fits() -> None:
    result = ChainFinder().find_nearest(
        request(service("cut", 60, "anna")), lambda day: {}, DAY, search_days=5
    )
    assert not result.has_solutions
    assert result.solutions == []
    assert result.best is None


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: service("cut", 0, "anna"), "duration_minutes must be >= 1"),
        (lambda: service("cut", 30, "anna", gap=-1), "min_gap_after_minutes must be >= 0"),
        (lambda: service("cut", 30), "at least one possible resource"),
        (lambda: master("anna", (at(10), at(9))), ">= end"),
        (lambda: master("anna", (at(9), at(10)), buffer_between_minutes=-5), "buffer_between_minutes"),
        (lambda: master("anna", (at(9), datetime(2026, 5, 11, 10))), "aware, or all naive"),
        (lambda: BookingEngineRequest(service_requests=[], booking_date=DAY), "at least one service"),
        (lambda: request(service("cut", 30, "anna"), max_chain_duration_minutes=0), "max_chain_duration"),
        (lambda: ChainFinder(step_minutes=0), "step_minutes"),
    ],
    ids=[
        "zero duration",
        "negative gap",
        "no master",
        "window backwards",
        "negative buffer",
        "naive and aware",
        "no service",
        "zero length",
        "zero step",
    ],
)
def test_invalid_inputs_are_rejected_with_value_error(build, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_naive_and_aware_masters_in_one_search_are_rejected() -> None:
    anna = master("anna", (at(9), at(10)))
    ben = MasterAvailability(
        resource_id="ben", free_windows=[(datetime(2026, 5, 11, 9), datetime(2026, 5, 11, 10))]
    )
    with pytest.raises(ValueError, match="aware"):
        find(request(service("cut", 30, "anna", "ben")), anna, ben)


def test_request_dtos_copy_like_the_reference() -> None:
    original = request(service("cut", 30, "anna"))
    moved = original.model_copy(update={"booking_date": DAY + timedelta(days=1)})
    assert moved.booking_date == DAY + timedelta(days=1)
    assert original.booking_date == DAY
    assert moved.total_duration_minutes == 30
    assert request(service("cut", 30, "anna", gap=10), service("dry", 20, "anna")).total_block_minutes == 60
    assert original.group_size == 1
    assert original.days_gap is None


# -- corners decided in docs/engine.md ---------------------------------------------------------


def test_start_times_are_in_time_order_across_midnight() -> None:
    # given a night shift from 22:00 to 02:00
    night = master("nina", (at(22), at(2, day=DAY + timedelta(days=1))), work_start=at(22))
    result = find(request(service("cut", 60, "nina")), night, step=90)
    # then 23:30 comes before 01:00, as on the clock that night
    assert result.get_unique_start_times() == ["22:00", "23:30", "01:00"]


def test_waiting_longer_with_the_same_masters_is_not_an_alternative() -> None:
    anna = master("anna", (at(9), at(12)), work_start=at(9))
    result = find(request(service("cut", 60, "anna"), service("dry", 30, "anna")), anna, max_solutions=50)
    # then each start has one visit: the dry right after the cut, never later
    assert [len(result.solutions_at(time)) for time in result.get_unique_start_times()] == [1, 1, 1, 1]


def test_integer_ids_and_a_list_of_availability_are_accepted() -> None:
    anna = MasterAvailability(resource_id=7, free_windows=[(at(9), at(10))], work_start=at(9))
    req = BookingEngineRequest(
        service_requests=[ServiceRequest(service_id=5, duration_minutes=60, possible_resource_ids=[7])],
        booking_date=DAY,
    )
    result = ChainFinder().find(req, [anna])
    assert result.get_unique_start_times() == ["09:00"]
    assert (result.best.items[0].service_id, result.best.items[0].resource_id) == ("5", "7")


def test_window_order_is_checked_in_real_time() -> None:
    # given a window from 02:45 summer time to 02:30 winter time on 2026-10-25: 45 real minutes
    autumn = date(2026, 10, 25)
    start = datetime(2026, 10, 25, 2, 45, tzinfo=BERLIN)
    end = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)
    anna = master("anna", (start, end))
    req = BookingEngineRequest(service_requests=[service("cut", 45, "anna")], booking_date=autumn)
    # then it is a valid window that fits a 45-minute service
    assert ChainFinder().find(req, {"anna": anna}).get_unique_start_times() == ["02:45"]
