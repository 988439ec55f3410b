"""Small factories for salon data: real rows, sensible defaults, override what a test cares about."""

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from djproject.salon.models import (
    Appointment,
    BookingSettings,
    Category,
    Client,
    DayOff,
    Master,
    Service,
    SiteSettings,
    WorkingDay,
)
from tests.moments import salon_today

_seq = itertools.count(1)


def category(**kw: Any) -> Category:
    kw.setdefault("name", f"Category {next(_seq)}")
    return Category.objects.create(**kw)


def service(**kw: Any) -> Service:
    kw.setdefault("name", f"Service {next(_seq)}")
    if "category" not in kw:
        kw["category"] = category()
    kw.setdefault("duration", 60)
    kw.setdefault("price", Decimal("30.00"))
    return Service.objects.create(**kw)


def master(*, categories: list[Category] = (), hours: dict[int, tuple] | None = None, **kw: Any) -> Master:
    """A master; ``hours`` maps weekday -> (start, end[, break_start, break_end]) as "HH:MM"."""
    kw.setdefault("name", f"Master {next(_seq)}")
    m = Master.objects.create(**kw)
    m.categories.set(categories)
    for weekday, row in (hours or {}).items():
        start, end, *brk = (*row, None, None)[:4]
        WorkingDay.objects.create(
            master=m,
            weekday=weekday,
            start_time=time.fromisoformat(start),
            end_time=time.fromisoformat(end),
            break_start=time.fromisoformat(brk[0]) if brk[0] else None,
            break_end=time.fromisoformat(brk[1]) if brk[1] else None,
        )
    m.refresh_from_db()
    return m


def day_off(m: Master, day: date, reason: str = "") -> DayOff:
    return DayOff.objects.create(master=m, date=day, reason=reason)


def client(**kw: Any) -> Client:
    kw.setdefault("telegram_id", 10_000 + next(_seq))
    kw.setdefault("name", f"Client {kw['telegram_id']}")
    return Client.objects.create(**kw)


def appointment(*, master: Master, service: Service, start: datetime, **kw: Any) -> Appointment:
    kw.setdefault("duration_minutes", service.duration)
    kw.setdefault("status", Appointment.STATUS_CONFIRMED)
    return Appointment.objects.create(master=master, service=service, datetime_start=start, **kw)


def booking_settings(**kw: Any) -> BookingSettings:
    obj = BookingSettings.load()
    for key, value in kw.items():
        setattr(obj, key, value)
    obj.save()
    obj.refresh_from_db()
    return obj


def site_settings(**kw: Any) -> SiteSettings:
    obj = SiteSettings.load()
    for key, value in kw.items():
        setattr(obj, key, value)
    obj.save()
    return obj


def local(day: date, hhmm: str, tz: Any) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=tz)


def next_weekday(weekday: int, after: date | None = None) -> date:
    """The first date strictly after ``after`` (default the salon's today) that falls on ``weekday``."""
    day = (after or salon_today()) + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day
