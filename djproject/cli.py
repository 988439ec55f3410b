"""Console entry points of the installed package: ``salon-admin`` is ``manage.py`` (migrate,
createsuperuser, runserver, seed_demo ...) from any directory, outside a source checkout too.
``salon-bot`` is ``python -m bot`` (bot.__main__:main)."""

from __future__ import annotations

import os
import sys


def admin() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djproject.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
