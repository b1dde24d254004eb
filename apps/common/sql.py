"""Hand-written SELECTs that still hand back model instances, for the few hot paths where building the query
through the ORM costs more CPU than running it (docs/PERFORMANCE.md, round 6).

A statement is written once per process with the columns the models declare (so a renamed or added field
needs no edit here), its values go as parameters, and each row is turned into instances as the ORM itself
would: the database backend's converters, then `Model.from_db`.
"""

from typing import Any

from django.db import connection
from django.db.models import Field, Model


class Columns:
    """The concrete columns of `model` under a table alias in a SELECT list, and the instance made back from
    them. With a LEFT JOIN that found nothing (primary key NULL), `take` gives None."""

    def __init__(self, model: type[Model], alias: str):
        self.model, self.alias = model, alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self._pk_index = self.fields.index(model._meta.pk)
        self._converters: dict[tuple[str, str], list[list[tuple[Any, Any]]]] = {}

    @property
    def select(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    @property
    def names(self) -> str:
        """The columns unqualified (a RETURNING list)."""
        quote = connection.ops.quote_name
        return ", ".join(quote(field.column) for field in self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def take(self, row: tuple, start: int) -> Model | None:
        values = row[start : start + len(self.fields)]
        if values[self._pk_index] is None:
            return None
        key = (connection.alias, connection.vendor)
        if key not in self._converters:
            self._converters[key] = [converters(field, self.alias) for field in self.fields]
        converted = [
            convert(value, field_converters)
            for value, field_converters in zip(values, self._converters[key], strict=True)
        ]
        return self.model.from_db(connection.alias, self.attnames, converted)


def converters(field: Field, alias: str) -> list:
    """What the ORM applies to a column's value on this database (on SQLite a datetime arrives as text)."""
    column = field.get_col(alias)
    found = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
    return [(converter, column) for converter in found]


def convert(value: Any, field_converters: list) -> Any:
    for converter, column in field_converters:
        value = converter(value, column, connection)
    return value


def fetch_one(sql: str, params: list[Any]) -> tuple | None:
    """The first row of a statement that returns at most one (a SELECT by a unique key, an UPDATE of one row
    with RETURNING): read to the end, so SQLite finishes the statement before the cursor closes."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return rows[0] if rows else None
