"""Month-view benchmark: what the bot's calendar costs next to the SQL it runs.

``python manage.py bench_month [--masters 40] [--repeat 7]`` builds a salon of N masters
(weekly schedules, a lunch break, days off, about two thirds of every working day booked)
inside a transaction that is rolled back at the end, so it can run against any database.
For three visits — one service, a sequence of two services, a parallel group of two — it
prints, each as the best of ``--repeat`` runs:

- ``sql``: re-running the SQL a cold month view issued (captured, executed again, fetched);
- ``cold``: the month view with the busy intervals of the month deleted from the cache;
- ``warm``: the same month view again, busy intervals from the cache;
- the number of queries of a cold and a warm view, and whether the warm one read appointments.

The database is whatever ``DATABASE_URL`` names, the cache whatever ``CACHES`` configures.
"""

from __future__ import annotations

import calendar
import gc
import random
import time as clock
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from booking import VisitQuery, selectors
from booking.adapters.availability import DjangoAvailabilityAdapter
from djproject.salon.booking import cache_adapter, get_adapter
from djproject.salon.models import (
    Appointment,
    BookingSettings,
    Category,
    DayOff,
    Master,
    Service,
    SiteSettings,
    WorkingDay,
)

BERLIN = ZoneInfo("Europe/Berlin")
# The bench's "now": the first working morning of the month it shows.
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=BERLIN)
YEAR, MONTH = 2026, 12


@dataclass(frozen=True)
class BenchSalon:
    """The rows the bench made: masters and the three visits it asks about."""

    masters: list[Master]
    single: VisitQuery
    sequence: VisitQuery
    parallel: VisitQuery

    def cases(self) -> dict[str, VisitQuery]:
        return {
            "1 service": self.single,
            "2-service sequence": self.sequence,
            "parallel group": self.parallel,
        }


def build_salon(masters: int = 40, seed: int = 7) -> BenchSalon:
    """A salon of ``masters`` masters who all do hair and nails, booked about two thirds full."""
    rng = random.Random(seed)
    SiteSettings.objects.update_or_create(
        pk=1, defaults={"timezone": "Europe/Berlin", "holidays_country": "DE", "holidays_subdiv": "ST"}
    )
    BookingSettings.objects.update_or_create(
        pk=1, defaults={"step_minutes": 30, "min_advance_minutes": 60, "max_advance_days": 60}
    )
    tag = uuid.uuid4().hex[:8]
    hair = Category.objects.create(name=f"Bench hair {tag}")
    nails = Category.objects.create(name=f"Bench nails {tag}")
    cut = Service.objects.create(name=f"Cut {tag}", category=hair, duration=60, price=30)
    colour = Service.objects.create(name=f"Colour {tag}", category=hair, duration=45, price=40)
    manicure = Service.objects.create(
        name=f"Manicure {tag}", category=nails, duration=45, price=25, parallel_group="hands-and-feet"
    )
    pedicure = Service.objects.create(
        name=f"Pedicure {tag}", category=nails, duration=60, price=35, parallel_group="hands-and-feet"
    )
    rows = Master.objects.bulk_create(Master(name=f"Master {n} {tag}") for n in range(masters))
    Master.categories.through.objects.bulk_create(
        Master.categories.through(master_id=m.pk, category_id=c.pk) for m in rows for c in (hair, nails)
    )
    _schedules(rows, rng)
    _appointments(rows, [cut, colour, manicure, pedicure], rng)
    return BenchSalon(
        masters=rows,
        single=VisitQuery.any_master([cut.pk]),
        sequence=VisitQuery.any_master([cut.pk, colour.pk]),
        parallel=VisitQuery.any_master([manicure.pk, pedicure.pk]),
    )


def _schedules(masters: list[Master], rng: random.Random) -> None:
    days = []
    offs = []
    for master in masters:
        start = rng.choice([8, 9, 9, 10])
        for weekday in rng.sample(range(6), 5):
            days.append(
                WorkingDay(
                    master=master,
                    weekday=weekday,
                    start_time=time(start),
                    end_time=time(start + 9),
                    break_start=time(13),
                    break_end=time(13, 30),
                )
            )
        offs.append(DayOff(master=master, date=date(YEAR, MONTH, rng.randint(1, 28))))
    WorkingDay.objects.bulk_create(days)
    DayOff.objects.bulk_create(offs)


def _appointments(masters: list[Master], services: list[Service], rng: random.Random) -> None:
    """Back-to-back runs with free gaps between them, over the booking window."""
    rows = []
    for master in masters:
        day = date(YEAR, MONTH, 1)
        while day < date(YEAR, MONTH, 1) + timedelta(days=45):
            minute = 8 * 60
            while minute < 19 * 60:
                service = rng.choice(services)
                if rng.random() < 0.66:
                    start = datetime.combine(day, time(), tzinfo=BERLIN) + timedelta(minutes=minute)
                    end = start + timedelta(minutes=service.duration)
                    rows.append(
                        Appointment(
                            master=master,
                            service=service,
                            datetime_start=start,
                            datetime_end=end,
                            duration_minutes=service.duration,
                            status=Appointment.STATUS_CONFIRMED,
                        )
                    )
                minute += service.duration + rng.choice([0, 0, 15, 30])
            day += timedelta(days=1)
    Appointment.objects.bulk_create(rows, batch_size=2000)


def month_view(query: VisitQuery, adapter: DjangoAvailabilityAdapter | None = None) -> object:
    """The bot's month view: what ``salon.services.month_availability`` computes."""
    return selectors.get_month_availability(adapter or get_adapter(clock=lambda: NOW), query, YEAR, MONTH)


def forget_month(salon: BenchSalon) -> None:
    """Delete the month's busy intervals of the bench's masters from the cache (nothing else)."""
    last = calendar.monthrange(YEAR, MONTH)[1]
    cache_adapter.invalidate_many(
        (m.pk, date(YEAR, MONTH, d).isoformat()) for m in salon.masters for d in range(1, last + 1)
    )


def best_of(repeat: int, run: Callable[[], object], before: Callable[[], object] = lambda: None) -> float:
    """The shortest of ``repeat`` runs in milliseconds, the garbage collector off."""
    times = []
    for _ in range(repeat):
        before()
        gc.disable()
        started = clock.perf_counter()
        run()
        times.append(clock.perf_counter() - started)
        gc.enable()
    return min(times) * 1000


@dataclass(frozen=True)
class CaseFigures:
    case: str
    sql_ms: float
    cold_ms: float
    warm_ms: float
    cold_queries: int
    warm_queries: int
    warm_reads_appointments: bool


def measure(salon: BenchSalon, case: str, query: VisitQuery, repeat: int) -> CaseFigures:
    forget_month(salon)
    with CaptureQueriesContext(connection) as cold:
        month_view(query)
    with CaptureQueriesContext(connection) as warm:
        month_view(query)
    statements = [q["sql"] for q in cold.captured_queries]

    def rerun_sql() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    table = Appointment._meta.db_table
    return CaseFigures(
        case=case,
        sql_ms=best_of(repeat, rerun_sql),
        cold_ms=best_of(repeat, lambda: month_view(query), before=lambda: forget_month(salon)),
        warm_ms=best_of(repeat, lambda: month_view(query)),
        cold_queries=len(cold.captured_queries),
        warm_queries=len(warm.captured_queries),
        warm_reads_appointments=any(f'FROM "{table}"' in q["sql"] for q in warm.captured_queries),
    )


@contextmanager
def rolled_back() -> Iterator[None]:
    """Everything inside is undone: the bench leaves the database as it found it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def run(masters: int = 40, repeat: int = 7) -> list[CaseFigures]:
    with rolled_back():
        salon = build_salon(masters)
        month_view(salon.single)  # warm up imports and the holiday calendar
        figures = [measure(salon, case, query, repeat) for case, query in salon.cases().items()]
        forget_month(salon)
    return figures


def table(figures: list[CaseFigures]) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| visit | SQL ms | cold ms | cold/SQL | warm ms | queries cold/warm | warm reads appointments |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for f in figures:
        lines.append(
            f"| {f.case} | {f.sql_ms:.1f} | {f.cold_ms:.1f} | {f.cold_ms / f.sql_ms:.1f}× | {f.warm_ms:.1f} "
            f"| {f.cold_queries}/{f.warm_queries} | {'yes' if f.warm_reads_appointments else 'no'} |"
        )
    return "\n".join(lines)
