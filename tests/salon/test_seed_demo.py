import pytest
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db

VOLATILE = {"created", "updated", "version", "password", "last_login", "date_joined"}


def snapshot() -> dict[str, list[dict]]:
    data = {}
    for model in [*apps.get_app_config("salon").get_models(), apps.get_model("auth", "User")]:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE]
        data[model.__name__] = list(model.objects.order_by("pk").values(*fields))
    return data


def test_seed_demo_twice_gives_the_same_data(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")

    assert snapshot() == first
    assert len(first["Master"]) == 4
    assert len(first["Category"]) == 3
    assert 8 <= len(first["Service"]) <= 12
    assert first["Appointment"]
    assert first["DayOff"]
    assert "login admin" in capsys.readouterr().out
