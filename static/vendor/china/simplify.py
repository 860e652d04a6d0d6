#!/usr/bin/env python3
"""Build static/vendor/china/provinces.geojson from Apache ECharts 4.9.0's
map/json/china.json (province-level China map, Apache-2.0).

Steps: decode ECharts' compressed "UTF8Encoding" geometry -> repair invalid
rings -> convert GCJ-02 to WGS84 -> simplify (Douglas-Peucker, topology
preserving) -> merge parts and snap to a 1e-4 degree grid -> RFC 7946 ring
orientation -> add adcode / full Chinese name / English name.

Usage (needs only `pip install shapely`):
    python simplify.py path/to/echarts/map/json/china.json provinces.geojson
"""

import json
import math
import sys

from shapely import make_valid, set_precision, unary_union
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.polygon import orient

TOLERANCE = 0.01  # degrees (~1 km); source vertices are already ~1-5 km apart
SMALL_TOLERANCE = 0.001  # for tiny units (Hong Kong, Macao) so they keep their shape
SMALL_ADCODES = {"810000", "820000"}
DECIMALS = 4
GRID = 10**-DECIMALS

# adcode (GB/T 2260) -> (full Chinese name, English name)
NAMES = {
    "110000": ("北京市", "Beijing"),
    "120000": ("天津市", "Tianjin"),
    "130000": ("河北省", "Hebei"),
    "140000": ("山西省", "Shanxi"),
    "150000": ("内蒙古自治区", "Inner Mongolia"),
    "210000": ("辽宁省", "Liaoning"),
    "220000": ("吉林省", "Jilin"),
    "230000": ("黑龙江省", "Heilongjiang"),
    "310000": ("上海市", "Shanghai"),
    "320000": ("江苏省", "Jiangsu"),
    "330000": ("浙江省", "Zhejiang"),
    "340000": ("安徽省", "Anhui"),
    "350000": ("福建省", "Fujian"),
    "360000": ("江西省", "Jiangxi"),
    "370000": ("山东省", "Shandong"),
    "410000": ("河南省", "Henan"),
    "420000": ("湖北省", "Hubei"),
    "430000": ("湖南省", "Hunan"),
    "440000": ("广东省", "Guangdong"),
    "450000": ("广西壮族自治区", "Guangxi"),
    "460000": ("海南省", "Hainan"),
    "500000": ("重庆市", "Chongqing"),
    "510000": ("四川省", "Sichuan"),
    "520000": ("贵州省", "Guizhou"),
    "530000": ("云南省", "Yunnan"),
    "540000": ("西藏自治区", "Tibet"),
    "610000": ("陕西省", "Shaanxi"),
    "620000": ("甘肃省", "Gansu"),
    "630000": ("青海省", "Qinghai"),
    "640000": ("宁夏回族自治区", "Ningxia"),
    "650000": ("新疆维吾尔自治区", "Xinjiang"),
    "710000": ("台湾省", "Taiwan"),
    "810000": ("香港特别行政区", "Hong Kong"),
    "820000": ("澳门特别行政区", "Macao"),
}


# --- ECharts UTF8Encoding decoder (port of echarts/src/coord/geo/parseGeoJson.js)
def _decode_ring(s, offset, scale):
    px, py = offset
    out = []
    for i in range(0, len(s), 2):
        x = ord(s[i]) - 64
        y = ord(s[i + 1]) - 64
        x = (x >> 1) ^ (-(x & 1))  # zigzag
        y = (y >> 1) ^ (-(y & 1))
        x += px
        y += py
        px, py = x, y
        out.append((x / scale, y / scale))
    return out


def decode_echarts(d):
    if not d.get("UTF8Encoding"):
        return d
    scale = d.get("UTF8Scale") or 1024
    for f in d["features"]:
        g = f["geometry"]
        eo = g.pop("encodeOffsets")
        if g["type"] == "Polygon":
            g["coordinates"] = [_decode_ring(r, eo[i], scale) for i, r in enumerate(g["coordinates"])]
        elif g["type"] == "MultiPolygon":
            g["coordinates"] = [
                [_decode_ring(r, eo[i][j], scale) for j, r in enumerate(p)]
                for i, p in enumerate(g["coordinates"])
            ]
    return d


# --- GCJ-02 -> WGS84 (standard published GCJ-02 forward formula, inverted iteratively)
_A = 6378245.0
_EE = 0.00669342162296594323


def _gcj_delta(lon, lat):
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


def gcj02_to_wgs84(lon, lat):
    wlon, wlat = lon, lat
    for _ in range(5):  # fixed-point iteration: find w with wgs2gcj(w) == (lon, lat)
        dlon, dlat = _gcj_delta(wlon, wlat)
        wlon, wlat = lon - dlon, lat - dlat
    return wlon, wlat


# --- geometry helpers
def _polygons(geom):
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for g in geom.geoms for p in _polygons(g)]
    return []


def _clean(coords_type, coords):
    """Build polygons, dropping degenerate rings (< 4 points) and repairing self-intersections."""
    polys = coords if coords_type == "MultiPolygon" else [coords]
    out = []
    for rings in polys:
        rings = [r if r[0] == r[-1] else r + [r[0]] for r in rings if len(r) >= 3]
        rings = [r for r in rings if len(r) >= 4]
        if not rings:
            continue
        p = Polygon(rings[0], rings[1:])
        out.extend(_polygons(p if p.is_valid else make_valid(p)))
    return out


def _map_coords(poly, fn):
    return Polygon(
        [fn(*c) for c in poly.exterior.coords], [[fn(*c) for c in r.coords] for r in poly.interiors]
    )


def build(src_path):
    with open(src_path, encoding="utf-8") as fh:
        data = decode_echarts(json.load(fh))
    features = []
    for f in data["features"]:
        props = f["properties"]
        adcode = str(f.get("id") or props.get("id"))
        full, en = NAMES[adcode]
        tol = SMALL_TOLERANCE if adcode in SMALL_ADCODES else TOLERANCE
        parts = []
        for p in _clean(f["geometry"]["type"], f["geometry"]["coordinates"]):
            p = _map_coords(p, gcj02_to_wgs84)
            parts.extend(_polygons(p.simplify(tol, preserve_topology=True)))
        # merge overlapping parts, then snap to a 1e-4 degree grid (keeps the result valid)
        geom = set_precision(unary_union(parts), GRID)
        polys = [orient(x, sign=1.0) for x in _polygons(geom) if x.area > 0]
        geom = polys[0] if len(polys) == 1 else MultiPolygon(polys)
        features.append(
            {
                "type": "Feature",
                "properties": {"adcode": adcode, "name": props["name"], "name_full": full, "name_en": en},
                "geometry": mapping(geom),
            }
        )
    features.sort(key=lambda ft: ft["properties"]["adcode"])
    return {"type": "FeatureCollection", "features": features}


def _listify(o):
    if isinstance(o, (list, tuple)):
        return [_listify(x) for x in o]
    if isinstance(o, dict):
        return {k: _listify(v) for k, v in o.items()}
    if isinstance(o, float):
        return round(o, DECIMALS)
    return o


if __name__ == "__main__":
    src = sys.argv[1] if len(sys.argv) > 1 else "package/map/json/china.json"
    dst = sys.argv[2] if len(sys.argv) > 2 else "provinces.geojson"
    fc = _listify(build(src))
    with open(dst, "w", encoding="utf-8") as fh:
        # one feature per line: compact, but diff-friendly
        fh.write('{"type":"FeatureCollection","features":[\n')
        fh.write(
            ",\n".join(json.dumps(ft, ensure_ascii=False, separators=(",", ":")) for ft in fc["features"])
        )
        fh.write("\n]}\n")
    print(f"wrote {dst}: {len(fc['features'])} features")
