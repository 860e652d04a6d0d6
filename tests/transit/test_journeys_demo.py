"""The demo journeys: roads towards Shenzhen and tracks along them."""

from django.utils import timezone

from transit import demo_journeys
from transit.demo_journeys import QINGSHUIHE, WENJINDU, road_for, track


def test_roads_run_from_the_farm_through_qingshuihe_to_wenjindu():
    for farm in [(27.5, 112.9), (23.17, 114.29), (23.1, 109.6)]:
        road = road_for(*farm)
        assert road[0] == farm and road[-1] == WENJINDU and QINGSHUIHE in road
        points = track(road, timezone.now(), seed=1)
        speeds = [
            demo_journeys.haversine_km(a[1], a[2], b[1], b[2]) / ((b[0] - a[0]).total_seconds() / 3600)
            for a, b in zip(points, points[1:], strict=False)
        ]
        assert max(speeds) < 150  # plausible: never a jump the ingestion would flag
