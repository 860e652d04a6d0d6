"""Names of the GB/T 2260 places a farm's county code stands for, for lists and exports."""

import json
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.utils.translation import get_language

from farms import regions

PROVINCE_OUTLINES = "vendor/china/provinces.geojson"


@lru_cache(maxsize=4096)
def county_label(code: str) -> str:
    """Return '广东省惠州市博罗县'-style text for a county code, or the code if it is unknown."""
    county = regions.county(code or "")
    if county is None:
        return code or ""
    return f"{county.province_name}{county.city_name}{county.name}"


@lru_cache(maxsize=4096)
def county_short(code: str) -> str:
    """Return the county's own name ('博罗县'), or the code if it is unknown."""
    county = regions.county(code or "")
    return county.name if county else (code or "")


@lru_cache(maxsize=1)
def _provinces() -> list[tuple[str, str, str]]:
    # The map's own outlines carry each province's code and both names: one source for both.
    with open(finders.find(PROVINCE_OUTLINES), encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    rows = [
        (f["properties"]["adcode"][:2], f["properties"]["name_full"], f["properties"]["name_en"])
        for f in features
    ]
    return sorted(rows)


@lru_cache(maxsize=4096)
def county_parent(code: str) -> str:
    """Return the province and city a county is in ('广东省惠州市'), or ''."""
    county = regions.county(code or "")
    return f"{county.province_name}{county.city_name}" if county else ""


def province_choices() -> list[tuple[str, str]]:
    """Return (two-digit GB/T 2260 code, name in the active language) for every province."""
    english = (get_language() or "").startswith("en")
    return [(code, name_en if english else name_zh) for code, name_zh, name_en in _provinces()]
