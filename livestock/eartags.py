"""Ear-tag codes: the national 15-digit code (畜禽标识) and ISO 11784/11785 RFID numbers.

Plain Python, no Django. Every parser raises only :class:`TagError` on bad input; its ``code`` is a
short machine reason and its ``message`` an English message id (``%(name)s`` placeholders filled
from ``params``) for the caller to translate.

National code ``S CCCCCC NNNNNNNN``: species (1 pig, 2 cattle, 3 sheep/goat), GB/T 2260 county code,
8-digit serial, no check digit. The county is checked by an injected ``county_exists(code) -> bool``;
the default asks ``farms.regions.county`` (imported on first use).

ISO 11784 64-bit word, bit 63 the most significant, as printed in full hex (reader-lines.md);
worked out from the test vectors ``999 123456789012 = 8000F9DCBE991A14`` and
``156 123456789012 = 8000271CBE991A14``::

    bit 63       animal flag (1 = animal tag)
    bits 62..49  reserved / retagging counter / user information (ignored here)
    bit 48       data-block flag (ignored here)
    bits 47..38  country or manufacturer code, 10 bits (156 China, 900-998 makers, 999 test)
    bits 37..0   national ID, 38 bits

i.e. word = animal << 63 | country << 38 | national_id: 0x8000F9DCBE991A14 = 1<<63 | 0x3E7<<38 |
0x1CBE991A14. (In the standard's own numbering, bit 1 first, the country is bits 17-26 and the ID
bits 27-64.) The air interface sends the word LSB first, so a reader that shifts bits in as they
arrive prints the bit-reversed word: :func:`reverse_bits64`. Ignored bits are dropped on parse,
so a code's identity is (country, national ID, animal flag). The decimal and dot-hex forms carry
no animal flag and parse as animal tags.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

SPECIES = {1: "pig", 2: "cattle", 3: "sheep/goat"}
CHINA = 156
MAX_COUNTRY = 999
ID_BITS = 38
MAX_NATIONAL_ID = (1 << ID_BITS) - 1
RFID_FORMS = ("decimal", "dot_hex", "full_hex", "reversed_hex")
_MAX_INPUT = 64  # longer input is refused before any conversion

# Clerks type on Chinese input methods: full-width ASCII (U+FF01-FF5E) and the ideographic space.
_FULLWIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20}
_SEPARATORS = re.compile(r"[\s\-]+")
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(r"[0-9A-F]+")


class TagError(ValueError):
    """A malformed or unknown tag code: ``code`` is the reason, ``message`` an English message id."""

    def __init__(self, code: str, message: str, **params):
        self.code, self.message, self.params = code, message, params
        super().__init__(message % params if params else message)


def _clean(text) -> str:
    """Upper-case ASCII text without separators; raises TagError('empty'/'length')."""
    if not isinstance(text, str):
        raise TagError("empty" if text is None else "digits", "A tag number must be given as text.")
    compact = _SEPARATORS.sub("", text.translate(_FULLWIDTH))
    compact = compact.upper() if compact.isascii() else compact  # "ﬀ".upper() would be "FF"
    if not compact:
        raise TagError("empty", "No tag number given.")
    if len(compact) > _MAX_INPUT:
        raise TagError("length", "The tag number is too long.")
    return compact


# --- national code ---------------------------------------------------------------------------


@lru_cache(maxsize=8192)  # a herd list repeats its few counties 100,000 times
def _default_county_exists(code: str) -> bool:
    from farms import regions  # livestock sits above farms; imported lazily to keep this module light

    return regions.county(code) is not None


@dataclass(frozen=True)
class NationalCode:
    species: int
    county: str
    serial: int

    def __post_init__(self):
        if self.species not in SPECIES:
            raise TagError("species", "Species digit %(species)s is not 1, 2 or 3.", species=self.species)
        if not (isinstance(self.county, str) and len(self.county) == 6 and _DIGITS.fullmatch(self.county)):
            raise TagError("county", "County code %(county)s is not 6 digits.", county=self.county)
        if not (isinstance(self.serial, int) and 0 <= self.serial < 10**8):
            raise TagError("serial", "Serial %(serial)s is not 8 digits.", serial=self.serial)

    def format(self) -> str:
        """The canonical 15 digits, e.g. ``144132200000123``."""
        return f"{self.species}{self.county}{self.serial:08d}"

    def display(self) -> str:
        """Spaced for reading, e.g. ``1 441322 00000123``."""
        return f"{self.species} {self.county} {self.serial:08d}"

    @property
    def species_name(self) -> str:
        return SPECIES[self.species]

    def __str__(self) -> str:
        return self.format()


def parse_national(text: str, county_exists: Callable[[str], bool] | None = None) -> NationalCode:
    """Parse a national code as typed (spaces and hyphens allowed); check the county exists."""
    compact = _clean(text)
    if not _DIGITS.fullmatch(compact):
        raise TagError("digits", "A national ear-tag code has only digits.")
    if len(compact) != 15:
        raise TagError("length", "A national ear-tag code has 15 digits, not %(n)s.", n=len(compact))
    code = NationalCode(int(compact[0]), compact[1:7], int(compact[7:]))
    if not (county_exists or _default_county_exists)(code.county):
        raise TagError("county", "Unknown county code %(county)s.", county=code.county)
    return code


# --- ISO 11784 RFID --------------------------------------------------------------------------


def reverse_bits64(value: int) -> int:
    """The 64-bit word with its bit order reversed (bit 0 <-> bit 63)."""
    if not 0 <= value < 1 << 64:
        raise TagError("range", "Not a 64-bit value.")
    return int(f"{value:064b}"[::-1], 2)


@dataclass(frozen=True)
class RfidCode:
    country: int
    national_id: int
    animal: bool = True

    def __post_init__(self):
        if not (isinstance(self.country, int) and 0 <= self.country <= MAX_COUNTRY):
            raise TagError("country", "Country code %(country)s is above 999.", country=self.country)
        if not (isinstance(self.national_id, int) and 0 <= self.national_id <= MAX_NATIONAL_ID):
            raise TagError("range", "National ID %(id)s does not fit in 38 bits.", id=self.national_id)

    @property
    def word(self) -> int:
        """The 64-bit ISO 11784 word (ignored bits zero)."""
        return int(self.animal) << 63 | self.country << ID_BITS | self.national_id

    @classmethod
    def from_word(cls, word: int) -> RfidCode:
        if not 0 <= word < 1 << 64:
            raise TagError("range", "Not a 64-bit value.")
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


def _plausible(word: int) -> bool:
    """A clean animal word: flag set, ignored bits clear, country within range."""
    return bool(word >> 63) and not (word >> 48) & 0x7FFF and (word >> ID_BITS) & 0x3FF <= MAX_COUNTRY


def _parse_decimal(compact: str) -> RfidCode:
    if not _DIGITS.fullmatch(compact):
        raise TagError("digits", "A decimal RFID number has only digits.")
    if len(compact) != 15:
        raise TagError("length", "A decimal RFID number has 15 digits, not %(n)s.", n=len(compact))
    return RfidCode(int(compact[:3]), int(compact[3:]))


def _parse_dot_hex(compact: str) -> RfidCode:
    country, dot, national_id = compact.partition(".")
    if not (dot and _HEX.fullmatch(country) and _HEX.fullmatch(national_id)):
        raise TagError("hex", "Dot hex is a hex country code, a dot and a hex ID (3E7.1CBE991A14).")
    return RfidCode(int(country, 16), int(national_id, 16))


def _hex_word(compact: str) -> int:
    if not _HEX.fullmatch(compact):
        raise TagError("hex", "A hex RFID number has only the digits 0-9 and A-F.")
    if len(compact) != 16:
        raise TagError("length", "A 64-bit hex RFID number has 16 hex digits, not %(n)s.", n=len(compact))
    return int(compact, 16)


def parse_rfid(text: str, form: str | None = None) -> RfidCode:
    """Parse an RFID number in any form of reader-lines.md, or only in ``form`` (see RFID_FORMS).

    Auto-detection: a dot means dot hex; 15 digits are decimal; 16 hex digits are the full word,
    unless only the bit-reversed reading is a clean animal word (flag set, ignored bits clear,
    country <= 999). Pass ``form`` where a reader is known to print one form.
    """
    if form is not None and form not in RFID_FORMS:
        raise ValueError(f"unknown RFID form {form!r}")
    compact = _clean(text)
    if form is None:
        if "." in compact:
            form = "dot_hex"
        elif _DIGITS.fullmatch(compact) and len(compact) != 16:
            form = "decimal"  # 15 digits, or digits of a wrong length: report as decimal
        else:
            word = _hex_word(compact)
            rev = reverse_bits64(word)
            return RfidCode.from_word(rev if _plausible(rev) and not _plausible(word) else word)
    if form == "decimal":
        return _parse_decimal(compact)
    if form == "dot_hex":
        return _parse_dot_hex(compact)
    word = _hex_word(compact)
    return RfidCode.from_word(word if form == "full_hex" else reverse_bits64(word))


# --- either ----------------------------------------------------------------------------------


def parse_any(text: str, county_exists: Callable[[str], bool] | None = None) -> NationalCode | RfidCode:
    """A national code or an RFID number, whichever the text is.

    Only 15 plain digits are ambiguous: a national code starts with its species 1-3, a decimal
    RFID with its 3-digit country code. The animals here come from the mainland, so their RFID
    country is 156 (China) or a manufacturer code 900-998 (999 on test tags). A national code
    can never start with 156: it would put the county in "province" 56, which GB/T 2260 does not
    have. So 15 digits starting 1-3 other than 156 are a national code (an unknown county is
    refused as such, rather than silently read as the RFID of some foreign country 100-399), and
    everything else, 156 included, is an RFID number. Use parse_rfid() for a foreign tag whose
    country code is 100-399.
    """
    compact = _clean(text)
    national = compact[0] in "123" and not compact.startswith(str(CHINA))
    if national and len(compact) == 15 and _DIGITS.fullmatch(compact):
        return parse_national(compact, county_exists)
    return parse_rfid(compact)
