"""Translations of livestock.eartags' messages (that module is plain Python and marks nothing).

tests/livestock/test_tag_messages.py checks that every message eartags raises is listed here.
"""

from django.utils.translation import gettext, gettext_noop

from .eartags import TagError

MESSAGES = [
    gettext_noop("A 64-bit hex RFID number has 16 hex digits, not %(n)s."),
    gettext_noop("A decimal RFID number has 15 digits, not %(n)s."),
    gettext_noop("A decimal RFID number has only digits."),
    gettext_noop("A hex RFID number has only the digits 0-9 and A-F."),
    gettext_noop("A national ear-tag code has 15 digits, not %(n)s."),
    gettext_noop("A national ear-tag code has only digits."),
    gettext_noop("A tag number must be given as text."),
    gettext_noop("Country code %(country)s is above 999."),
    gettext_noop("County code %(county)s is not 6 digits."),
    gettext_noop("Dot hex is a hex country code, a dot and a hex ID (3E7.1CBE991A14)."),
    gettext_noop("National ID %(id)s does not fit in 38 bits."),
    gettext_noop("No tag number given."),
    gettext_noop("Not a 64-bit value."),
    gettext_noop("Serial %(serial)s is not 8 digits."),
    gettext_noop("Species digit %(species)s is not 1, 2 or 3."),
    gettext_noop("The tag number is too long."),
    gettext_noop("Unknown county code %(county)s."),
]


def tag_error_text(error: TagError) -> str:
    """The error in the active language."""
    text = gettext(error.message)
    return text % error.params if error.params else text
