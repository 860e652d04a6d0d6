"""GB/T 2260 places by name, in the language of the page (farms.regions holds both names)."""

from functools import lru_cache

from django.utils.translation import get_language

from . import regions


def english() -> bool:
    return (get_language() or "").startswith("en")


@lru_cache(maxsize=8192)
def _county(code: str, en: bool, part: str) -> str:
    county = regions.county(code or "")
    if county is None:
        return "" if part == "parent" else (code or "")
    if part == "short":
        return county.local_name(en)
    return county.path(en) if part == "path" else county.parent(en)


def county_label(code: str) -> str:
    """Return '广东省惠州市博罗县' or 'Boluo County, Huizhou City, Guangdong'; the code if unknown."""
    return _county(code, english(), "path")


def county_short(code: str) -> str:
    """Return the county's own name ('博罗县', 'Boluo County'), or the code if it is unknown."""
    return _county(code, english(), "short")


def county_parent(code: str) -> str:
    """Return the province and city a county is in ('广东省惠州市', 'Huizhou City, Guangdong'), or ''."""
    return _county(code, english(), "parent")


def province_choices() -> list[tuple[str, str]]:
    """Return (two-digit GB/T 2260 code, name in the active language) for every province."""
    en = english()
    return [(p.code[:2], p.local_name(en)) for p in regions.provinces()]


def county_options(province_code: str) -> list[tuple[str, str]]:
    """Return (code, "prefecture county") for the counties of a province, in the active language."""
    en = english()
    return [(c.code, county_option_label(c, en)) for c in regions.counties_in(province_code)]


def county_option_label(county: regions.Region, en: bool) -> str:
    if en and county.name_en:
        city = county.city_name_en if county.city_name != county.province_name else ""
        return f"{county.name_en}, {city}" if city else county.name_en
    city = county.city_name if county.city_name != county.province_name else ""
    return f"{city} {county.name}".strip()
