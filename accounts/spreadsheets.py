"""What every spreadsheet or CSV file we write does to its cells: no formula from stored text.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
some spreadsheets skip before looking) is run as a formula when the file is opened: a farm named
``=HYPERLINK("http://…", "Click")`` or ``=cmd|' /C calc'!A0`` would act on the inspector's
computer. Such text gets a leading apostrophe, as OWASP recommends ("CSV Injection"): shown, it
reads as the text; it is never evaluated. Numbers, dates and booleans are left alone (a negative
number stored as a number is no formula). openpyxl would even write such text as a formula of
the workbook itself, so the .xlsx exports need this as much as the CSV files.

Every export goes through ``safe_cell`` (or ``safe_row``); tests/test_exports.py checks each one.
"""

import datetime as dt
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN = (int, float, Decimal, dt.date, dt.datetime, dt.time, dt.timedelta, type(None))


def safe_cell(value):
    """Return ``value`` for a spreadsheet cell: text that a spreadsheet would run gets a ``'`` first."""
    if isinstance(value, _PLAIN):  # bool is an int
        return value
    text = str(value)  # lazy translations and other objects are written as their text
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values) -> list:
    """Return a row of values, each made safe by ``safe_cell``."""
    return [safe_cell(value) for value in values]
