"""INSERT many rows from plain tuples, for jobs that write thousands of rows at once.

`QuerySet.bulk_create` builds a model instance per row and prepares every field of every row through the
field API (defaults, auto_now, `get_db_prep_save`); on Postgres it then sends each column as an array that
psycopg quotes element by element in Python. Profiled on the daily reminder job (three rows per reminder),
that was about 70 % of the job's CPU; a multi-row VALUES instead moved the cost into psycopg's client-side
parsing of a query with thousands of placeholders. So here:

- the rows come as tuples of values in the order of `fields`; the columns a caller does not pass are filled
  from the model's own defaults (`auto_now` / `auto_now_add` included) computed once per call, as bulk_create
  fills them for every row;
- on Postgres a batch is ONE parameter, a JSON array of row objects (encoded by the json module's C
  encoder), that the server turns into rows of the table's type with `json_populate_recordset`, converting
  each value to its column's type itself;
- elsewhere (SQLite) a batch is one multi-row VALUES, with non-plain values (dates, JSON, UUIDs, ...) prepared
  through their field.

Per-row values may be str, int, bool, None, date, datetime, UUID, Decimal, and dicts or lists for JSON
columns (written as given; a JSONField's custom encoder is not applied). No signals, no `save()`, no
validation: the same contract as bulk_create.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from itertools import islice
from typing import cast
from uuid import UUID

from django.db import NotSupportedError, connections, models
from django.db.models.constants import OnConflict

# Internal types whose values the SQLite path passes to the driver as they are
_PLAIN = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)


def _is_plain(field: models.Field) -> bool:
    target = cast(models.ForeignKey, field).target_field if field.is_relation else field
    return target.get_internal_type() in _PLAIN


def _json_value(value):
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    raise TypeError(f"insert_rows cannot write a {type(value).__name__}")


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    values: dict | None = None,
    ignore_conflicts: bool = False,
    returning: Sequence[str] = (),
    batch_size: int = 500,
    using: str = "default",
) -> list[tuple]:
    """INSERT `rows` (one tuple per row, values in the order of `fields`: names or attnames) into `model`'s
    table, one statement per `batch_size` rows. `values` (field name -> value) are the same for every row;
    every other concrete column but the primary key gets its default. With ignore_conflicts a row that hits
    a unique constraint is skipped (ON CONFLICT DO NOTHING). Returns the `returning` columns of the rows
    this call inserted (a skipped row returns nothing: the exactly-once claim of a batch job)."""
    connection = connections[using]
    qn = connection.ops.quote_name
    opts = model._meta
    given = [cast(models.Field, opts.get_field(name)) for name in fields]
    given_names = {field.name for field in given}
    rest = [f for f in opts.concrete_fields if f.name not in given_names and not f.primary_key]
    template = model(**(values or {}))
    constants = [f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in rest]

    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    suffix = connection.ops.on_conflict_suffix_sql(given, on_conflict, None, None) or ""
    if returning:
        if not connection.features.can_return_rows_from_bulk_insert:
            raise NotSupportedError(f"{connection.vendor} cannot return rows from an INSERT")
        suffix += " RETURNING " + ", ".join(
            qn(cast(models.Field, opts.get_field(name)).column) for name in returning
        )
    head = (
        f"{connection.ops.insert_statement(on_conflict=on_conflict)} {qn(opts.db_table)} "
        f"({', '.join(qn(f.column) for f in [*given, *rest])})"
    )
    if connection.vendor == "postgresql":
        keys = [f.column for f in given]
        selected = [f"r.{qn(f.column)}" for f in given]
        selected += [f"CAST(%s AS {f.db_type(connection)})" for f in rest]
        # identifiers from the model's metadata, quoted; every value is a parameter
        sql = (
            f"{head} SELECT {', '.join(selected)} "  # noqa: S608
            f"FROM json_populate_recordset(NULL::{qn(opts.db_table)}, %s) AS r {suffix}"
        )

        def write(batch: list) -> list[tuple]:
            rows_json = json.dumps([dict(zip(keys, row, strict=True)) for row in batch], default=_json_value)
            with connection.cursor() as cursor:
                cursor.execute(sql, [*constants, rows_json])
                return cursor.fetchall() if returning else []

    else:
        convert = [None if _is_plain(f) else f for f in given]
        width = len(given) + len(rest)
        if connection.features.max_query_params:
            batch_size = max(1, min(batch_size, connection.features.max_query_params // width))
        placeholder = "(" + ", ".join(["%s"] * width) + ")"

        def write(batch: list) -> list[tuple]:
            params: list = []
            for row in batch:
                params += [
                    value if field is None else field.get_db_prep_save(value, connection)
                    for field, value in zip(convert, row, strict=True)
                ]
                params += constants
            sql = f"{head} VALUES {', '.join([placeholder] * len(batch))} {suffix}"
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if returning else []

    inserted: list[tuple] = []
    rows = iter(rows)
    while batch := list(islice(rows, batch_size)):
        inserted += write(batch)
    return inserted
