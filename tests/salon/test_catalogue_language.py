"""The salon services read the catalogue in the language they are given, in a constant number
of queries, whatever language the calling thread had active before."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from djproject.salon import services
from djproject.salon.models import Appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def salon() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def test_the_language_is_the_one_passed_not_the_threads(salon):
    with translation.override("de"):  # left over from an earlier call on this thread
        names = [s.name for s in services.list_services(language="ru")]
    assert names[0] == "Женская стрижка"
    assert [c.name for c in services.list_categories(language="de")] == ["Haare", "Nägel", "Kosmetik"]


def test_lists_cost_one_query_in_any_language(salon, django_assert_num_queries):
    for language in ("en", "ru", "de"):
        with django_assert_num_queries(1):
            services.list_services(language=language)
        with django_assert_num_queries(1):
            services.list_categories(language=language)


def test_a_visit_is_described_in_each_readers_language(salon):
    visit = services.visits_of(Appointment.objects.filter(service__name_en="Women's haircut"))[0]
    ru = services.describe_visit(visit.ref, language="ru")
    en = services.describe_visit(visit.ref, language="en")
    assert ru.items[0].service_name == "Женская стрижка" and ru.items[0].master_name == "Анна"
    assert en.items[0].service_name == "Women's haircut" and en.items[0].master_name == "Anna"
