"""The embedded mode's simulated GPS units (manage.py gps_demo): the real API, over HTTP."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from farms.regions import haversine_km
from transit import demo_journeys
from transit.management.commands.gps_demo import next_position
from transit.models import GpsPoint, GpsUnit, Trip
from transit.services.journeys import token_hash

from .journeys_factories import trip_on_road


def _as_demo_unit(trip):
    token = f"demo-{trip.gps_unit.identifier}"
    GpsUnit.objects.filter(pk=trip.gps_unit_id).update(token_prefix=token[:8], token_hash=token_hash(token))


@pytest.mark.django_db(transaction=True)
def test_a_demo_truck_on_the_road_reports_its_next_position_through_the_api(world, live_server):
    trip, _token = trip_on_road(world)
    _as_demo_unit(trip)
    farm = trip.loading.consignment.farm
    start = (float(farm.latitude), float(farm.longitude))
    Trip.objects.filter(pk=trip.pk).update(
        last_lat=start[0], last_lng=start[1], last_position_at=timezone.now() - dt.timedelta(minutes=1)
    )
    call_command("gps_demo", server=live_server.url, once=True, every=30)
    trip.refresh_from_db()
    assert GpsPoint.objects.filter(unit=trip.gps_unit).count() == 1
    moved = (float(trip.last_lat), float(trip.last_lng))
    assert trip.last_position_at > timezone.now() - dt.timedelta(seconds=30)
    # 30 s at the demo's speed, toward Qingshuihe
    assert haversine_km(*start, *moved) == pytest.approx(demo_journeys.SPEED_KMH * 30 / 3600, rel=0.1)
    assert haversine_km(*moved, *demo_journeys.QINGSHUIHE) < haversine_km(*start, *demo_journeys.QINGSHUIHE)


@pytest.mark.django_db
def test_a_truck_at_the_gate_waits(world):
    trip, _token = trip_on_road(world)
    near = (demo_journeys.QINGSHUIHE[0] + 0.001, demo_journeys.QINGSHUIHE[1])
    lat, lng, speed, _heading = next_position(trip, near, 0.6)
    assert (lat, lng, speed) == (near[0], near[1], 0.0)
    Trip.objects.filter(pk=trip.pk).update(status=Trip.Status.TO_PORT)
    trip.refresh_from_db()
    lat, lng, speed, _heading = next_position(trip, near, 0.6)
    assert speed > 0
    assert haversine_km(lat, lng, *demo_journeys.WENJINDU) < haversine_km(*near, *demo_journeys.WENJINDU)
