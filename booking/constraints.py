"""Database constraints that only some backends can express.

The booking models must migrate on SQLite (the embedded default) and on PostgreSQL, but only
PostgreSQL can forbid overlapping time ranges in the database. ``PostgresExclusionConstraint``
is Django's ``ExclusionConstraint`` that emits no DDL and skips validation elsewhere; on
SQLite, writers are serialised by ``BEGIN IMMEDIATE`` transactions instead.
"""

from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func


class TsTzRange(Func):
    """``tstzrange(start, end, '[)')``: half-open, so back-to-back appointments do not clash."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def _is_postgres(connection: Any) -> bool:
    return connection.vendor == "postgresql"


class PostgresExclusionConstraint(ExclusionConstraint):
    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        if not _is_postgres(schema_editor.connection):
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        if not _is_postgres(schema_editor.connection):
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        if not _is_postgres(schema_editor.connection):
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model: Any, instance: Any, exclude: Any = None, using: str = DEFAULT_DB_ALIAS) -> None:
        if not _is_postgres(connections[using]):
            return
        super().validate(model, instance, exclude=exclude, using=using)
