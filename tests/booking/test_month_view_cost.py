"""What a month view costs: a constant number of queries whatever the number of masters, and
a warm view (busy intervals cached) that never reads appointments — with the local cache the
project configures too, for a real month of 40 masters."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from djproject import settings as project_settings
from djproject.salon.bench_month import MONTH, YEAR, build_salon, forget_month, month_view
from djproject.salon.models import Appointment

APPOINTMENTS = f'"{Appointment._meta.db_table}"'


def reads_appointments(context: CaptureQueriesContext) -> bool:
    return any(f"FROM {APPOINTMENTS}" in query["sql"] for query in context.captured_queries)


@pytest.fixture
def local_cache(settings):
    """The cache the project runs with when REDIS_URL is unset (embedded mode)."""
    settings.CACHES = {"default": project_settings.LOCAL_CACHE}


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["1 service", "2-service sequence", "parallel group"])
def test_a_warm_month_view_of_40_masters_reads_no_appointments_from_the_local_cache(local_cache, case):
    salon = build_salon(masters=40)
    query = salon.cases()[case]
    month_view(query)

    with CaptureQueriesContext(connection) as warm:
        month_view(query)

    assert not reads_appointments(warm)


@pytest.mark.django_db
def test_a_cold_month_view_reads_appointments_once(local_cache):
    salon = build_salon(masters=6)
    forget_month(salon)

    with CaptureQueriesContext(connection) as cold:
        month_view(salon.parallel)

    assert sum(f"FROM {APPOINTMENTS}" in q["sql"] for q in cold.captured_queries) == 1


@pytest.mark.django_db
def test_month_view_queries_do_not_grow_with_masters():
    counts = []
    for masters in (2, 12):
        salon = build_salon(masters=masters)
        with CaptureQueriesContext(connection) as cold:
            month_view(salon.sequence)
        counts.append(len(cold.captured_queries))

    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_epoch_starts_from_the_database_equal_those_converted_in_python(monkeypatch):
    """The cold view takes each start as epoch seconds from SQLite or PostgreSQL
    (``EpochSeconds``); the busy intervals are the same as from aware datetimes."""
    from booking.adapters import busy
    from djproject.salon.booking import get_adapter

    salon = build_salon(masters=3)
    adapter = get_adapter()
    ids = [m.pk for m in salon.masters]
    first, last = date(YEAR, MONTH, 1), date(YEAR, MONTH, 28)
    book = adapter.schedule_book(ids, first, last)

    by_database = adapter.busy.read(set(ids), first, last, book)
    monkeypatch.setattr(busy, "EPOCH_VENDORS", set())
    in_python = adapter.busy.read(set(ids), first, last, book)

    assert by_database == in_python and sum(map(len, by_database.values())) > 100
