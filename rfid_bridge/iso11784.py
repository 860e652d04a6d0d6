"""ISO 11784 animal codes: the 64-bit word and the normalised 15-digit tag ``CCCNNNNNNNNNNNN``.

The bridge keeps its own small copy of this conversion (it must not import the server's
``livestock.eartags``); a property test checks that both agree. Bit 63 is the most significant
bit of the word as readers print it in full hex::

    bit 63       animal flag (1 = animal tag)
    bits 62..48  reserved, retagging counter, user information, data-block flag (ignored)
    bits 47..38  country or manufacturer code, 10 bits (0-999 valid)
    bits 37..0   national ID, 38 bits

Test vectors: ``999 123456789012`` = ``8000F9DCBE991A14``; ``156 123456789012`` =
``8000271CBE991A14``. Some readers shift the bits in as the air interface sends them, LSB
first, and print the bit-reversed word (``reverse_bits64``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ID_BITS = 38
MAX_COUNTRY = 999
MAX_NATIONAL_ID = (1 << ID_BITS) - 1
_WORD = (1 << 64) - 1
_IGNORED_MASK = 0x7FFF << 48  # bits 62..48
# int() alone would also take "0x", "_", spaces and non-ASCII digits; isdigit() is checked with isascii().
_HEX = re.compile(r"[0-9A-Fa-f]+")


class CodeError(ValueError):
    """A number that is not a valid ISO 11784 code."""


@dataclass(frozen=True, slots=True)
class Code:
    country: int
    national_id: int
    animal: bool = True

    def __post_init__(self):
        if not 0 <= self.country <= MAX_COUNTRY:
            raise CodeError(f"country code {self.country} is not 0-999")
        if not 0 <= self.national_id <= MAX_NATIONAL_ID:
            raise CodeError(f"national ID {self.national_id} does not fit in 38 bits")

    @property
    def tag(self) -> str:
        """The normalised 15 digits: 3-digit country, 12-digit national ID."""
        return f"{self.country:03d}{self.national_id:012d}"

    @property
    def word(self) -> int:
        return int(self.animal) << 63 | self.country << ID_BITS | self.national_id

    def full_hex(self) -> str:
        return f"{self.word:016X}"

    def reversed_hex(self) -> str:
        return f"{reverse_bits64(self.word):016X}"

    def dot_hex(self) -> str:
        return f"{self.country:03X}.{self.national_id:010X}"

    def decimal(self, sep: str = " ") -> str:
        return f"{self.country:03d}{sep}{self.national_id:012d}"


def reverse_bits64(value: int) -> int:
    """The 64-bit word with its bit order reversed (bit 0 <-> bit 63)."""
    if not 0 <= value <= _WORD:
        raise CodeError("not a 64-bit value")
    return int(f"{value:064b}"[::-1], 2)


def from_word(word: int) -> Code:
    """Decode a 64-bit word; the ignored bits are dropped."""
    if not 0 <= word <= _WORD:
        raise CodeError("not a 64-bit value")
    return Code((word >> ID_BITS) & 0x3FF, word & MAX_NATIONAL_ID, bool(word >> 63))


def plausible(word: int) -> bool:
    """A clean animal word: flag set, ignored bits clear, country 0-999."""
    return bool(word >> 63) and not word & _IGNORED_MASK and (word >> ID_BITS) & 0x3FF <= MAX_COUNTRY


def from_decimal(country: str, national_id: str) -> Code:
    """From the decimal country code and national ID as printed (digits only)."""
    if not (country.isascii() and country.isdigit() and national_id.isascii() and national_id.isdigit()):
        raise CodeError("decimal fields must be digits")
    return Code(int(country), int(national_id))


def from_hex_fields(country: str, national_id: str) -> Code:
    """From the hex country code and national ID (dot hex ``3E7.1CBE991A14``)."""
    if not (_HEX.fullmatch(country) and _HEX.fullmatch(national_id)):
        raise CodeError("hex fields must be hex digits")
    return Code(int(country, 16), int(national_id, 16))


def from_hex_word(text: str, reversed_bits: bool = False) -> Code:
    """From 16 hex digits of the word, optionally printed bit-reversed."""
    if not (len(text) == 16 and _HEX.fullmatch(text)):
        raise CodeError("a 64-bit word is 16 hex digits")
    word = int(text, 16)
    return from_word(reverse_bits64(word) if reversed_bits else word)


def from_hex_word_auto(text: str) -> Code:
    """From 16 hex digits, taking the bit-reversed reading only when it alone is a clean animal word."""
    from_hex_word(text)  # raises unless 16 hex digits
    word = int(text, 16)  # with its ignored bits, which plausible() looks at
    backwards = reverse_bits64(word)
    return from_word(backwards if plausible(backwards) and not plausible(word) else word)


def normalise(tag: str) -> str:
    """Check and return a 15-digit tag (raises CodeError)."""
    if len(tag) != 15:
        raise CodeError("a tag has 15 digits")
    return from_decimal(tag[:3], tag[3:]).tag
