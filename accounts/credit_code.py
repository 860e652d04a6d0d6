"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

Eighteen characters: registration authority (1), organisation type (1), the administrative
division code of GB/T 2260 (6), the organisation code of GB 11714 (9) and a check character
computed over the first seventeen. Plain Python, so that imports and tests need no Django.
"""

import re

# GB 32100 leaves out I, O, S, V and Z so that they cannot be misread as digits.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
PATTERN = re.compile(rf"^[{ALPHABET}]{{2}}\d{{6}}[{ALPHABET}]{{10}}$")


class CreditCodeError(ValueError):
    """A code that is not a valid unified social credit code; ``code`` names the reason."""

    def __init__(self, code: str, *, expected: str = ""):
        super().__init__(code)
        self.code = code
        self.expected = expected


def check_character(first17: str) -> str:
    """Return the check character for the first seventeen characters of a code."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(value: str) -> str:
    """Return the code upper-cased with spaces and hyphens removed (as clerks type it)."""
    return re.sub(r"[\s\-]", "", value or "").upper()


def validate(value: str) -> str:
    """Return the normalised code, or raise CreditCodeError saying what is wrong."""
    code = normalise(value)
    if len(code) != 18:
        raise CreditCodeError("length")
    if not PATTERN.match(code):
        raise CreditCodeError("characters")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError("check", expected=expected)
    return code
