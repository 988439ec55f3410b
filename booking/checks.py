"""System checks for the ``BOOKING`` contract: what is missing or wrong, said at startup.

``manage.py check`` (and every ``runserver``/``migrate``) runs them, so a project learns that
its appointment model lacks a ``master`` foreign key before a client's first booking fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.checks import CheckMessage, Error
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models

from booking import app_settings
from booking.app_settings import ROLES, SETTING, field_name, get_model

HINT = "See docs/reuse.md: BOOKING names your models built from booking.mixins."

# (model key, field, target model key or None for any field): the foreign keys the adapter
# and the services follow by name.
FOREIGN_KEYS: tuple[tuple[str, str, str | None], ...] = (
    ("APPOINTMENT_MODEL", "master", "MASTER_MODEL"),
    ("APPOINTMENT_MODEL", "service", "SERVICE_MODEL"),
    ("APPOINTMENT_MODEL", "client", None),
    ("WORKING_DAY_MODEL", "master", "MASTER_MODEL"),
    ("DAY_OFF_MODEL", "master", "MASTER_MODEL"),
)


def check_booking_models(app_configs: Iterable[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """Every model ``BOOKING`` names exists, subclasses its mixin and has the relations."""
    if not app_settings.booking_setting():
        return [Error(f"The {SETTING} setting is missing.", hint=HINT, id="booking.E001")]
    found, errors = _models()
    if errors:
        return errors
    return [*_foreign_key_errors(found), *_category_errors(found), *_status_errors(found)]


def _models() -> tuple[dict[str, type[models.Model]], list[CheckMessage]]:
    found: dict[str, type[models.Model]] = {}
    errors: list[CheckMessage] = []
    for role in ROLES:
        try:
            model = get_model(role.key)
        except ImproperlyConfigured as error:
            errors.append(Error(str(error), hint=HINT, id="booking.E002"))
            continue
        if model is None:
            continue
        if not issubclass(model, role.mixin):
            errors.append(
                Error(
                    f"{SETTING}[{role.key!r}] is {model._meta.label}, which must subclass "
                    f"{role.mixin.__module__}.{role.mixin.__name__}.",
                    hint=HINT,
                    obj=model,
                    id="booking.E003",
                )
            )
        found[role.key] = model
    return found, errors


def _field(model: type[models.Model], name: str, why: str) -> tuple[Any, CheckMessage | None]:
    try:
        return model._meta.get_field(name), None
    except FieldDoesNotExist:
        return None, Error(
            f"{model._meta.label} has no field {name!r} ({why}).", hint=HINT, obj=model, id="booking.E004"
        )


def _foreign_key_errors(found: dict[str, type[models.Model]]) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for key, name, target_key in FOREIGN_KEYS:
        model = found[key]
        field, missing = _field(model, name, f"needed by {SETTING}[{key!r}]")
        if missing is not None:
            errors.append(missing)
            continue
        if target_key is None:
            continue
        target = found[target_key]
        if not (field.many_to_one and field.related_model is target):
            errors.append(
                Error(
                    f"{model._meta.label}.{name} must be a foreign key to {target._meta.label} "
                    f"({SETTING}[{target_key!r}]).",
                    hint=HINT,
                    obj=model,
                    id="booking.E005",
                )
            )
    return errors


def _category_errors(found: dict[str, type[models.Model]]) -> list[CheckMessage]:
    """The master's M2M and the service's FK must lead to the same category model."""
    master, service = found["MASTER_MODEL"], found["SERVICE_MODEL"]
    m2m_name = field_name("MASTER_CATEGORIES_FIELD")
    fk_name = field_name("SERVICE_CATEGORY_FIELD")
    m2m, missing_m2m = _field(master, m2m_name, f"{SETTING}['MASTER_CATEGORIES_FIELD']")
    fk, missing_fk = _field(service, fk_name, f"{SETTING}['SERVICE_CATEGORY_FIELD']")
    errors = [e for e in (missing_m2m, missing_fk) if e is not None]
    if m2m is not None and not m2m.many_to_many:
        errors.append(_shape_error(master, m2m_name, "a many-to-many field to the categories"))
    if fk is not None and not fk.many_to_one:
        errors.append(_shape_error(service, fk_name, "a foreign key to a category"))
    if not errors and fk.related_model is not m2m.related_model:
        errors.append(
            _shape_error(
                service,
                fk_name,
                f"a foreign key to {m2m.related_model._meta.label}, as {master._meta.label}.{m2m_name}",
            )
        )
    return errors


def _shape_error(model: type[models.Model], name: str, what: str) -> Error:
    return Error(f"{model._meta.label}.{name} must be {what}.", hint=HINT, obj=model, id="booking.E005")


def _status_errors(found: dict[str, type[models.Model]]) -> list[CheckMessage]:
    """A master model with a ``status`` field says which value is bookable (``STATUS_ACTIVE``);
    without the field every master is bookable."""
    master = found["MASTER_MODEL"]
    try:
        master._meta.get_field("status")
    except FieldDoesNotExist:
        return []
    if getattr(master, "STATUS_ACTIVE", None) is not None:
        return []
    return [
        Error(
            f"{master._meta.label} has a 'status' field but no STATUS_ACTIVE: name the bookable status.",
            hint=HINT,
            obj=master,
            id="booking.E006",
        )
    ]
