"""``manage.py seed_demo``: an idempotent demo salon to look around in at once.

Every row is found by a natural key (names, weekday, a fixed visit reference) and updated in
place, so running the command twice gives the same data; dates are relative to today, so a
later run moves the demo appointments and the day off forward instead of adding new ones.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import holidays
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

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

DEMO_NAMESPACE = uuid.UUID("5a1d0b0c-0000-4000-8000-000000000000")
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "salon-demo"

CATEGORIES = ["Hair", "Nails", "Beauty"]

# The catalogue in the bot's other languages (English is the key and the fallback); see
# djproject/salon/translation.py. A language left out here shows the English text.
TRANSLATED_NAMES: dict[str, dict[str, str]] = {
    "Hair": {"ru": "Волосы", "de": "Haare"},
    "Nails": {"ru": "Ногти", "de": "Nägel"},
    "Beauty": {"ru": "Уход за лицом", "de": "Kosmetik"},
    "Women's haircut": {"ru": "Женская стрижка", "de": "Damenhaarschnitt"},
    "Men's haircut": {"ru": "Мужская стрижка", "de": "Herrenhaarschnitt"},
    "Colouring": {"ru": "Окрашивание", "de": "Färben"},
    "Blow-dry": {"ru": "Укладка феном", "de": "Föhnen"},
    "Manicure": {"ru": "Маникюр", "de": "Maniküre"},
    "Pedicure": {"ru": "Педикюр", "de": "Pediküre"},
    "Gel polish": {"ru": "Гель-лак", "de": "Gel-Lack"},
    "Facial": {"ru": "Чистка лица", "de": "Gesichtsbehandlung"},
    "Brow shaping": {"ru": "Коррекция бровей", "de": "Augenbrauen zupfen"},
    "Lash tint": {"ru": "Окрашивание ресниц", "de": "Wimpern färben"},
    "Anna": {"ru": "Анна"},
    "Boris": {"ru": "Борис"},
    "Clara": {"ru": "Клара"},
    "Dana": {"ru": "Дана"},
}

# Shown behind the service in the bot (en, ru, de).
DESCRIPTIONS: dict[str, tuple[str, str, str]] = {
    "Women's haircut": (
        "Wash, cut and styling.",
        "Мытьё головы, стрижка и укладка.",
        "Waschen, Schneiden und Styling.",
    ),
    "Colouring": (
        "One colour from roots to ends, with care afterwards.",
        "Окрашивание в один тон от корней до кончиков, с уходом.",
        "Eine Farbe vom Ansatz bis in die Spitzen, mit Pflege danach.",
    ),
    "Manicure": (
        "Shaping, cuticle care and a clear coat.",
        "Форма, уход за кутикулой и прозрачное покрытие.",
        "Formen, Nagelhautpflege und Klarlack.",
    ),
    "Facial": (
        "Cleansing, a mask and a light massage.",
        "Очищение, маска и лёгкий массаж.",
        "Reinigung, Maske und eine leichte Massage.",
    ),
}

# A master's few words for clients (en, ru, de).
BIOS: dict[str, tuple[str, str, str]] = {
    "Anna": (
        "Cuts and colours for 12 years; loves short, sharp shapes.",
        "Стрижёт и окрашивает 12 лет; любит короткие чёткие формы.",
        "Schneidet und färbt seit 12 Jahren; liebt kurze, klare Formen.",
    ),
    "Boris": (
        "Barber and brow specialist.",
        "Барбер и мастер по бровям.",
        "Barbier und Augenbrauen-Spezialist.",
    ),
    "Clara": (
        "Nail artist; calm hands, careful work.",
        "Мастер маникюра: спокойные руки, аккуратная работа.",
        "Nageldesignerin; ruhige Hände, sorgfältige Arbeit.",
    ),
    "Dana": (
        "Nails and skin care.",
        "Ногти и уход за кожей.",
        "Nägel und Hautpflege.",
    ),
}

# name, category, minutes, gap after, price, parallel group
SERVICES: list[tuple[str, str, int, int, str, str]] = [
    ("Women's haircut", "Hair", 60, 0, "45.00", ""),
    ("Men's haircut", "Hair", 30, 0, "25.00", ""),
    ("Colouring", "Hair", 120, 15, "90.00", ""),
    ("Blow-dry", "Hair", 30, 0, "20.00", ""),
    ("Manicure", "Nails", 45, 0, "30.00", "hands-and-feet"),
    ("Pedicure", "Nails", 60, 10, "40.00", "hands-and-feet"),
    ("Gel polish", "Nails", 60, 0, "45.00", ""),
    ("Facial", "Beauty", 60, 10, "55.00", ""),
    ("Brow shaping", "Beauty", 20, 0, "15.00", ""),
    ("Lash tint", "Beauty", 30, 0, "20.00", ""),
]


@dataclass(frozen=True)
class DemoMaster:
    name: str
    categories: tuple[str, ...]
    # weekday -> (start, end, break start, break end); an empty dict means the master works
    # the salon's default weekly hours (booking settings), to show the fallback.
    week: dict[int, tuple[str, str, str | None, str | None]]
    buffer: int | None = None


def _weekdays(days: range, start: str, end: str, brk: tuple[str, str] | None) -> dict[int, Any]:
    return dict.fromkeys(days, (start, end, *(brk or (None, None))))


MASTERS = [
    DemoMaster("Anna", ("Hair",), _weekdays(range(0, 5), "09:00", "18:00", ("13:00", "14:00"))),
    DemoMaster("Boris", ("Hair", "Beauty"), _weekdays(range(1, 6), "10:00", "19:00", ("14:00", "14:30")), 10),
    DemoMaster("Clara", ("Nails",), _weekdays(range(0, 5), "09:00", "17:00", ("12:30", "13:00"))),
    DemoMaster("Dana", ("Nails", "Beauty"), {}),
]

CLIENTS = [("Maria Schmidt", "+49 151 0000001"), ("Olga Ivanova", "+49 151 0000002"), ("Jonas Weber", "")]

# (visit key, master, service, client index, working day number from today, local start)
APPOINTMENTS = [
    ("v1", "Anna", "Women's haircut", 0, 1, "10:00"),
    ("v2", "Anna", "Colouring", 1, 1, "14:00"),
    ("v3", "Boris", "Men's haircut", 2, 1, "11:00"),
    ("v4", "Clara", "Manicure", 0, 2, "09:30"),
    ("v5", "Dana", "Facial", 1, 2, "15:00"),
    ("v6", "Boris", "Brow shaping", 0, 3, "16:00"),
]


def _translations(field: str, english: str) -> dict[str, str | None]:
    """``name_ru``/``name_de`` for an English name (None: not translated, English is shown)."""
    other = TRANSLATED_NAMES.get(english, {})
    return {f"{field}_{code}": other.get(code) for code in ("ru", "de")}


def _texts(field: str, texts: tuple[str, str, str] | None) -> dict[str, str]:
    en, ru, de = texts or ("", "", "")
    return {f"{field}_en": en, f"{field}_ru": ru, f"{field}_de": de}


def _t(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


class Command(BaseCommand):
    help = "Create or refresh the demo salon (idempotent) and print the staff login."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            site = self._settings()
            categories = {name: self._category(name, i) for i, name in enumerate(CATEGORIES)}
            services = {row[0]: self._service(row, categories, i) for i, row in enumerate(SERVICES)}
            masters = {m.name: self._master(m, categories, i) for i, m in enumerate(MASTERS)}
            clients = [self._client(name, phone, i) for i, (name, phone) in enumerate(CLIENTS)]
            today = timezone.localdate(timezone=site.tz)
            self._day_off(masters["Anna"], today)
            self._appointments(site, today, masters, services, clients)
            created = self._admin_user()
        self.stdout.write(self.style.SUCCESS(f"Demo salon '{site.salon_name}' is ready."))
        self.stdout.write(
            f"  Admin:    http://127.0.0.1:8000/admin/   login {ADMIN_USERNAME} / {ADMIN_PASSWORD}"
        )
        if not created:
            self.stdout.write("  (the admin user existed already; its password was left as it was)")

    def _settings(self) -> SiteSettings:
        SiteSettings.objects.update_or_create(
            pk=1,
            defaults={
                "salon_name": "Salon Aurora",
                "address": "Marktplatz 1, 06108 Halle (Saale)",
                "phone": "+49 345 000000",
                "timezone": "Europe/Berlin",
                "holidays_country": "DE",
                "holidays_subdiv": "ST",
            },
        )
        settings = BookingSettings.load()
        for field, value in {
            "step_minutes": 30,
            "default_buffer_between_minutes": 0,
            "min_advance_minutes": 60,
            "max_advance_days": 60,
            "work_start_weekdays": time(9),
            "work_end_weekdays": time(19),
            "work_start_saturday": time(10),
            "work_end_saturday": time(16),
            "work_start_sunday": None,
            "work_end_sunday": None,
            "cancellation_cutoff_minutes": 120,
            "reminder_offsets_minutes": [24 * 60, 2 * 60],
        }.items():
            setattr(settings, field, value)
        settings.save()
        return SiteSettings.load()

    def _category(self, name: str, order: int) -> Category:
        # Found by the English name (name_en), whichever language is active.
        return Category.objects.update_or_create(
            name_en=name, defaults={"sort_order": order, "name": name, **_translations("name", name)}
        )[0]

    def _service(self, row: tuple[str, str, int, int, str, str], categories: dict, order: int) -> Service:
        name, category, minutes, gap, price, group = row
        return Service.objects.update_or_create(
            category=categories[category],
            name_en=name,
            defaults={
                "name": name,
                **_translations("name", name),
                **_texts("description", DESCRIPTIONS.get(name)),
                "duration": minutes,
                "min_gap_after_minutes": gap,
                "price": Decimal(price),
                "parallel_group": group,
                "is_active": True,
                "sort_order": order,
            },
        )[0]

    def _master(self, demo: DemoMaster, categories: dict, order: int) -> Master:
        master = Master.objects.update_or_create(
            name_en=demo.name,
            defaults={
                "name": demo.name,
                **_translations("name", demo.name),
                **_texts("bio", BIOS.get(demo.name)),
                "status": Master.STATUS_ACTIVE,
                "sort_order": order,
                "buffer_between_minutes": demo.buffer,
            },
        )[0]
        master.categories.set([categories[c] for c in demo.categories])
        for weekday, (start, end, brk_start, brk_end) in demo.week.items():
            WorkingDay.objects.update_or_create(
                master=master,
                weekday=weekday,
                defaults={
                    "start_time": _t(start),
                    "end_time": _t(end),
                    "break_start": _t(brk_start),
                    "break_end": _t(brk_end),
                },
            )
        master.working_days.exclude(weekday__in=list(demo.week)).delete()
        return master

    def _client(self, name: str, phone: str, index: int) -> Client:
        # Demo clients have no Telegram account; a negative id can never clash with a real one.
        return Client.objects.update_or_create(
            telegram_id=-(index + 1), defaults={"name": name, "phone": phone, "language": "en"}
        )[0]

    def _day_off(self, master: Master, today: date) -> None:
        day = _working_dates(master, today, 6)[-1]
        DayOff.objects.filter(master=master, reason="Training").exclude(date=day).delete()
        DayOff.objects.update_or_create(master=master, date=day, defaults={"reason": "Training"})

    def _appointments(
        self,
        site: SiteSettings,
        today: date,
        masters: dict[str, Master],
        services: dict[str, Service],
        clients: list[Client],
    ) -> None:
        for key, master_name, service_name, client_index, day_number, start in APPOINTMENTS:
            master, service = masters[master_name], services[service_name]
            day = _working_dates(master, today, day_number)[-1]
            starts = datetime.combine(day, time.fromisoformat(start), tzinfo=site.tz)
            ref = uuid.uuid5(DEMO_NAMESPACE, key)
            appointment = Appointment.objects.filter(booking_ref=ref).first() or Appointment(booking_ref=ref)
            appointment.master = master
            appointment.service = service
            appointment.client = clients[client_index]
            appointment.datetime_start = starts
            appointment.duration_minutes = service.duration
            appointment.price = service.price
            appointment.status = Appointment.STATUS_CONFIRMED
            appointment.source = Appointment.SOURCE_TELEGRAM
            appointment.save()

    def _admin_user(self) -> bool:
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=ADMIN_USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(ADMIN_PASSWORD)
            user.save()
        return created


def _working_dates(master: Master, today: date, count: int) -> list[date]:
    """The next ``count`` dates (after today) on which the master has a weekday row, skipping
    public holidays; masters on default hours count Monday to Saturday."""
    weekdays = set(master.working_days.values_list("weekday", flat=True)) or set(range(6))
    site = SiteSettings.load()
    closed = holidays.country_holidays(site.holidays_country, subdiv=site.holidays_subdiv or None)
    found: list[date] = []
    day = today
    while len(found) < count:
        day += timedelta(days=1)
        if day.weekday() in weekdays and day not in closed:
            found.append(day)
    return found
