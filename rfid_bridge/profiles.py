"""Reader profiles: what a reader prints on its serial port, and how to get the tag out of it.

A profile is a regular expression that must match the whole line (spaces at both ends removed)
and a field map that says which named groups hold the code. Built-in profiles cover every
format of docs/rfid_bridge.md (from reader-lines.md); a site adds its own in the config file or
with ``--pattern`` (see :func:`custom_profile`). Parsing never raises: a line is either a tag or
a :class:`Result` that says why it is not one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from . import iso11784
from .iso11784 import Code, CodeError

MAX_LINE = 200  # longer "lines" are noise (a reader line is < 60 characters)
RAW_CHARS = 80

# Result kinds. Only TAG is stored; the others are counted as non-tag lines.
TAG = "tag"
NON_ANIMAL = "non_animal"  # a valid code without the animal flag (e.g. HDX industrial)
INVALID = "invalid"  # the reader's format, but not a valid ISO 11784 number
BLANK = "blank"
CONTROL = "control"  # only control characters: the power-on <STX> line of Allflex readers
UNRECOGNISED = "unrecognised"  # echoes, garbage from a loose cable, half lines, other formats
NON_TAG_KINDS = (NON_ANIMAL, INVALID, BLANK, CONTROL, UNRECOGNISED)

_WS = " \t"
_FRAMING = "\x02\x03"  # STX/ETX some readers put around every line


@dataclass(frozen=True, slots=True)
class Result:
    kind: str
    tag: str | None = None
    error: str | None = None
    profile: str | None = None

    @property
    def ok(self) -> bool:
        return self.kind == TAG

    def as_dict(self) -> dict:
        if self.ok:
            return {"ok": True, "tag": self.tag, "profile": self.profile}
        return {"ok": False, "kind": self.kind, "error": self.error, "profile": self.profile}


def raw_text(line: str) -> str:
    """The line as it may be stored with a read: control characters escaped, at most 80 chars."""
    head = line[: RAW_CHARS * 4]
    if head.isascii() and head.isprintable():
        return head[:RAW_CHARS]
    return "".join(ch if " " <= ch < "\x7f" else f"\\x{ord(ch):02x}" for ch in head)[:RAW_CHARS]


CACHE_SIZE = 4096


def _remember(cache: dict, line: str, result: Result) -> None:
    # A tag in front of the reader is read many times a second as the very same line: parse it once.
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[line] = result


def _pre_check(line: str) -> Result | None:
    """The verdicts before any pattern: too long, blank."""
    if len(line) > MAX_LINE:
        return Result(UNRECOGNISED, error=f"line longer than {MAX_LINE} characters")
    if not line or line.isspace():
        return Result(BLANK, error="blank line")
    return None


def _no_match(line: str, error: str) -> Result:
    """The verdict for a line no pattern took: control characters only, or unrecognised."""
    if all(ch <= " " or ch == "\x7f" for ch in line):  # (with spaces: "<STX> " is a power-on line too)
        return Result(CONTROL, error="control characters only (power-on line of the reader)")
    return Result(UNRECOGNISED, error=error)


@dataclass(frozen=True)
class Profile:
    """A reader format: ``pattern`` for animal tags, ``convert`` from its match to a Code."""

    name: str
    description: str
    examples: tuple[str, ...]
    pattern: re.Pattern
    convert: Callable[[re.Match], Code]
    non_animal: tuple[tuple[re.Pattern, str], ...] = ()
    format: Callable[[Code], str] | None = None  # how the reader prints a code (for simulate)
    keep_framing: bool = False  # ISO 24631-6: the STX is part of the format
    builtin: bool = True
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def parse(self, line: str) -> Result:
        """Classify one line (without its CR LF). Never raises."""
        result = self._cache.get(line)
        if result is None:
            result = (
                _pre_check(line) or self.match(line) or _no_match(line, f"does not match profile {self.name}")
            )
            _remember(self._cache, line, result)
        return result

    def match(self, line: str) -> Result | None:
        """The verdict when the line has this profile's shape, else None."""
        text = line.strip(_WS)
        if not self.keep_framing:
            text = text.strip(_FRAMING).strip(_WS)
        for pattern, why in self.non_animal:
            if pattern.fullmatch(text):
                return Result(NON_ANIMAL, error=f"not an animal tag ({why})", profile=self.name)
        found = self.pattern.fullmatch(text)
        if found is None:
            return None
        try:
            code = self.convert(found)
        except (CodeError, ValueError, KeyError, IndexError, TypeError) as exc:
            reason = str(exc).rstrip(".")
            return Result(INVALID, error=f"not a valid ISO 11784 number: {reason}", profile=self.name)
        if not code.animal:
            return Result(NON_ANIMAL, error="not an animal tag (animal flag not set)", profile=self.name)
        return Result(TAG, tag=code.tag, profile=self.name)


@dataclass(frozen=True)
class AutoProfile:
    """Try every built-in profile; the first whose shape matches the line decides."""

    profiles: tuple  # objects with match(line) -> Result | None
    name: str = "auto"
    description: str = (
        "try every profile (to find out what a reader prints; in production name the reader's own)"
    )
    examples: tuple[str, ...] = field(default=())
    format: None = None
    builtin: bool = True
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def parse(self, line: str) -> Result:
        result = self._cache.get(line)
        if result is None:
            result = _pre_check(line) or self._match(line)
            _remember(self._cache, line, result)
        return result

    def _match(self, line: str) -> Result:
        for profile in self.profiles:
            result = profile.match(line)
            if result is not None:
                return result
        return _no_match(line, "no profile recognises this line")


# --- built-in profiles -----------------------------------------------------------------------


def _decimal(found: re.Match) -> Code:
    # The built-in patterns are ASCII-only, so the groups are plain digits: int() is enough.
    return Code(int(found["country"]), int(found["id"]))


def _dot_hex(found: re.Match) -> Code:
    return iso11784.from_hex_fields(found["country"], found["id"])


def _re(pattern: str) -> re.Pattern:
    # ASCII: in a str pattern \d would also match other scripts' digits.
    return re.compile(pattern, re.ASCII)


_HDX_INDUSTRIAL = (_re(r"LR[ \t]+(\d{4})[ \t]+\d{16}"), "Allflex HDX industrial tag, LR line")
_S = r"[ \t]+"

ALLFLEX = Profile(
    name="allflex",
    description="Allflex default: 'LA', country/manufacturer code, 12-digit ID",
    examples=("LA 982 000001088420",),
    pattern=_re(rf"LA{_S}(?P<country>\d{{3}}){_S}(?P<id>\d{{12}})"),
    convert=_decimal,
    non_animal=(_HDX_INDUSTRIAL,),
    format=lambda code: f"LA {code.format_decimal()}",
)

ALLFLEX_S2000 = Profile(
    name="allflex-s2000",
    description="Allflex TIRIS S2000: 'LA', reserved field, data-block flag, code, ID",
    examples=("LA 00000 0 982 000001088420",),
    pattern=_re(rf"LA{_S}\d{{5}}{_S}\d{_S}(?P<country>\d{{3}}){_S}(?P<id>\d{{12}})"),
    convert=_decimal,
    non_animal=(_HDX_INDUSTRIAL,),
    format=lambda code: f"LA 00000 0 {code.format_decimal()}",
)


def _template(found: re.Match) -> Code:
    country = found["country"]
    if len(country) == 4 and country[0] != "0":
        raise CodeError("country", "Country code %(country)s is above 999.", country=country)
    return iso11784.from_decimal(country, found["id"])


ALLFLEX_TEMPLATE = Profile(
    name="allflex-template",
    description="Allflex general template #T*RRRRR*D*EEEE*IIIIIIIIIIII: '#' one of # L X G or none; "
    "T 'A' (animal) or 'R'; '*' comma, semicolon, space, tab or none, the same throughout",
    examples=("LA,00000,0,0982,000001088420", "#A;00000;0;0982;000001088420", "A0000000982000001088420"),
    pattern=_re(
        r"[#LXG]?A(?P<sep>[,; \t]?)\d{5}(?P=sep)\d(?P=sep)(?P<country>\d{3,4})(?P=sep)(?P<id>\d{12})"
    ),
    convert=_template,
    non_animal=(
        _HDX_INDUSTRIAL,
        (
            _re(r"[#LXG]?R(?P<sep>[,; \t]?)\d{5}(?P=sep)\d(?P=sep)\d{3,4}(?P=sep)\d{12}"),
            "type R in the Allflex template",
        ),
    ),
    format=lambda code: f"LA,00000,0,{code.country:04d},{code.national_id:012d}",
)

ISO24631 = Profile(
    name="iso24631",
    description="ISO 24631-6: <STX> then space-separated fields; the code is the first "
    "'CCC NNNNNNNNNNNN' pair, fields before and after it are ignored",
    examples=("\x02999 000000001234 0 0 000", "\x02156 000123456789"),
    pattern=_re(
        r"\x02[ \t]*(?:[^\x02\x03]*?[ \t])?(?P<country>\d{3})[ \t]?(?P<id>\d{12})(?:[ \t][^\x02\x03]*)?\x03?"
    ),
    convert=_decimal,
    format=lambda code: f"\x02{code.format_decimal()} 0 0 000",
    keep_framing=True,
)

DECIMAL = Profile(
    name="decimal",
    description="bare decimal: 3-digit code and 12-digit ID, with or without a space",
    examples=("156000123456789", "156 000123456789"),
    pattern=_re(r"(?P<country>\d{3})[ \t]?(?P<id>\d{12})"),
    convert=_decimal,
    format=lambda code: code.format_decimal(""),
)

DOT_HEX = Profile(
    name="dot-hex",
    description="dot hex: country code in hex, a dot, ID in hex",
    examples=("3E7.1CBE991A14",),
    pattern=_re(r"(?P<country>[0-9A-Fa-f]{1,3})\.(?P<id>[0-9A-Fa-f]{1,10})"),
    convert=_dot_hex,
    format=Code.format_dot_hex,
)

FULL_HEX = Profile(
    name="full-hex",
    description="the 64-bit word in 16 hex digits (animal flag, code, ID as bits)",
    examples=("8000F9DCBE991A14",),
    pattern=_re(r"(?P<word>[0-9A-Fa-f]{16})"),
    convert=lambda found: iso11784.from_hex_word(found["word"]),
    format=Code.format_full_hex,
)

REVERSED_HEX = Profile(
    name="reversed-hex",
    description="the 64-bit word bit-reversed (LSB first, as sent over the air) in 16 hex digits",
    examples=("2858997D3B9F0001",),
    pattern=FULL_HEX.pattern,
    convert=lambda found: iso11784.from_hex_word(found["word"], reversed_bits=True),
    format=Code.format_reversed_hex,
)


class _EitherHex:
    """16 hex digits for auto: the full word, or bit-reversed when only that reading is clean."""

    def match(self, line: str) -> Result | None:
        text = line.strip(_WS).strip(_FRAMING).strip(_WS)
        if not FULL_HEX.pattern.fullmatch(text):
            return None
        word = int(text, 16)
        backwards = iso11784.reverse_bits64(word)
        use_reversed = iso11784.plausible(backwards) and not iso11784.plausible(word)
        return (REVERSED_HEX if use_reversed else FULL_HEX).match(text)


BUILTIN: dict[str, Profile] = {
    p.name: p
    for p in (ALLFLEX, ALLFLEX_S2000, ALLFLEX_TEMPLATE, ISO24631, DECIMAL, DOT_HEX, FULL_HEX, REVERSED_HEX)
}
# Order for auto: specific shapes first; 16 hex digits last, read bit-reversed only when only
# that reading is a clean animal word.
AUTO = AutoProfile(
    profiles=(ISO24631, ALLFLEX, ALLFLEX_S2000, ALLFLEX_TEMPLATE, DECIMAL, DOT_HEX, _EitherHex())
)


# --- custom profiles -------------------------------------------------------------------------

FIELD_NAMES = ("country", "national_id", "word", "tag")


class ProfileError(ValueError):
    """A custom profile that cannot work; the message says what to fix."""


def custom_profile(
    name: str,
    pattern: str,
    fields: dict[str, str] | None = None,
    radix: int = 10,
    word_order: str = "msb",
    non_animal: list[str] | tuple[str, ...] = (),
    description: str = "",
    examples: list[str] | tuple[str, ...] = (),
) -> Profile:
    """Build a profile from configuration.

    ``pattern`` must match the whole line and name its groups; ``fields`` maps the code's parts to
    group names (default: groups called ``country`` and ``national_id``, or ``word``, or ``tag``):
    ``country`` + ``national_id`` (digits in ``radix`` 10 or 16), or ``word`` (16 hex digits,
    ``word_order`` ``msb`` or ``reversed``), or ``tag`` (15 decimal digits). Lines matching a
    ``non_animal`` pattern are counted as non-animal tags.
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,39}", name or ""):
        raise ProfileError(f"profile name {name!r}: use 1-40 lower-case letters, digits, '-', '_' or '.'")
    if name in BUILTIN or name == AUTO.name:
        raise ProfileError(f"profile name {name!r} is a built-in profile; choose another name")
    try:
        compiled = re.compile(pattern)
        others = tuple((re.compile(p), f"matches non-animal pattern of profile {name}") for p in non_animal)
    except (re.error, TypeError) as exc:
        raise ProfileError(f"profile {name}: the pattern is not a valid regular expression: {exc}") from exc
    groups = set(compiled.groupindex)
    if fields is None:
        fields = {key: key for key in FIELD_NAMES if key in groups}
    unknown = set(fields) - set(FIELD_NAMES)
    if unknown:
        raise ProfileError(f"profile {name}: unknown fields {sorted(unknown)}; use {', '.join(FIELD_NAMES)}")
    missing = {group for group in fields.values() if group not in groups}
    if missing:
        raise ProfileError(f"profile {name}: the pattern has no group named {', '.join(sorted(missing))}")
    if radix not in (10, 16):
        raise ProfileError(f"profile {name}: radix must be 10 or 16")
    if word_order not in ("msb", "reversed"):
        raise ProfileError(f"profile {name}: word_order must be 'msb' or 'reversed'")

    if "country" in fields and "national_id" in fields:
        country, national_id = fields["country"], fields["national_id"]
        parts = iso11784.from_decimal if radix == 10 else iso11784.from_hex_fields

        def convert(found: re.Match) -> Code:
            return parts(found[country], found[national_id])

    elif "word" in fields:
        word, backwards = fields["word"], word_order == "reversed"

        def convert(found: re.Match) -> Code:
            return iso11784.from_hex_word(found[word], reversed_bits=backwards)

    elif "tag" in fields:
        tag = fields["tag"]

        def convert(found: re.Match) -> Code:
            return iso11784.from_tag(found[tag])

    else:
        raise ProfileError(
            f"profile {name}: the field map needs country and national_id, or word, or tag "
            "(name the pattern's groups so, or map them with fields)"
        )
    return Profile(
        name=name,
        description=description or f"custom pattern {pattern}",
        examples=tuple(examples),
        pattern=compiled,
        convert=convert,
        non_animal=others,
        builtin=False,
    )


def profile_from_config(name: str, table: dict) -> Profile:
    """Build a custom profile from one ``[profiles.NAME]`` table of the config file."""
    known = {"pattern", "fields", "radix", "word_order", "non_animal", "description", "examples"}
    unknown = set(table) - known
    if unknown:
        raise ProfileError(
            f"profile {name}: unknown settings {sorted(unknown)}; use {', '.join(sorted(known))}"
        )
    if "pattern" not in table:
        raise ProfileError(f"profile {name}: 'pattern' is missing")
    return custom_profile(
        name,
        table["pattern"],
        fields=table.get("fields"),
        radix=table.get("radix", 10),
        word_order=table.get("word_order", "msb"),
        non_animal=table.get("non_animal", ()),
        description=table.get("description", ""),
        examples=table.get("examples", ()),
    )


def get(name: str, custom: dict[str, Profile] | None = None) -> Profile | AutoProfile:
    """The profile of this name (built-in, ``auto`` or custom); KeyError if there is none."""
    if name == AUTO.name:
        return AUTO
    if custom and name in custom:
        return custom[name]
    return BUILTIN[name]


def names(custom: dict[str, Profile] | None = None) -> list[str]:
    return [*BUILTIN, AUTO.name, *(custom or {})]
