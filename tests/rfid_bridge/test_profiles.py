"""Reader profiles: every format of reader-lines.md, the lines that are not tags, custom patterns."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rfid_bridge import profiles
from rfid_bridge.iso11784 import Code
from rfid_bridge.profiles import AUTO, BUILTIN, ProfileError, custom_profile, profile_from_config

# (profile, line as the reader prints it, normalised tag) — the examples of reader-lines.md.
EXAMPLES = [
    ("allflex", "LA 982 000001088420", "982000001088420"),
    ("allflex-s2000", "LA 00000 0 982 000001088420", "982000001088420"),
    ("allflex-template", "LA 00000 0 0982 000001088420", "982000001088420"),
    ("allflex-template", "#A,00000,0,0982,000001088420", "982000001088420"),
    ("allflex-template", "XA;00000;0;982;000001088420", "982000001088420"),
    ("allflex-template", "GA\t00000\t1\t0982\t000001088420", "982000001088420"),
    ("allflex-template", "A0000000982000001088420", "982000001088420"),
    ("allflex-template", "LA00000109820000010884 20".replace(" ", ""), "982000001088420"),
    ("iso24631", "\x02999 123456789012", "999123456789012"),
    ("iso24631", "\x02156 000123456789 0 00 000\x03", "156000123456789"),
    ("decimal", "156000123456789", "156000123456789"),
    ("decimal", "156 000123456789", "156000123456789"),
    ("dot-hex", "3E7.1CBE991A14", "999123456789012"),
    ("dot-hex", "9c.1cbe991a14", "156123456789012"),
    ("full-hex", "8000F9DCBE991A14", "999123456789012"),
    ("full-hex", "8000271CBE991A14", "156123456789012"),
    ("reversed-hex", Code(999, 123456789012).format_reversed_hex(), "999123456789012"),
]

# Lines a reader sends that are not tags, and what they are counted as.
NON_TAGS = [
    ("\x02", "control"),  # Allflex power-on: <STX><CR><LF>
    ("\x02\x03", "control"),
    ("", "blank"),
    ("   \t", "blank"),
    ("LR 0006 0000000018514243", "non_animal"),  # HDX industrial
    ("LA 982 0000010884", "unrecognised"),  # half a line
    ("A", "unrecognised"),  # echo of a key pressed
    ("\x00\xff\xfeLA\x80", "unrecognised"),  # garbage from a loose cable
    ("LA 999 999999999999", "invalid"),  # national ID over 38 bits
    ("X" * 500, "unrecognised"),
]


@pytest.mark.parametrize("name, line, tag", EXAMPLES)
def test_examples(name, line, tag):
    result = BUILTIN[name].parse(line)
    assert result.ok, result
    assert result.tag == tag
    assert result.profile == name
    assert result.as_dict() == {"ok": True, "tag": tag, "profile": name}
    assert AUTO.parse(line).tag == tag  # auto finds every format


@pytest.mark.parametrize("name", list(BUILTIN))
def test_format_round_trip(name):
    code = Code(156, 123456789)
    assert BUILTIN[name].parse(BUILTIN[name].format(code)).tag == code.tag


@pytest.mark.parametrize("line, kind", NON_TAGS)
@pytest.mark.parametrize("name", [*BUILTIN, "auto"])
def test_non_tags(name, line, kind):
    result = profiles.get(name).parse(line)
    assert not result.ok
    assert result.tag is None
    assert result.error
    if kind in ("control", "blank") or name in ("auto", "allflex"):
        assert result.kind == kind
    else:  # other profiles do not know the Allflex default shape
        assert result.kind in (kind, "unrecognised")


def test_hdx_industrial_is_not_an_animal_tag():
    result = BUILTIN["allflex"].parse("LR 0006 0000000018514243")
    assert result.kind == "non_animal"
    assert result.as_dict()["ok"] is False
    assert "not an animal tag" in result.error
    # The full word without the animal flag is not an animal tag either.
    assert BUILTIN["full-hex"].parse(Code(156, 5, animal=False).format_full_hex()).kind == "non_animal"


def test_profiles_are_strict_about_shape():
    assert not BUILTIN["allflex"].parse("LA 00000 0 982 000001088420").ok  # S2000 line
    assert not BUILTIN["decimal"].parse("LA 982 000001088420").ok
    assert not BUILTIN["allflex-template"].parse("LA,00000;0,0982,000001088420").ok  # mixed separators
    assert BUILTIN["allflex-template"].parse("LA 00000 0 1982 000001088420").kind == "invalid"


# The Allflex general template #T*RRRRR*D*EEEE*IIIIIIIIIIII with every prefix and separator of
# reader-lines.md: '#' one of # L X G or none, '*' one of comma, semicolon, space, tab or none.
TEMPLATE_PREFIXES = ["#", "L", "X", "G", ""]
TEMPLATE_SEPARATORS = [",", ";", " ", "\t", ""]


def template_line(prefix: str, sep: str, code: Code, reserved: str = "00000", block: str = "0") -> str:
    fields = ["A", reserved, block, f"{code.country:04d}", f"{code.national_id:012d}"]
    return prefix + sep.join(fields)


@pytest.mark.parametrize("sep", TEMPLATE_SEPARATORS, ids=["comma", "semicolon", "space", "tab", "none"])
@pytest.mark.parametrize("prefix", TEMPLATE_PREFIXES, ids=["hash", "L", "X", "G", "none"])
def test_auto_reads_the_allflex_template_with_every_separator(prefix, sep):
    code = Code(982, 1088420)
    line = template_line(prefix, sep, code)
    for profile in (AUTO, BUILTIN["allflex-template"]):
        result = profile.parse(line)
        assert result.ok and result.tag == "982000001088420", (line, result)
    # A type-R line of the template is a tag, but not an animal's.
    assert AUTO.parse(line.replace("A", "R", 1)).kind == "non_animal"
    # The reader's CR LF and spaces around the line change nothing.
    assert AUTO.parse(f" {line} ").tag == code.tag


@settings(max_examples=500, deadline=None)
@given(
    prefix=st.sampled_from(TEMPLATE_PREFIXES),
    sep=st.sampled_from(TEMPLATE_SEPARATORS),
    country=st.integers(0, 999),
    national_id=st.integers(0, (1 << 38) - 1),
    reserved=st.from_regex(r"[0-9]{5}", fullmatch=True),
    block=st.sampled_from("01"),
)
def test_auto_reads_any_allflex_template_line(prefix, sep, country, national_id, reserved, block):
    code = Code(country, national_id)
    line = template_line(prefix, sep, code, reserved, block)
    result = AUTO.parse(line)
    assert result.ok and result.tag == code.tag, (line, result)
    assert result.profile == "allflex-template"
    # An ID beyond ISO 11784's 38 bits is the template's shape but no valid code.
    too_big = template_line(prefix, sep, Code(country, 0), reserved, block)[:-12] + "999999999999"
    assert AUTO.parse(too_big).kind == "invalid"


def test_auto_prefers_the_clean_reading_of_16_hex_digits():
    code = Code(982, 1088420)
    assert AUTO.parse(code.format_full_hex()).profile == "full-hex"
    assert AUTO.parse(code.format_reversed_hex()).profile == "reversed-hex"
    assert AUTO.parse(code.format_reversed_hex()).tag == code.tag


def test_raw_text_is_printable_and_short():
    assert profiles.raw_text("\x02156 000123456789\x03") == "\\x02156 000123456789\\x03"
    assert len(profiles.raw_text("\xff" * 100)) == 80
    assert profiles.raw_text("LA 982 000001088420") == "LA 982 000001088420"


# --- custom profiles -------------------------------------------------------------------------


def test_custom_decimal_fields():
    profile = custom_profile(
        "gate", r"ID:(?P<cc>\d{3})-(?P<nid>\d{12});", {"country": "cc", "national_id": "nid"}
    )
    assert profile.parse("ID:156-000123456789;").tag == "156000123456789"
    assert profile.parse("  ID:156-000123456789;  ").tag == "156000123456789"
    assert profile.parse("ID:156-00012345678;").kind == "unrecognised"
    assert profile.parse("\x02").kind == "control"


def test_custom_default_group_names_hex_word_and_tag():
    assert (
        custom_profile("a", r"T=(?P<country>[0-9A-F]+)/(?P<national_id>[0-9A-F]+)", radix=16)
        .parse("T=3E7/1CBE991A14")
        .tag
        == "999123456789012"
    )
    assert custom_profile("b", r"W(?P<word>\w+)").parse("W8000F9DCBE991A14").tag == "999123456789012"
    rev = Code(156, 42).format_reversed_hex()
    assert (
        custom_profile("c", r"W(?P<word>\w+)", word_order="reversed").parse(f"W{rev}").tag
        == "156000000000042"
    )
    tag_profile = custom_profile("d", r"<(?P<tag>\d+)>")
    assert tag_profile.parse("<156000123456789>").tag == "156000123456789"
    assert tag_profile.parse("<1560001234567>").kind == "invalid"
    # Unicode digits match \d in a custom pattern but are never taken for a tag.
    assert tag_profile.parse("<١٥٦٠٠٠١٢٣٤٥٦٧٨٩>").kind == "invalid"


def test_custom_non_animal_patterns():
    profile = custom_profile("e", r"A(?P<tag>\d{15})", non_animal=[r"I\d+"])
    assert profile.parse("I123").kind == "non_animal"
    assert profile.parse("A156000123456789").ok


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "x", "pattern": "(unclosed"}, "not a valid regular expression"),
        ({"name": "x", "pattern": r"(?P<cc>\d+)"}, "needs country and national_id"),
        (
            {"name": "x", "pattern": r"(?P<cc>\d+)", "fields": {"country": "zz", "national_id": "cc"}},
            "no group",
        ),
        ({"name": "x", "pattern": r"(?P<cc>\d+)", "fields": {"colour": "cc"}}, "unknown fields"),
        ({"name": "allflex", "pattern": r"(?P<tag>\d+)"}, "built-in"),
        ({"name": "Bad Name", "pattern": r"(?P<tag>\d+)"}, "profile name"),
        ({"name": "x", "pattern": r"(?P<tag>\d+)", "radix": 8}, "radix"),
    ],
)
def test_custom_profile_errors(kwargs, message):
    with pytest.raises(ProfileError, match=message):
        custom_profile(**kwargs)


def test_profile_from_config():
    table = {"pattern": r"(?P<c>\d{3})/(?P<n>\d{12})", "fields": {"country": "c", "national_id": "n"}}
    assert profile_from_config("site", table).parse("156/000123456789").ok
    with pytest.raises(ProfileError, match="unknown settings"):
        profile_from_config("site", {**table, "patern": "x"})


# --- parsing never raises ----------------------------------------------------------------------

CUSTOM = custom_profile("fuzz", r"(?P<country>\d{1,4})\D(?P<national_id>\d{1,14})")
reader_alphabet = st.sampled_from(list("LARGX#0123456789ABCDEF.,; \t\x02\x03\r\n\x00\xff") + ["١", "Ⅻ", "²"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.text(alphabet=reader_alphabet, max_size=40)))
def test_parse_never_raises(line):
    for profile in [*BUILTIN.values(), AUTO, CUSTOM]:
        result = profile.parse(line)
        assert result.ok == (result.kind == "tag")
        if result.ok:
            assert len(result.tag) == 15 and result.tag.isascii() and result.tag.isdigit()
            assert int(result.tag[3:]) < 1 << 38
        else:
            assert result.error and result.kind in profiles.NON_TAG_KINDS
