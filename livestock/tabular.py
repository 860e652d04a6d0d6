"""Reading a table a user uploads (CSV in UTF-8 or GB18030, or Excel .xlsx) into rows of text.

Columns are found by their header, in Chinese or English (see the ``columns`` a caller passes),
so a supplier's or a farm's own spreadsheet works without reordering. Every problem is raised as
a DomainError in the user's language; nothing here writes to the database.
"""

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.errors import DomainError

XLSX_MAGIC = b"PK\x03\x04"

NOT_A_TABLE = _("“{name}” is neither a CSV file nor an Excel workbook (.xlsx). Save it as one of those.")
NOT_TEXT = _("“{name}” is not readable text in UTF-8 or GB18030. Save it as “CSV UTF-8” and try again.")
EMPTY_TABLE = _("“{name}” has no rows under its header.")
MISSING_COLUMNS = _("“{name}” lacks the column(s) {columns}. The first row must name the columns.")
TOO_MANY_ROWS = _("“{name}” has {rows} rows; at most {limit} can be imported at once. Split the file.")
BROKEN_XLSX = _("“{name}” cannot be opened as an Excel workbook; it may be damaged.")


@dataclass
class Table:
    name: str
    rows: list[dict[str, str]]  # each row keyed by our column key; values stripped text
    first_row: int  # the spreadsheet row number of rows[0] (the header is row 1)


def _norm(header) -> str:
    text = unicodedata.normalize("NFKC", str(header or "")).strip().lower()
    return "".join(ch for ch in text if ch.isalnum())


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFKC", str(value)).strip()


def _raw_rows(upload, name: str):
    upload.seek(0)
    data = upload.read()
    if data.startswith(XLSX_MAGIC):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
            raise DomainError(format_lazy(BROKEN_XLSX, name=name), items=[name]) from exc
    if b"\x00" in data[:4096]:
        raise DomainError(format_lazy(NOT_A_TABLE, name=name), items=[name])
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(format_lazy(NOT_TEXT, name=name), items=[name])
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [
        [unicodedata.normalize("NFKC", c).strip() for c in row]
        for row in csv.reader(io.StringIO(text), dialect)
    ]


def read_table(
    upload, *, columns: dict[str, tuple[str, ...]], required: tuple[str, ...], max_rows: int
) -> Table:
    """Read ``upload``; ``columns`` maps our key to the header names accepted for it."""
    name = getattr(upload, "name", "") or "?"
    raw = _raw_rows(upload, name)
    while raw and not any(raw[0]):
        raw.pop(0)
    if not raw:
        raise DomainError(format_lazy(EMPTY_TABLE, name=name), items=[name])
    lookup = {_norm(alias): key for key, aliases in columns.items() for alias in (key, *aliases)}
    index = {}
    for i, header in enumerate(raw[0]):
        key = lookup.get(_norm(header))
        if key and key not in index:
            index[key] = i
    missing = [columns[k][0] if columns[k] else k for k in required if k not in index]
    if missing:
        raise DomainError(
            format_lazy(MISSING_COLUMNS, name=name, columns="、".join(missing)), items=missing, field="file"
        )
    body = raw[1:]
    while body and not any(body[-1]):
        body.pop()
    if not body:
        raise DomainError(format_lazy(EMPTY_TABLE, name=name), items=[name])
    if len(body) > max_rows:
        raise DomainError(format_lazy(TOO_MANY_ROWS, name=name, rows=len(body), limit=max_rows), items=[name])
    rows = [{key: (row[i] if i < len(row) else "") for key, i in index.items()} for row in body]
    return Table(name=name, rows=rows, first_row=2)
