"""Turning what people type (in forms and spreadsheets) into values, with a reason when it fails.

Each parser returns the value or raises CellError with a translated message; import services
collect these per row and column, forms show them beside the field.
"""

import datetime as dt
import re
import unicodedata

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from farms.models import Species

from ..eartags import NationalCode, RfidCode, TagError, parse_any, parse_rfid
from ..models import Animal
from ..tag_messages import tag_error_text

BAD_DATE = _("“{value}” is not a date; write it as 2026-03-01.")
FUTURE_DATE = _("{date} is in the future.")
TOO_OLD = _("{date} is more than {years} years ago.")
BAD_CHOICE = _("“{value}” is not one of: {choices}.")
REQUIRED = _("This is required.")


class CellError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def text(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def date(value: str, *, today: dt.date, required: bool = False, max_years: int = 25) -> dt.date | None:
    value = text(value)
    if not value:
        if required:
            raise CellError(REQUIRED)
        return None
    match = _DATE.match(value) or (re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value))
    try:
        if not match:
            raise ValueError
        parsed = dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        raise CellError(format_lazy(BAD_DATE, value=value)) from None
    if parsed > today:
        raise CellError(format_lazy(FUTURE_DATE, date=parsed.isoformat()))
    if parsed.year < today.year - max_years:
        raise CellError(format_lazy(TOO_OLD, date=parsed.isoformat(), years=max_years))
    return parsed


def _choice(value: str, aliases: dict[str, str], choices, *, required=True, default=None):
    """``choices`` is the TextChoices class: its labels are only needed (and built) for a refusal."""
    key = text(value).lower().replace(" ", "").replace("-", "_")
    if not key:
        if required and default is None:
            raise CellError(REQUIRED)
        return default
    found = aliases.get(key)
    if found is not None:
        return found
    raise CellError(
        format_lazy(BAD_CHOICE, value=value, choices=" / ".join(str(label) for label in choices.labels))
    )


SEX_ALIASES = {
    **dict.fromkeys(("male", "m", "公", "雄", "公猪", "公牛", "公羊"), Animal.Sex.MALE),
    **dict.fromkeys(("female", "f", "母", "雌", "母猪", "母牛", "母羊"), Animal.Sex.FEMALE),
    **dict.fromkeys(("castrated", "c", "阉", "阉割", "去势"), Animal.Sex.CASTRATED),
}
ORIGIN_ALIASES = {
    **dict.fromkeys(("self_bred", "selfbred", "self", "自繁", "自繁自养", "自养"), Animal.Origin.SELF_BRED),
    **dict.fromkeys(
        ("purchased", "bought", "boughtin", "bought_in", "外购", "购入", "引进"), Animal.Origin.PURCHASED
    ),
    **dict.fromkeys(("other", "其他", "其它"), Animal.Origin.OTHER),
}
SPECIES_ALIASES = {
    **dict.fromkeys(("1", "pig", "pigs", "猪", "生猪"), Species.PIG),
    **dict.fromkeys(("2", "cattle", "cow", "牛", "肉牛"), Species.CATTLE),
    **dict.fromkeys(("3", "goat", "goats", "sheep", "羊", "山羊", "绵羊"), Species.GOAT),
}


def sex(value: str) -> str:
    return _choice(value, SEX_ALIASES, Animal.Sex)


def origin(value: str) -> str:
    return _choice(value, ORIGIN_ALIASES, Animal.Origin, default=Animal.Origin.SELF_BRED)


def species(value: str) -> str | None:
    return _choice(value, SPECIES_ALIASES, Species, required=False)


def tag(value: str) -> NationalCode | RfidCode:
    """A national code or an RFID number in any reader form."""
    try:
        return parse_any(value)
    except TagError as exc:
        raise CellError(tag_error_text(exc)) from None


def tag_key(code: NationalCode | RfidCode) -> tuple[str, str]:
    """("national_code", "144132200000123") or ("rfid", "156000123456789") for looking the tag up."""
    if isinstance(code, NationalCode):
        return "national_code", code.format()
    return "rfid", code.format_decimal("")


def rfid(value: str) -> RfidCode:
    """An RFID number in any reader form (decimal, dot hex, full or reversed hex)."""
    try:
        return parse_rfid(value)
    except TagError as exc:
        raise cells_error(exc) from None


def cells_error(exc: TagError) -> CellError:
    return CellError(tag_error_text(exc))
