"""The demo journeys: roads towards Shenzhen, tracks for the trips, the check run once."""

import datetime as dt

from django.utils import timezone

from transit import demo_journeys
from transit.demo_journeys import QINGSHUIHE, WENJINDU, road_for, track
from transit.models import Corridor, GpsPoint

from .journeys_factories import trip_on_road


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


def test_seed_draws_corridors_and_tracks(world):
    trip, _token = trip_on_road(world, departed_minutes_ago=90)
    made = demo_journeys.seed()
    assert made["tracks"] == 1
    assert Corridor.objects.filter(farm=trip.loading.consignment.farm).exists()
    points = GpsPoint.objects.filter(trip=trip)
    assert points.count() > 100 and not points.exclude(flag="").exists()
    trip.refresh_from_db()
    assert trip.last_position_at == points.order_by("-recorded_at").first().recorded_at
    assert trip.last_position_at > timezone.now() - dt.timedelta(minutes=90)
    assert demo_journeys.seed()["tracks"] == 0  # idempotent
