"""What a demo farm looks like on the ground: its point in the county, layout and neighbours."""

import math
import random
from decimal import Decimal

from .. import regions
from ..models import SurroundingKind
from ..reference import MINIMUMS
from .places import PIG

K = SurroundingKind
M_PER_DEGREE = 111_320

ROADS = ["G105国道", "G106国道", "G205国道", "G207国道", "S120省道", "S243省道", "县道X138", "乡道Y021"]
RESERVOIRS = ["白石水库", "黄坑水库", "东风水库", "长岭水库", "大坑水库"]


# County seats the county table has no coordinates for (yet).
SEATS = {"430182": (28.2540, 112.5520)}


def centre(county) -> tuple[float, float]:
    """Return the county seat's (lat, lng), WGS84."""
    if county.latitude is None:
        return SEATS[county.code]
    return county.latitude, county.longitude


def _offset(lat: float, lng: float, east_m: float, north_m: float) -> tuple[float, float]:
    return lat + north_m / M_PER_DEGREE, lng + east_m / (M_PER_DEGREE * math.cos(math.radians(lat)))


def locate(code: str, county, rng: random.Random, taken: list) -> tuple[Decimal, Decimal]:
    """Return a point inside the county, a few km from its seat and away from other farms.

    With the county's outline shipped the point is checked against it; without, it stays
    within 3 km of the seat, which is inside any county.
    """
    lat0, lng0 = centre(county)
    outline = regions.has_outline(code)
    for attempt in range(40):
        radius = rng.uniform(1500, 9000) * (1 - attempt / 50) if outline else rng.uniform(600, 3000)
        angle = rng.uniform(0, 2 * math.pi)
        lat, lng = _offset(lat0, lng0, radius * math.cos(angle), radius * math.sin(angle))
        far = all(abs(lat - a) > 0.005 or abs(lng - b) > 0.005 for a, b in taken)
        if far and (not outline or regions.point_in_county(code, lat, lng, tolerance_km=0)):
            break
    else:
        lat, lng = lat0 + rng.uniform(-0.01, 0.01), lng0 + rng.uniform(-0.01, 0.01)
    taken.append((lat, lng))
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


def _box(lat, lng, east, north, width, depth) -> list:
    corners = [(east, north), (east + width, north), (east + width, north + depth), (east, north + depth)]
    ring = [list(reversed([round(v, 6) for v in _offset(lat, lng, e, n)])) for e, n in corners]
    return [ring + [ring[0]]]


def _feature(kind: str, name: str, geometry: dict) -> dict:
    return {"type": "Feature", "properties": {"kind": kind, "name": name}, "geometry": geometry}


def layout(lat: Decimal, lng: Decimal, species: str, capacity: int, rng: random.Random) -> dict:
    """Return pens in rows north of the gate, an isolation house, a disinfection pool and manure works."""
    lat, lng = float(lat), float(lng)
    word = {"1": "猪舍", "2": "牛舍", "3": "羊舍"}[species]
    per_pen = {"1": 600, "2": 120, "3": 300}[species]
    pens = max(2, min(12, capacity // per_pen))
    width, depth = (60, 14) if species == PIG else (48, 16)
    features = []
    for n in range(pens):
        row, col = divmod(n, 3)
        box = _box(lat, lng, -80 + col * (width + 10), 30 + row * (depth + 12), width, depth)
        features.append(_feature("pen", f"{n + 1}号{word}", {"type": "Polygon", "coordinates": box}))
    rows = (pens + 2) // 3
    features.append(
        _feature("isolation", "隔离舍", {"type": "Polygon", "coordinates": _box(lat, lng, 150, 30, 24, 14)})
    )
    pool = list(reversed([round(v, 6) for v in _offset(lat, lng, 0, 8)]))
    features.append(_feature("disinfection_pool", "车辆消毒池", {"type": "Point", "coordinates": pool}))
    manure = _box(lat, lng, -120, 30 + rows * (depth + 12), 30, 20 + rng.randint(0, 10))
    features.append(_feature("manure", "粪污处理区", {"type": "Polygon", "coordinates": manure}))
    return {"type": "FeatureCollection", "features": features}


def surroundings(town: str, village: str, county_name: str, rng: random.Random) -> list[dict]:
    """Return the declared neighbours, each comfortably beyond the bureau's minimum."""
    described = {
        K.RESIDENTIAL: f"{village}村居民点",
        K.ROAD: rng.choice(ROADS),
        K.OTHER_FARM: "邻近养殖场",
        K.SLAUGHTERHOUSE: f"{county_name}定点屠宰场",
        K.MARKET: f"{town}农贸市场",
        K.WATER_SOURCE: f"{rng.choice(RESERVOIRS)}饮用水源保护区",
        K.VET_CLINIC: f"{town}动物诊疗所",
    }
    out = []
    for kind, minimum in MINIMUMS.items():
        if kind in (K.MARKET, K.VET_CLINIC) and rng.random() < 0.4:
            continue
        distance = int(minimum * rng.uniform(1.2, 6) / 10) * 10
        out.append({"kind": kind, "description": described[kind], "distance_m": distance})
    return out
