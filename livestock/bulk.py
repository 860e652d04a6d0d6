"""Writing many rows at once: PostgreSQL COPY, or one executemany INSERT elsewhere (SQLite).

Django has no COPY; psycopg 3 has, and it is several times faster than multi-row INSERT for the
hundred-thousand-row paths (a herd list, a burst of tag reads). Constraints and foreign keys are
still checked by the database. django-postgres-copy does the same from CSV files, but we write
rows we already hold in memory, which psycopg's copy.write_row does directly.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from uuid import UUID

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


def _text_of(field: models.Field):
    """How a value of ``field`` is written into COPY's text when psycopg's dumper costs more.

    psycopg dumps a date or a time several times slower than Python writes it out (about 3 µs a
    value: make bench, animal_import_100k_s and ingest_reads_per_s, where the rows' dates and times
    were most of the worker's COPY), and a UUID through a Python dumper. Their ISO text and hex
    digits are what PostgreSQL reads back exactly (an aware time keeps its offset; a naive one is
    read in the connection's time zone, as psycopg would send it).
    """
    if isinstance(field, models.JSONField):
        return _json_out
    if isinstance(field, models.DateTimeField):
        return _time_text
    if isinstance(field, models.DateField):
        return _date_text
    if isinstance(field, models.UUIDField):
        return _hex
    return None


def _time_text(value) -> str:
    return value.isoformat() if isinstance(value, datetime) else value


def _date_text(value) -> str:
    return value.isoformat() if type(value) is date else value


def _hex(value) -> str:
    return value.hex if isinstance(value, UUID) else value


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert ``rows`` (tuples in the order of ``fields``) into ``model``'s table, in one go."""
    meta = model._meta
    if connection.vendor == "postgresql":
        columns = [meta.get_field(f).column for f in fields]
        texts = [(i, text) for i, f in enumerate(fields) if (text := _text_of(meta.get_field(f)))]
        quoted = ", ".join(f'"{c}"' for c in columns)
        sql = f'COPY "{meta.db_table}" ({quoted}) FROM STDIN'
        # psycopg's own cursor (Django has no COPY): its errors are turned into Django's, so that
        # callers catch django.db.IntegrityError as for any other write.
        with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for row in _converted(rows, texts):
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


def insert_rows_binary(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """``insert_rows`` as a binary COPY, each column's type named: nothing is formatted as text
    (a GPS point's row, with its time and its decimal position: about 18 µs in text when psycopg
    still formatted the times, 2 in binary; the bench year's trips write over a million points).
    The values must be of their column's type (an int for a number, a datetime for a time): for
    rows built by a generator, not from what a user sent. Elsewhere than PostgreSQL,
    ``insert_rows``."""
    meta = model._meta
    if connection.vendor != "postgresql":
        insert_rows(model, fields, rows)
        return
    columns = [meta.get_field(f).column for f in fields]
    jsons = [i for i, f in enumerate(fields) if isinstance(meta.get_field(f), models.JSONField)]
    # jsonb's binary form is a version byte (1) and the JSON text, sent as bytes; a decimal column
    # takes only a Decimal in binary (a position rounded as a float: made one).
    converters = [(i, _jsonb_bytes) for i in jsons] + [
        (i, field.to_python)
        for i, f in enumerate(fields)
        if isinstance(field := meta.get_field(f), models.DecimalField)
    ]
    with connection.cursor() as cursor, connection.wrap_database_errors:
        # A binary value must be of the column's very type (int4 is not int8): the catalogue's.
        cursor.execute(
            "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attnum > 0 AND NOT attisdropped",
            [meta.db_table],
        )
        types = dict(cursor.fetchall())
        for i in jsons:
            types[columns[i]] = BYTEA_OID
        quoted = ", ".join(f'"{c}"' for c in columns)
        with cursor.cursor.copy(f'COPY "{meta.db_table}" ({quoted}) FROM STDIN (FORMAT BINARY)') as copy:
            copy.set_types([types[c] for c in columns])
            for row in _converted(rows, converters):
                copy.write_row(row)
    pagecache.written(connection, {meta.db_table})


BYTEA_OID = 17


def _jsonb_bytes(value) -> bytes:
    return b"\x01" + _json_out(value).encode()


def _converted(rows: Iterable[Sequence], converters: list) -> Iterable[Sequence]:
    """The rows with the value of each column ``i`` of ``converters`` (``(i, convert)``) converted.

    Rows often share a value (an event's details and time, the same for every animal): it is
    converted once, not once per row. None stays None (NULL).
    """
    if not converters:
        yield from rows
        return
    last_value: dict[int, object] = dict.fromkeys((i for i, _ in converters), object())
    last_out: dict[int, object] = {}
    for row in rows:
        row = list(row)
        for i, convert in converters:
            value = row[i]
            if value is None:
                continue
            if value is not last_value[i]:
                last_value[i], last_out[i] = value, convert(value)
            row[i] = last_out[i]
        yield row
