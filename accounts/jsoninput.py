"""The one parser for JSON that comes from outside: the bridge API, the farm layout, any later API.

Python's ``json.loads`` accepts more than JSON and more than we can keep:

- ``NaN``, ``Infinity`` and ``-Infinity`` (not JSON at all), and numbers such as ``1e999`` that
  become an infinite float; PostgreSQL's ``jsonb`` refuses them, so they would fail at the save;
- any depth of nesting, until the interpreter's recursion limit stops it with a RecursionError
  (a 500, not a ValueError) — and ``json.dumps`` of something just under that limit fails later;
- a NUL character or an unpaired surrogate (``"\\u0000"``, ``"\\ud800"``), which PostgreSQL cannot
  store in text or ``jsonb``; bytes that are not UTF-8 are decoded with ``surrogatepass``.

``loads`` refuses all of these with ``JSONInputError`` (a ValueError) whose ``message`` says what
is wrong in the user's language; ``reason`` is the same in English for machines (the bridge API
answers it as JSON). It is the standard library parser with its hooks, plus two scans of the text
in C (regular expressions): one for the nesting depth, one for the escapes of NUL and surrogates.
"""

import json
import math
import re
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

MAX_DEPTH = 32  # nothing we take nests deeper than 5 levels; GeoJSON polygons need 4

NOT_UTF8 = _("The data is not UTF-8 text.")
NOT_JSON = _("The data is not valid JSON ({detail}).")
TOO_DEEP = _("The data is nested more than {depth} levels deep.")
NOT_FINITE = _("The data holds a number that is not finite (NaN, Infinity or too large).")
BAD_CHARACTER = _("The data holds a NUL character or an unpaired surrogate, which cannot be stored.")

# The depth is measured without recursion and mostly in C: drop the escapes, keep only brackets
# and quotes, drop the strings, then remove the innermost arrays and objects once per level.
_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRUCTURE = str.maketrans("", "", "".join(chr(c) for c in range(128) if chr(c) not in '[]{}"'))
_STRING = re.compile(r'"[^"]*"')
_INNERMOST = re.compile(r"\[[^\[\]{}]*\]|\{[^\[\]{}]*\}")
# An escape of NUL or of a surrogate (or an escaped backslash before such text: then the exact
# check finds nothing).
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


class JSONInputError(ValueError):
    """JSON refused by ``loads``: ``message`` for people (lazy, translated), ``reason`` for machines."""

    def __init__(self, message):
        self.message = message
        with override("en"):
            self.reason = str(message)
        super().__init__(self.reason)

    def __str__(self):
        return str(self.message)


def _refuse_constant(name: str):
    raise JSONInputError(NOT_FINITE)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONInputError(NOT_FINITE)
    return value


def depth(text: str) -> int:
    """How deeply the arrays and objects of a JSON text nest (0 for a bare value); cut at MAX_DEPTH+1."""
    # Most strings hold no bracket: dropping their empty remains first spares the regex.
    structure = _ESCAPE.sub("", text).translate(_STRUCTURE).replace('""', "")
    structure = _STRING.sub("", structure)
    levels = 0
    while levels <= MAX_DEPTH:
        structure, found = _INNERMOST.subn("", structure)
        if not found:
            break
        levels += 1
    return levels


def has_unstorable_text(value) -> bool:
    """True when a string anywhere in ``value`` holds NUL or an unpaired surrogate."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(has_unstorable_text(k) or has_unstorable_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_unstorable_text(v) for v in value)
    return False


def loads(data: str | bytes | bytearray, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON from outside, refusing what we cannot keep (see the module doc)."""
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONInputError(NOT_UTF8) from exc
    else:
        text = data
    if depth(text) > max_depth:
        raise JSONInputError(format_lazy(TOO_DEEP, depth=max_depth))
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except JSONInputError:
        raise
    except RecursionError as exc:  # only if max_depth was set beyond what the interpreter allows
        raise JSONInputError(format_lazy(TOO_DEEP, depth=max_depth)) from exc
    except ValueError as exc:  # JSONDecodeError; an integer of more than 4,300 digits
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "number too long"
        raise JSONInputError(format_lazy(NOT_JSON, detail=detail)) from exc
    # A raw control character is already refused by the parser; only escapes can bring these in.
    if _SUSPECT_ESCAPE.search(text) and has_unstorable_text(value):
        raise JSONInputError(BAD_CHARACTER)
    return value
