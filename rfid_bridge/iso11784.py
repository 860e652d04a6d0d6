"""ISO 11784 animal codes: THE codec of the project, for the bridge and the server alike.

Standard library only, no Django: the bridge runs it on the site computer, and the server imports
it (through ``livestock.eartags``, which adds the national ear-tag code and the clean-up of what
clerks type). Besides ``rfid_bridge.protocol`` it is the one module of the bridge the server uses.

The 64-bit word, bit 63 the most significant, as readers print it in full hex (reader-lines.md);
worked out from the test vectors ``999 123456789012 = 8000F9DCBE991A14`` and
``156 123456789012 = 8000271CBE991A14``::

    bit 63       animal flag (1 = animal tag)
    bits 62..49  reserved / retagging counter / user information (ignored)
    bit 48       data-block flag (ignored)
    bits 47..38  country or manufacturer code, 10 bits (156 China, 900-998 makers, 999 test)
    bits 37..0   national ID, 38 bits

i.e. word = animal << 63 | country << 38 | national_id. (In the standard's own numbering, bit 1
first, the country is bits 17-26 and the ID bits 27-64.) The air interface sends the word LSB
first, so a reader that shifts bits in as they arrive prints the bit-reversed word
(:func:`reverse_bits64`). Ignored bits are dropped on parse, so a code's identity is (country,
national ID, animal flag). The decimal and dot-hex forms carry no animal flag and parse as animal
tags. The normalised tag, as the bridge sends it and the server stores it, is the 15 digits
``CCCNNNNNNNNNNNN`` (:attr:`Code.tag`).

Every error is a :class:`CodeError` whose ``code`` is a short machine reason and whose ``message``
is an English message id with ``%(name)s`` placeholders filled from ``params``: the server
translates it (livestock/tag_messages.py lists every one); ``str(error)`` is the English text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHINA = 156
MAX_COUNTRY = 999
ID_BITS = 38
MAX_NATIONAL_ID = (1 << ID_BITS) - 1
FORMS = ("decimal", "dot_hex", "full_hex", "reversed_hex")
_WORD = (1 << 64) - 1
_IGNORED_MASK = 0x7FFF << 48  # bits 62..48
# ASCII only: int() alone would also take "0x", "_", spaces and other scripts' digits.
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(r"[0-9A-Fa-f]+")


class CodeError(ValueError):
    """Not a valid ISO 11784 code: ``code`` is the reason, ``message`` an English message id."""

    def __init__(self, code: str, message: str, **params):
        self.code, self.message, self.params = code, message, params
        super().__init__(message % params if params else message)


@dataclass(frozen=True, slots=True)
class Code:
    """An ISO 11784 code: country (or manufacturer) code, national ID, animal flag."""

    country: int
    national_id: int
    animal: bool = True

    def __post_init__(self):
        if not (isinstance(self.country, int) and 0 <= self.country <= MAX_COUNTRY):
            raise CodeError("country", "Country code %(country)s is above 999.", country=self.country)
        if not (isinstance(self.national_id, int) and 0 <= self.national_id <= MAX_NATIONAL_ID):
            raise CodeError("range", "National ID %(id)s does not fit in 38 bits.", id=self.national_id)

    @property
    def tag(self) -> str:
        """The normalised 15 digits: 3-digit country, 12-digit national ID."""
        return f"{self.country:03d}{self.national_id:012d}"

    @property
    def word(self) -> int:
        """The 64-bit word (ignored bits zero)."""
        return int(self.animal) << 63 | self.country << ID_BITS | self.national_id

    @classmethod
    def from_word(cls, word: int) -> Code:
        """Decode a 64-bit word; the ignored bits are dropped."""
        if not 0 <= word <= _WORD:
            raise CodeError("range", "Not a 64-bit value.")
        return cls((word >> ID_BITS) & 0x3FF, word & MAX_NATIONAL_ID, bool(word >> 63))

    def format_decimal(self, sep: str = " ") -> str:
        """``999 123456789012``; ``sep=""`` gives the 15 digits readers print."""
        return f"{self.country:03d}{sep}{self.national_id:012d}"

    def format_dot_hex(self) -> str:
        return f"{self.country:03X}.{self.national_id:010X}"

    def format_full_hex(self) -> str:
        return f"{self.word:016X}"

    def format_reversed_hex(self) -> str:
        return f"{reverse_bits64(self.word):016X}"

    def __str__(self) -> str:
        return self.format_decimal()


def reverse_bits64(value: int) -> int:
    """The 64-bit word with its bit order reversed (bit 0 <-> bit 63)."""
    if not 0 <= value <= _WORD:
        raise CodeError("range", "Not a 64-bit value.")
    return int(f"{value:064b}"[::-1], 2)


def plausible(word: int) -> bool:
    """A clean animal word: flag set, ignored bits clear, country 0-999."""
    return bool(word >> 63) and not word & _IGNORED_MASK and (word >> ID_BITS) & 0x3FF <= MAX_COUNTRY


# --- the printed forms -----------------------------------------------------------------------


def from_decimal(country: str, national_id: str) -> Code:
    """From the decimal country code and national ID as printed (ASCII digits only)."""
    if not (_DIGITS.fullmatch(country) and _DIGITS.fullmatch(national_id)):
        raise CodeError("digits", "A decimal RFID number has only digits.")
    return Code(int(country), int(national_id))


def from_hex_fields(country: str, national_id: str) -> Code:
    """From the hex country code and national ID (dot hex ``3E7.1CBE991A14``)."""
    if not (_HEX.fullmatch(country) and _HEX.fullmatch(national_id)):
        raise CodeError("hex", "Dot hex is a hex country code, a dot and a hex ID (3E7.1CBE991A14).")
    return Code(int(country, 16), int(national_id, 16))


def _hex_word(text: str) -> int:
    if not _HEX.fullmatch(text):
        raise CodeError("hex", "A hex RFID number has only the digits 0-9 and A-F.")
    if len(text) != 16:
        raise CodeError("length", "A 64-bit hex RFID number has 16 hex digits, not %(n)s.", n=len(text))
    return int(text, 16)


def from_hex_word(text: str, reversed_bits: bool = False) -> Code:
    """From 16 hex digits of the word, optionally printed bit-reversed."""
    word = _hex_word(text)
    return Code.from_word(reverse_bits64(word) if reversed_bits else word)


def from_hex_word_auto(text: str) -> Code:
    """From 16 hex digits: the bit-reversed reading only when it alone is a clean animal word."""
    word = _hex_word(text)  # with its ignored bits, which plausible() looks at
    backwards = reverse_bits64(word)
    return Code.from_word(backwards if plausible(backwards) and not plausible(word) else word)


def from_tag(tag: str) -> Code:
    """From the normalised 15 digits ``CCCNNNNNNNNNNNN``."""
    if not _DIGITS.fullmatch(tag):
        raise CodeError("digits", "A decimal RFID number has only digits.")
    if len(tag) != 15:
        raise CodeError("length", "A decimal RFID number has 15 digits, not %(n)s.", n=len(tag))
    return from_decimal(tag[:3], tag[3:])


def parse(text: str, form: str | None = None) -> Code:
    """A code in any printed form, or only in ``form`` (see FORMS), from text without separators.

    Auto-detection: a dot means dot hex; digits other than 16 of them are decimal; 16 hex digits
    are the full word, unless only the bit-reversed reading is a clean animal word (flag set,
    ignored bits clear, country <= 999). Pass ``form`` where a reader is known to print one form.
    """
    if form is not None and form not in FORMS:
        raise ValueError(f"unknown RFID form {form!r}")
    if form is None:
        if "." in text:
            form = "dot_hex"
        elif _DIGITS.fullmatch(text) and len(text) != 16:
            form = "decimal"  # 15 digits, or digits of a wrong length: report as decimal
        else:
            return from_hex_word_auto(text)
    if form == "decimal":
        return from_tag(text)
    if form == "dot_hex":
        country, dot, national_id = text.partition(".")
        if not dot:
            raise CodeError("hex", "Dot hex is a hex country code, a dot and a hex ID (3E7.1CBE991A14).")
        return from_hex_fields(country, national_id)
    return from_hex_word(text, reversed_bits=form == "reversed_hex")


def normalise(tag: str) -> str:
    """Check and return a 15-digit tag (raises CodeError)."""
    return from_tag(tag).tag
