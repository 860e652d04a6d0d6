"""Ear-tag codes: national 15-digit codes and ISO 11784 RFID numbers (no database)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from farms import regions
from livestock.eartags import (
    MAX_NATIONAL_ID,
    NationalCode,
    RfidCode,
    TagError,
    _plausible,
    parse_any,
    parse_national,
    parse_rfid,
    reverse_bits64,
)

COUNTIES = {"441322", "430102", "500112"}  # stub table for most tests


def stub(code):
    return code in COUNTIES


def error_code(func, *args, **kwargs):
    with pytest.raises(TagError) as exc:
        func(*args, **kwargs)
    assert str(exc.value)  # an English message, placeholders filled
    return exc.value.code


# --- test vectors (reader-lines.md) ----------------------------------------------------------


@pytest.mark.parametrize(
    "decimal, full_hex, dot_hex",
    [
        ("999 123456789012", "8000F9DCBE991A14", "3E7.1CBE991A14"),
        ("156 123456789012", "8000271CBE991A14", "09C.1CBE991A14"),
    ],
)
def test_vectors(decimal, full_hex, dot_hex):
    code = parse_rfid(decimal)
    assert code == RfidCode(int(decimal[:3]), 123456789012)
    assert code.format_full_hex() == full_hex
    assert code.format_dot_hex() == dot_hex
    assert code.format_decimal() == decimal
    assert code.format_decimal("") == decimal.replace(" ", "")
    for form in (decimal.replace(" ", ""), full_hex, full_hex.lower(), dot_hex, code.format_reversed_hex()):
        assert parse_rfid(form) == code
        assert parse_any(form, stub) == code


def test_bit_layout():
    assert RfidCode(999, 123456789012).word == 1 << 63 | 999 << 38 | 123456789012
    assert RfidCode(0, 1, animal=False).format_full_hex() == "0000000000000001"
    assert RfidCode(1, 0, animal=False).format_full_hex() == "0000004000000000"


def test_reverse_bits64():
    assert reverse_bits64(1) == 1 << 63
    assert reverse_bits64(0x8000F9DCBE991A14) == 0x2858997D3B9F0001
    assert RfidCode(999, 123456789012).format_reversed_hex() == "2858997D3B9F0001"
    assert error_code(reverse_bits64, 1 << 64) == "range"


def test_ignored_bits_are_dropped():
    # data-block flag (bit 48) and reserved bits 49-62 do not change the identity
    assert parse_rfid("8001F9DCBE991A14") == parse_rfid("FFFFF9DCBE991A14") == RfidCode(999, 123456789012)


def test_explicit_forms():
    code = RfidCode(999, 123456789012)
    assert parse_rfid("2858997D3B9F0001", form="reversed_hex") == code
    assert parse_rfid("8000F9DCBE991A14", form="full_hex") == code
    assert error_code(parse_rfid, "8000F9DCBE991A14", form="decimal") == "digits"
    assert error_code(parse_rfid, "999123456789012", form="dot_hex") == "hex"
    with pytest.raises(ValueError):
        parse_rfid("999123456789012", form="binary")


def test_non_animal_tag():
    code = RfidCode(6, 18514243, animal=False)
    for form in ("full_hex", "reversed_hex"):
        text = getattr(code, f"format_{form}")()
        assert parse_rfid(text, form=form) == code


def test_typed_input_is_tolerated():
    assert parse_rfid(" 999-1234 5678 9012\r\n") == RfidCode(999, 123456789012)
    assert parse_rfid("８０００Ｆ９ＤＣＢＥ９９１Ａ１４") == RfidCode(999, 123456789012)
    assert parse_national("１－４４１３２２－０００００１２３", stub) == NationalCode(1, "441322", 123)
    assert error_code(parse_rfid, "8000F9DCBE991A1\ufb00") == "hex"  # no "ﬀ" -> "FF"


# --- national code ---------------------------------------------------------------------------


def test_national_parse_and_format():
    code = parse_national("1 441322 00000123", stub)
    assert code == NationalCode(1, "441322", 123)
    assert code.format() == str(code) == "144132200000123"
    assert code.display() == "1 441322 00000123"
    assert code.species_name == "pig"
    assert parse_national("3-500112-99999999", stub).serial == 99999999


def test_national_uses_real_county_table_by_default():
    assert parse_national("2 441322 00000001").county == "441322"
    assert error_code(parse_national, "2 440000 00000001") == "county"  # a province, not a county
    assert error_code(parse_national, "2 999999 00000001") == "county"


@pytest.mark.parametrize(
    "text, code",
    [
        ("", "empty"),
        (" \t\r\n", "empty"),
        (None, "empty"),
        ("pig", "digits"),
        ("1441322000001X3", "digits"),
        ("144132200000123.", "digits"),
        ("14413220000012", "length"),
        ("1441322000001234", "length"),
        ("9" * 100, "length"),
        ("444132200000123", "species"),
        ("044132200000123", "species"),
        ("199999900000123", "county"),
        ("144000000000123", "county"),
    ],
)
def test_national_malformed(text, code):
    assert error_code(parse_national, text, stub) == code


def test_national_constructor_checks():
    assert error_code(NationalCode, 4, "441322", 1) == "species"
    assert error_code(NationalCode, 1, "44132", 1) == "county"
    assert error_code(NationalCode, 1, "441322", 10**8) == "serial"


# --- RFID malformed --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("", "empty"),
        ("hello", "hex"),
        ("LA 982 000001088420", "hex"),  # a whole reader line: the bridge strips the prefix
        ("99912345678901", "length"),
        ("99912345678901234", "length"),
        ("8000F9DCBE991A1", "length"),
        ("8000F9DCBE991A14A", "length"),
        ("8000F9DCBE991A1G", "hex"),
        ("3E7.", "hex"),
        (".1CBE991A14", "hex"),
        ("3E7.1.2", "hex"),
        ("3G7.1CBE991A14", "hex"),
        ("3E8.1CBE991A14", "country"),
        ("8000FA00BE991A14", "country"),  # country 1000 in the full word
        ("3E7.4000000000", "range"),
        ("999 999999999999", "range"),
    ],
)
def test_rfid_malformed(text, code):
    assert error_code(parse_rfid, text) == code


def test_rfid_constructor_checks():
    assert error_code(RfidCode, 1000, 1) == "country"
    assert error_code(RfidCode, -1, 1) == "country"
    assert error_code(RfidCode, 999, 2**38) == "range"
    assert error_code(RfidCode, 999, -1) == "range"


# --- parse_any -------------------------------------------------------------------------------


def test_any_national_versus_decimal_rfid():
    assert parse_any("144132200000123", stub) == NationalCode(1, "441322", 123)
    assert parse_any("982000001088420", stub) == RfidCode(982, 1088420)
    assert parse_any("999 123456789012", stub) == RfidCode(999, 123456789012)
    # 156 (China) is always an RFID: no province 56 exists, even if a checker said so
    assert parse_any("156123456789012", lambda code: True) == RfidCode(156, 123456789012)
    assert not any(code.startswith("56") for code in regions._table().counties)
    # a mistyped county is refused, not read as the RFID of country 144 (Sri Lanka)
    assert error_code(parse_any, "144999900000123", stub) == "county"
    # a foreign 1xx-3xx tag that looks national needs parse_rfid
    assert parse_any("250011212345678") == NationalCode(2, "500112", 12345678)
    assert parse_rfid("250011212345678") == RfidCode(250, 11212345678)


def test_any_errors():
    assert error_code(parse_any, "", stub) == "empty"
    assert error_code(parse_any, "hello", stub) == "hex"
    assert error_code(parse_any, "44413220000012", stub) == "length"


# --- properties ------------------------------------------------------------------------------

garbage = st.one_of(
    st.text(),
    st.binary().map(lambda b: b.decode("latin-1")),
    st.text(alphabet="0123456789ABCDEFabcdef .-\t\uff10\uff21", max_size=24),
)


@given(garbage)
def test_parsers_raise_only_tag_error(text):
    for parse in (parse_rfid, parse_national, parse_any):
        try:
            parse(text)
        except TagError as exc:
            assert exc.code and str(exc)


rfids = st.builds(RfidCode, st.integers(0, 999), st.integers(0, MAX_NATIONAL_ID), st.booleans())


@given(rfids)
def test_rfid_round_trips(code):
    assert parse_rfid(code.format_full_hex(), form="full_hex") == code
    assert parse_rfid(code.format_reversed_hex(), form="reversed_hex") == code
    assert RfidCode.from_word(reverse_bits64(reverse_bits64(code.word))) == code
    animal = RfidCode(code.country, code.national_id)  # decimal and dot hex carry no flag
    for text in (animal.format_decimal(), animal.format_decimal(""), animal.format_dot_hex()):
        assert parse_rfid(text) == animal
        assert parse_rfid(text.lower()) == animal
    assert parse_rfid(animal.format_full_hex()) == animal
    if not _plausible(reverse_bits64(animal.word)):  # otherwise ambiguous: needs form=
        assert parse_rfid(animal.format_reversed_hex()) == animal
    if not 100 <= code.country <= 399 or code.country == 156:
        assert parse_any(animal.format_decimal()) == animal


def test_reversed_hex_ambiguity():
    # ID 1: the word and its reversal are both clean animal words; auto-detection reads full hex
    code = RfidCode(999, 1)
    assert _plausible(code.word) and _plausible(reverse_bits64(code.word))
    assert parse_rfid(code.format_full_hex()) == code
    assert parse_rfid(code.format_reversed_hex()) != code
    assert parse_rfid(code.format_reversed_hex(), form="reversed_hex") == code


real_counties = sorted(regions._table().counties)
nationals = st.builds(
    NationalCode, st.integers(1, 3), st.sampled_from(real_counties), st.integers(0, 10**8 - 1)
)


@given(nationals)
def test_national_round_trips(code):
    for text in (code.format(), code.display(), code.display().replace(" ", "-")):
        assert parse_national(text) == code
        assert parse_any(text) == code


@given(st.integers(1, 3), st.text("0123456789", min_size=6, max_size=6), st.integers(0, 10**8 - 1))
def test_national_round_trips_any_county_with_checker(species, county, serial):
    code = NationalCode(species, county, serial)
    assert parse_national(code.display(), lambda c: True) == code
