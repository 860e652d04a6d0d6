"""Writing many rows at once: PostgreSQL COPY, or one executemany INSERT elsewhere (SQLite).

Django has no COPY; psycopg 3 has, and it is several times faster than multi-row INSERT for the
hundred-thousand-row paths (a herd list, a burst of tag reads). Constraints and foreign keys are
still checked by the database. django-postgres-copy does the same from CSV files, but we write
rows we already hold in memory, which psycopg's copy.write_row does directly.
"""

import json
from collections.abc import Iterable, Sequence

from django.db import connection, models

from accounts import pagecache

# One encoder for every row: json.dumps with a non-default option builds a new one per call,
# which cost more than the encoding itself (a herd list's 100,000 events, each its own details).
json_text = json.JSONEncoder(ensure_ascii=False).encode


class JsonText(str):
    """A JSON field's value already encoded, written as it is: a herd's 100,000 events' details
    built from checked values cost a tenth of encoding as many dicts (animal_import_100k_s)."""

    __slots__ = ()


def _json_out(value) -> str:
    return value if type(value) is JsonText else json_text(value)


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert ``rows`` (tuples in the order of ``fields``) into ``model``'s table, in one go."""
    meta = model._meta
    if connection.vendor == "postgresql":
        columns = [meta.get_field(f).column for f in fields]
        jsons = [i for i, f in enumerate(fields) if isinstance(meta.get_field(f), models.JSONField)]
        quoted = ", ".join(f'"{c}"' for c in columns)
        sql = f'COPY "{meta.db_table}" ({quoted}) FROM STDIN'
        # psycopg's own cursor (Django has no COPY): its errors are turned into Django's, so that
        # callers catch django.db.IntegrityError as for any other write.
        # Rows often share one JSON value (an event's details, the same for every animal): it is
        # dumped once, not once per row.
        last_value, last_text = object(), ""
        with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for row in rows:
                if jsons:
                    row = list(row)
                    for i in jsons:
                        if row[i] is not last_value:
                            last_value, last_text = row[i], _json_out(row[i])
                        row[i] = last_text
                copy.write_row(row)
        # COPY runs on psycopg's cursor, out of sight of the execute wrappers: the page cache
        # is told of the write here, or a cached page would keep showing the rows before it.
        pagecache.written(connection, {meta.db_table})
        return
    # As COPY: only the columns given, each value prepared by its field as Django would save it.
    # One prepared statement run per row is three to five times faster than bulk_create, which
    # builds a model instance per row (the demo seed's ~400,000 rows: 60-100 s -> about 20 s).
    model_fields = [meta.get_field(f) for f in fields]
    quoted = ", ".join(connection.ops.quote_name(f.column) for f in model_fields)
    marks = ", ".join(["%s"] * len(model_fields))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({quoted}) VALUES ({marks})"
    prepared = (
        [
            # JSON text already encoded (JsonText) is stored as it is, as COPY does.
            value if type(value) is JsonText else field.get_db_prep_save(value, connection)
            for field, value in zip(model_fields, row, strict=True)
        ]
        for row in rows
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
