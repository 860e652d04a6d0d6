"""The one ISO 11784 codec (rfid_bridge.iso11784), which the bridge and the server both use."""

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livestock import eartags
from livestock.tag_messages import MESSAGES
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
    assert code.format_full_hex() == full_hex
    assert code.tag == f"{country}{national_id:012d}"
    assert iso11784.from_hex_word(full_hex) == code
    assert iso11784.from_hex_word(code.format_reversed_hex(), reversed_bits=True) == code
    assert iso11784.from_hex_word_auto(code.format_reversed_hex()) == code
    assert iso11784.from_hex_fields(*code.format_dot_hex().split(".")) == code
    assert iso11784.parse(code.tag) == iso11784.parse(full_hex) == iso11784.from_tag(code.tag) == code


def test_bit_layout():
    assert Code(999, 123456789012).word == 1 << 63 | 999 << 38 | 123456789012
    assert iso11784.from_hex_word("0000000000000001") == Code(0, 1, animal=False)
    # Ignored bits (reserved, retagging counter, data-block flag) are dropped.
    assert iso11784.from_hex_word("8001F9DCBE991A14") == Code(999, 123456789012)


@pytest.mark.parametrize(
    "call, reason",
    [
        (lambda: Code(1000, 1), "country"),
        (lambda: Code(1, iso11784.MAX_NATIONAL_ID + 1), "range"),
        (lambda: iso11784.from_decimal("1５6", "000000000001"), "digits"),
        (lambda: iso11784.from_decimal("156", "999999999999"), "range"),
        (lambda: iso11784.from_hex_word("0x00F9DCBE991A14"), "hex"),
        (lambda: iso11784.from_hex_word("8000_9DCBE991A14"), "hex"),
        (lambda: iso11784.from_hex_word("8000F9DCBE991A1"), "length"),
        (lambda: iso11784.from_hex_fields("3E7", " 1CBE991A14"), "hex"),
        (lambda: iso11784.from_hex_word("FFFFFFFFFFFFFFFF"), "country"),  # country 1023
        (lambda: iso11784.from_tag("15600012345678"), "length"),
        (lambda: iso11784.parse("3E71CBE991A14", form="dot_hex"), "hex"),
        (lambda: iso11784.reverse_bits64(1 << 64), "range"),
    ],
)
def test_invalid(call, reason):
    with pytest.raises(CodeError) as error:
        call()
    assert error.value.code == reason
    assert str(error.value)  # the English text, for the bridge's logs


def test_the_server_uses_this_codec():
    """livestock.eartags has no ISO 11784 code of its own: its RfidCode and TagError are these."""
    assert eartags.RfidCode is Code and eartags.TagError is CodeError
    assert eartags.parse_rfid(" 999-1234 5678 9012 ") == Code(999, 123456789012)  # as a clerk types it
    source = Path(eartags.__file__).read_text()
    assert "<< 63" not in source and "064b" not in source


def test_every_message_can_be_translated():
    """The server shows these errors to clerks: each is listed in livestock/tag_messages.py."""
    source = Path(iso11784.__file__).read_text()
    raised = set(re.findall(r'CodeError\(\s*"[^"]+",\s*"([^"]+)"', source))
    assert len(raised) >= 7 and raised <= set(MESSAGES)


@given(countries, national_ids, st.booleans())
def test_every_form_round_trips(country, national_id, animal):
    code = Code(country, national_id, animal)
    assert iso11784.parse(code.format_full_hex(), "full_hex") == code
    assert iso11784.parse(code.format_reversed_hex(), "reversed_hex") == code
    assert Code.from_word(iso11784.reverse_bits64(iso11784.reverse_bits64(code.word))) == code
    plain = Code(country, national_id)  # decimal and dot hex carry no animal flag
    for text in (plain.format_decimal(""), plain.format_dot_hex(), plain.format_dot_hex().lower()):
        assert iso11784.parse(text) == plain
    assert iso11784.normalise(plain.tag) == plain.tag


@given(st.integers(0, (1 << 64) - 1))
def test_any_word_decodes_or_says_why(word):
    text = f"{word:016X}"
    try:
        code = iso11784.from_hex_word_auto(text)
    except CodeError as error:
        assert error.code == "country"  # the only way 16 hex digits fail: a code above 999
        return
    clean = ~(0x7FFF << 48)  # without the ignored bits
    assert code.word in (word & clean, iso11784.reverse_bits64(word) & clean)
