"""``manage.py check`` says what is missing or wrong in a project's ``BOOKING`` contract."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from booking.checks import check_booking_models
from djproject import settings as project
from tests.thirdparty.conftest import STUDIO_BOOKING


def messages(settings, **changes) -> list[tuple[str, str]]:
    settings.BOOKING = {k: v for k, v in {**STUDIO_BOOKING, **changes}.items() if v is not None}
    return [(m.id, m.msg) for m in check_booking_models()]


def test_the_studio_and_the_salon_contracts_are_clean(settings):
    assert messages(settings) == []

    settings.BOOKING = project.BOOKING
    assert check_booking_models() == []


def test_a_project_without_the_setting_is_told_to_add_it(settings):
    del settings.BOOKING

    assert [(m.id, m.msg) for m in check_booking_models()] == [
        ("booking.E001", "The BOOKING setting is missing.")
    ]


def test_a_missing_or_unknown_model_is_named_by_its_key(settings):
    assert messages(
        settings, MASTER_MODEL=None, DAY_OFF_MODEL="studio.Holiday", SERVICE_MODEL="Treatment"
    ) == [
        ("booking.E002", "BOOKING['MASTER_MODEL'] is not set: name your model as 'app_label.Model'."),
        ("booking.E002", "BOOKING['SERVICE_MODEL'] must be 'app_label.Model', not 'Treatment'."),
        ("booking.E002", "BOOKING['DAY_OFF_MODEL'] refers to 'studio.Holiday', which is not installed."),
    ]


def test_a_model_that_is_not_built_from_the_mixin_is_refused(settings):
    assert messages(settings, APPOINTMENT_MODEL="studio.Treatment") == [
        (
            "booking.E003",
            "BOOKING['APPOINTMENT_MODEL'] is studio.Treatment, which must subclass "
            "booking.mixins.appointment.AbstractBookableAppointment.",
        )
    ]


def test_missing_and_wrong_relations_are_named(settings):
    assert messages(settings, MASTER_CATEGORIES_FIELD="categories", WORKING_DAY_MODEL="salon.WorkingDay") == [
        (
            "booking.E005",
            "salon.WorkingDay.master must be a foreign key to studio.Stylist (BOOKING['MASTER_MODEL']).",
        ),
        (
            "booking.E004",
            "studio.Stylist has no field 'categories' (BOOKING['MASTER_CATEGORIES_FIELD']).",
        ),
    ]
    assert messages(settings, SERVICE_CATEGORY_FIELD="title") == [
        ("booking.E005", "studio.Treatment.title must be a foreign key to a category.")
    ]


def test_manage_py_check_fails_on_a_broken_contract(settings):
    settings.BOOKING = {**STUDIO_BOOKING, "SERVICE_CATEGORY_FIELD": "category"}

    with pytest.raises(SystemCheckError, match=r"studio.Treatment has no field 'category'"):
        call_command("check")


def test_a_master_status_without_its_bookable_value_is_named(settings, monkeypatch):
    from djproject.salon.models import Master

    monkeypatch.delattr(Master, "STATUS_ACTIVE")
    settings.BOOKING = project.BOOKING

    assert [(m.id, m.msg) for m in check_booking_models()] == [
        ("booking.E006", "salon.Master has a 'status' field but no STATUS_ACTIVE: name the bookable status.")
    ]
