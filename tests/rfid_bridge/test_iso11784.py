"""The bridge's own ISO 11784 conversion, checked against the server's livestock.eartags."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livestock import eartags
from rfid_bridge import iso11784
from rfid_bridge.iso11784 import Code, CodeError

countries = st.integers(0, iso11784.MAX_COUNTRY)
national_ids = st.integers(0, iso11784.MAX_NATIONAL_ID)


@pytest.mark.parametrize(
    "country, national_id, full_hex",
    [(999, 123456789012, "8000F9DCBE991A14"), (156, 123456789012, "8000271CBE991A14")],
)
def test_vectors(country, national_id, full_hex):
    code = Code(country, national_id)
    assert code.full_hex() == full_hex
    assert code.tag == f"{country}{national_id:012d}"
    assert iso11784.from_hex_word(full_hex) == code
    assert iso11784.from_hex_word(code.reversed_hex(), reversed_bits=True) == code
    assert iso11784.from_hex_word_auto(code.reversed_hex()) == code
    assert iso11784.from_hex_fields(*code.dot_hex().split(".")) == code


def test_bit_layout():
    assert Code(999, 123456789012).word == 1 << 63 | 999 << 38 | 123456789012
    assert iso11784.from_hex_word("0000000000000001") == Code(0, 1, animal=False)
    # Ignored bits (reserved, retagging counter, data-block flag) are dropped.
    assert iso11784.from_hex_word("8001F9DCBE991A14") == Code(999, 123456789012)


@pytest.mark.parametrize(
    "call",
    [
        lambda: Code(1000, 1),
        lambda: Code(1, iso11784.MAX_NATIONAL_ID + 1),
        lambda: iso11784.from_decimal("1５6", "000000000001"),
        lambda: iso11784.from_decimal("156", "999999999999"),
        lambda: iso11784.from_hex_word("0x00F9DCBE991A14"),
        lambda: iso11784.from_hex_word("8000_9DCBE991A14"),
        lambda: iso11784.from_hex_word("8000F9DCBE991A1"),
        lambda: iso11784.from_hex_fields("3E7", " 1CBE991A14"),
        lambda: iso11784.from_hex_word("FFFFFFFFFFFFFFFF"),  # country 1023
    ],
)
def test_invalid(call):
    with pytest.raises(CodeError):
        call()


@given(countries, national_ids, st.booleans())
def test_same_as_livestock_eartags(country, national_id, animal):
    ours = Code(country, national_id, animal)
    theirs = eartags.RfidCode(country, national_id, animal)
    assert ours.full_hex() == theirs.format_full_hex()
    assert ours.reversed_hex() == theirs.format_reversed_hex()
    assert ours.dot_hex() == theirs.format_dot_hex()
    assert ours.decimal() == theirs.format_decimal()
    assert ours.tag == theirs.format_decimal("")
    for form in ("full_hex", "reversed_hex", "dot_hex"):
        text = getattr(theirs, f"format_{form}")()
        parsed = eartags.parse_rfid(text, form)
        assert (parsed.country, parsed.national_id) == (country, national_id)
    assert iso11784.from_hex_word(theirs.format_full_hex()) == ours
    assert iso11784.from_hex_word(theirs.format_reversed_hex(), reversed_bits=True) == ours


@given(st.integers(0, (1 << 64) - 1))
def test_any_word_decodes_like_livestock_eartags(word):
    text = f"{word:016X}"
    try:
        theirs = eartags.parse_rfid(text)
    except eartags.TagError:
        theirs = None
    try:
        ours = iso11784.from_hex_word_auto(text)
    except CodeError:
        ours = None
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert (ours.country, ours.national_id, ours.animal) == (
            theirs.country,
            theirs.national_id,
            theirs.animal,
        )
    assert iso11784.reverse_bits64(word) == eartags.reverse_bits64(word)
