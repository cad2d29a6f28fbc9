"""Writing many rows at once: PostgreSQL's COPY where the database is PostgreSQL, batched inserts
elsewhere (SQLite, for the demo). A million theme assignments are one COPY, not a thousand
INSERTs; the rows are streamed, never built as a million model objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models

INSERT_BATCH = 2_000


def write_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (tuples of values for `columns`, the model's column names such as
    "theme_id") into the model's table in the current transaction. Returns how many."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    written = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
        return written
    placeholders = ", ".join(["%s"] * len(columns))
    # Table and column names come from the model, quoted by the database backend; values are parameters.
    sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(iterator, INSERT_BATCH)):
            cursor.executemany(sql, batch)
            written += len(batch)
    return written
