"""Ear-tag codes: the national 15-digit code (畜禽标识) and ISO 11784/11785 RFID numbers.

Plain Python, no Django. Every parser raises only :class:`TagError` on bad input; its ``code`` is a
short machine reason and its ``message`` an English message id (``%(name)s`` placeholders filled
from ``params``) for the caller to translate (livestock/tag_messages.py).

National code ``S CCCCCC NNNNNNNN``: species (1 pig, 2 cattle, 3 sheep/goat), GB/T 2260 county code,
8-digit serial, no check digit. The county is checked by an injected ``county_exists(code) -> bool``;
the default asks ``farms.regions.county`` (imported on first use).

ISO 11784 RFID numbers are not coded here: the one codec of the project is
``rfid_bridge.iso11784`` (standard library only), which the bridge on the site computer uses too,
so a tag is read the same way at the reader and on the server. ``RfidCode`` is its ``Code`` and
``TagError`` its ``CodeError``; this module adds what clerks type (full-width characters, spaces,
hyphens) and telling a national code from an RFID number (:func:`parse_any`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rfid_bridge import iso11784
from rfid_bridge.iso11784 import CHINA, ID_BITS, MAX_COUNTRY, MAX_NATIONAL_ID, reverse_bits64  # noqa: F401

# One codec: an RFID code here is the bridge's, and so are its errors (see the module doc).
RfidCode = iso11784.Code
TagError = iso11784.CodeError
_plausible = iso11784.plausible
RFID_FORMS = iso11784.FORMS

SPECIES = {1: "pig", 2: "cattle", 3: "sheep/goat"}
_MAX_INPUT = 64  # longer input is refused before any conversion

# Clerks type on Chinese input methods: full-width ASCII (U+FF01-FF5E) and the ideographic space.
_FULLWIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20}
_SEPARATORS = re.compile(r"[\s\-]+")
_DIGITS = re.compile(r"[0-9]+")


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
    return _national(_clean(text), county_exists)


def _national(compact: str, county_exists: Callable[[str], bool] | None) -> NationalCode:
    """``parse_national`` of text already cleaned (parse_any's cells are cleaned once)."""
    if not _DIGITS.fullmatch(compact):
        raise TagError("digits", "A national ear-tag code has only digits.")
    if len(compact) != 15:
        raise TagError("length", "A national ear-tag code has 15 digits, not %(n)s.", n=len(compact))
    code = NationalCode(int(compact[0]), compact[1:7], int(compact[7:]))
    if not (county_exists or _default_county_exists)(code.county):
        raise TagError("county", "Unknown county code %(county)s.", county=code.county)
    return code


# --- ISO 11784 RFID (the codec is rfid_bridge.iso11784) ---------------------------------------


def parse_rfid(text: str, form: str | None = None) -> RfidCode:
    """Parse an RFID number as typed, in any form of reader-lines.md, or only in ``form``.

    See rfid_bridge.iso11784.parse for the auto-detection; pass ``form`` (one of RFID_FORMS) where
    a reader is known to print one form.
    """
    if form is not None and form not in RFID_FORMS:
        raise ValueError(f"unknown RFID form {form!r}")
    return iso11784.parse(_clean(text), form)


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
    # The common case, a cell of 15 plain ASCII digits, needs none of the cleaning (a herd list
    # has 100,000 of them: make bench, animal_import_100k_s).
    if isinstance(text, str) and len(text) == 15 and text.isascii() and text.isdigit():
        compact = text
    else:
        compact = _clean(text)
    national = compact[0] in "123" and not compact.startswith(str(CHINA))
    if national and len(compact) == 15 and _DIGITS.fullmatch(compact):
        return _national(compact, county_exists)
    return parse_rfid(compact)
