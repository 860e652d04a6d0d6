"""Demo journeys: a corridor for every demo farm, and the roads and tracks transit.generate draws.

No map service: the routes follow the general direction of the real roads from the supplying
provinces to Shenzhen through fixed waypoints (towns on the G4 Beijing–Hong Kong–Macau expressway
from Hunan, the G78/G80 from Guangxi through Zhaoqing and Foshan, the Shenzhen–Shanwei and
Huizhou roads from the east), then Buji to the Qingshuihe warehouse (清水河, Luohu) and down
Wenjin Road to the Wenjindu port (文锦渡). Tracks are points every 30 s along those lines at
highway speeds with a little GPS noise (``track``; ``detour`` takes a leg some 4 km off the road).

Idempotent: a farm with a corridor keeps it.
"""

import datetime as dt

import numpy as np

from farms.regions import haversine_km

QINGSHUIHE = (22.5838, 114.1137)
WENJINDU = (22.5395, 114.1283)
BUJI = (22.6180, 114.1200)
WENJIN_ROAD = [(22.5700, 114.1180), (22.5520, 114.1230)]
# Towns along the roads, farthest first: a farm joins its road at the first one nearer Shenzhen.
ROADS = {
    "north": [  # G4 through Hunan and northern Guangdong
        (28.19, 112.98), (27.83, 113.15), (26.89, 112.57), (25.79, 113.03), (24.80, 113.60),
        (24.18, 113.40), (23.40, 113.30), (23.02, 113.75), BUJI,
    ],
    "west": [  # G78/G80 through Guangxi, Zhaoqing and Foshan
        (22.82, 108.37), (23.47, 111.28), (23.05, 112.47), (23.02, 113.12), (22.95, 113.40),
        (23.02, 113.75), BUJI,
    ],
    "east": [  # Huizhou and the roads into Longgang
        (23.17, 114.29), (23.08, 114.40), (22.80, 114.45), (22.72, 114.25), BUJI,
    ],
}  # fmt: skip
SPEED_KMH = 70
EVERY_S = 30


def road_for(lat: float, lng: float) -> list[tuple]:
    """The waypoints from a farm at (lat, lng) to Qingshuihe and on to Wenjindu."""
    name = "north" if lat > 24.3 else "east" if lng > 113.9 else "west"
    farm_to_qsh = haversine_km(lat, lng, *QINGSHUIHE)
    towns = [p for p in ROADS[name] if haversine_km(*p, *QINGSHUIHE) < farm_to_qsh]
    return [(lat, lng), *towns, QINGSHUIHE, *WENJIN_ROAD, WENJINDU]


def _length_km(points) -> float:
    return sum(haversine_km(*a, *b) for a, b in zip(points, points[1:], strict=False))


def track(waypoints, start: dt.datetime, *, seed: int, until: dt.datetime | None = None, detour=False):
    """Points ``(time, lat, lng, km/h)`` along ``waypoints`` from ``start`` (stopping at ``until``)."""
    # numpy, not a loop: the bench's year draws over a million points (a fortnight of trips).
    rng = np.random.default_rng(seed)
    legs = list(zip(waypoints, waypoints[1:], strict=False))
    detour_leg = len(legs) // 2 if detour else -1
    lats, lngs = [], []
    for n, (a, b) in enumerate(legs):
        km = haversine_km(*a, *b)
        steps = max(1, int(km / (SPEED_KMH * EVERY_S / 3600)))
        f = np.arange(steps) / steps
        lats.append(a[0] + (b[0] - a[0]) * f)
        lng = a[1] + (b[1] - a[1]) * f
        if n == detour_leg:
            lng = lng - 0.04 * np.sin(np.pi * f)  # some 4 km off the road and back
        lngs.append(lng)
    count = sum(len(x) for x in lats)
    lat = np.concatenate(lats) if lats else np.empty(0)
    lng = np.concatenate(lngs) if lngs else np.empty(0)
    lat = np.round(lat + rng.normal(0, 0.0001, count), 6).tolist()
    lng = np.round(lng + rng.normal(0, 0.0001, count), 6).tolist()
    speed = np.round(SPEED_KMH + rng.uniform(-8, 8, count), 1).tolist()
    every = dt.timedelta(seconds=EVERY_S)
    times = [start + every * i for i in range(count + 1)]
    out = [*zip(times, lat, lng, speed, strict=False), (times[-1], *waypoints[-1], 0.0)]
    if until is not None:
        # Each point whose time has come; the first one always.
        out = out[:1] + [p for p in out[1:] if p[0] <= until]
    return out


def off_corridor(points, *, last: int = 12, km: float = 4.0):
    """The same track with its ``last`` points turning some ``km`` off to the west (a detour now)."""
    out = list(points)
    start = max(0, len(out) - last)
    for i in range(start, len(out)):
        t, lat, lng, v = out[i]
        f = min(1.0, (i - start + 1) / (last / 2))
        out[i] = (t, lat, round(lng - km / 100 * f, 6), v)
    return out


def corridors_seed(actor) -> int:
    from farms.models import Farm
    from transit.models import Corridor
    from transit.services.journeys import corridor_save

    made = 0
    farms = Farm.objects.filter(status=Farm.Status.REGISTERED, latitude__isnull=False).exclude(
        pk__in=Corridor.objects.values("farm_id")
    )
    for farm in farms.order_by("pk"):
        road = road_for(float(farm.latitude), float(farm.longitude))
        corridor_save(
            actor=actor,
            farm=farm,
            route={"type": "LineString", "coordinates": [[lng, lat] for lat, lng in road]},
            buffer_m=800,
            planned_minutes=max(30, int(_length_km(road) / 60 * 60) + 30),
            stop_minutes=30,
        )
        made += 1
    return made
