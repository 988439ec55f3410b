"""``python manage.py bench_month``: the month view's cost next to its SQL (see
``djproject.salon.bench_month``). Runs in a transaction that is rolled back."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from djproject.salon.bench_month import run, table


class Command(BaseCommand):
    help = "Time the month view (cold, warm) of an N-master salon against re-running its SQL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--masters", type=int, default=40)
        parser.add_argument("--repeat", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        self.stdout.write(f"{options['masters']} masters, {connection.vendor}, cache {backend}")
        self.stdout.write(table(run(options["masters"], options["repeat"])))
