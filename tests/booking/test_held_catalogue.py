"""The catalogue rows an adapter builds its requests from (services, who may do what, masters,
weekday rows) are read once per salon token and process (``booking.adapters.catalogue``);
inside a transaction they are read from the database, and each call gets copies."""

from __future__ import annotations

from datetime import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from booking.errors import UnbookableRequestError
from booking.query import VisitQuery
from djproject.salon.booking import get_adapter
from djproject.salon.models import Master, Service, WorkingDay
from tests import factories as f
from tests.moments import NOW, WEDNESDAY

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def hair() -> dict[str, object]:
    """A committed salon: one service, three masters who may do it, in an order that is not
    their ids' (sort order, then name)."""
    f.site_settings(timezone="Europe/Berlin")
    f.booking_settings(step_minutes=30, work_start_weekdays="09:00", work_end_weekdays="18:00")
    category = f.category(name="Hair")
    cut = f.service(category=category, name="Cut", duration=60)
    weekdays = dict.fromkeys(range(6), ("09:00", "13:00"))
    masters = [
        f.master(name=name, categories=[category], hours=weekdays, sort_order=order)
        for name, order in (("Cleo", 2), ("Anna", 1), ("Bea", 1))
    ]
    return {"cut": cut, "masters": masters}


def _masters_for(adapter, cut: Service) -> list[str]:
    request = adapter.request_for(VisitQuery.any_master([cut.pk]), WEDNESDAY)
    (service,) = request.service_requests
    by_id = adapter.masters_by_id(int(r.split(":")[0]) for r in service.possible_resource_ids)
    return [by_id[int(r.split(":")[0])].name for r in service.possible_resource_ids]


def test_a_second_adapter_reads_no_catalogue_row_again(hair) -> None:
    # given an adapter that has built a request and a week's schedule
    cut, masters = hair["cut"], hair["masters"]
    ids = sorted(m.pk for m in masters)
    first = get_adapter(clock=lambda: NOW)
    first.request_for(VisitQuery.any_master([cut.pk]), WEDNESDAY)
    first.schedule_book(ids, WEDNESDAY, WEDNESDAY)

    # when another adapter (the next call) does the same
    second = get_adapter(clock=lambda: NOW)
    with CaptureQueriesContext(connection) as queries:
        second.request_for(VisitQuery.any_master([cut.pk]), WEDNESDAY)
        book = second.schedule_book(ids, WEDNESDAY, WEDNESDAY)

    # then only the days off of the range are read (they depend on the dates)
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in queries.captured_queries]
    assert tables == ['"salon_dayoff"']
    assert sorted(book.masters) == ids and len(book.rows) == 6 * len(ids)


def test_held_masters_come_in_the_order_the_database_gives(hair) -> None:
    cut = hair["cut"]
    assert _masters_for(get_adapter(clock=lambda: NOW), cut) == ["Anna", "Bea", "Cleo"]
    # the same from held rows, and from the database inside a transaction
    assert _masters_for(get_adapter(clock=lambda: NOW), cut) == ["Anna", "Bea", "Cleo"]
    with transaction.atomic():
        assert _masters_for(get_adapter(clock=lambda: NOW), cut) == ["Anna", "Bea", "Cleo"]


def test_a_committed_catalogue_change_is_seen_by_the_next_adapter(hair) -> None:
    cut, (cleo, anna, bea) = hair["cut"], hair["masters"]
    assert _masters_for(get_adapter(clock=lambda: NOW), cut) == ["Anna", "Bea", "Cleo"]

    anna.status = Master.STATUS_INACTIVE
    anna.save()
    cleo.categories.clear()
    WorkingDay.objects.filter(master=bea, weekday=WEDNESDAY.weekday()).get().delete()

    adapter = get_adapter(clock=lambda: NOW)
    assert _masters_for(adapter, cut) == ["Bea"]
    assert (bea.pk, WEDNESDAY.weekday()) not in adapter.schedule_book([bea.pk], WEDNESDAY, WEDNESDAY).rows


def test_inside_a_transaction_the_rows_are_the_database_s(hair) -> None:
    # given held rows
    cut, (_, _, bea) = hair["cut"], hair["masters"]
    _masters_for(get_adapter(clock=lambda: NOW), cut)

    with transaction.atomic():
        # when a write that replaces no token (QuerySet.update sends no signal) changes them
        Service.objects.filter(pk=cut.pk).update(is_active=False)
        WorkingDay.objects.filter(master=bea).update(end_time=time(10))
        adapter = get_adapter(clock=lambda: NOW)

        # then the transaction reads its own writes
        with pytest.raises(UnbookableRequestError):
            adapter.request_for(VisitQuery.any_master([cut.pk]), WEDNESDAY)
        rows = adapter.schedule_book([bea.pk], WEDNESDAY, WEDNESDAY).rows
        assert rows[(bea.pk, WEDNESDAY.weekday())].end_time == time(10)
        transaction.set_rollback(True)


def test_each_call_gets_its_own_copy_of_a_held_row(hair) -> None:
    cut, (cleo, _, _) = hair["cut"], hair["masters"]
    first = get_adapter(clock=lambda: NOW)
    first.request_for(VisitQuery.any_master([cut.pk]), WEDNESDAY)

    first.masters_by_id([cleo.pk])[cleo.pk].name = "Changed by one call"

    assert get_adapter(clock=lambda: NOW).masters_by_id([cleo.pk])[cleo.pk].name == "Cleo"
