"""Simulated GPS units for the embedded mode: the demo's trucks on the road keep reporting.

``make run`` starts it beside the web server (as ``reader_demo`` for the ear-tag reader), so that
the bureau's live map shows trucks moving, not trucks that went silent when the demo was seeded
(the journey check would raise "signal lost" for every one of them ten minutes later). Every
``--every`` seconds each demo truck on the road posts its next position to the GPS API over HTTP,
with its unit's token, exactly as a unit in a truck does — the real path: token, parser, checks,
attachment to the trip. A truck moves along the demo's road from its farm to Qingshuihe (then
from Qingshuihe to Wenjindu once it left the warehouse) and waits at the gate when it is there.
A truck with an open journey alert (the demo's detour and long stop) stays where it is, so that
the demo keeps showing what an alert looks like; the officer's screens close those as usual.

Only demo units (their token is ``demo-<unit ID>``, transit/demo_fleet.py) are driven: never a
real unit's, whose token the server does not hold.
"""

import datetime as dt
import json
import math
import time
import urllib.error
import urllib.request

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.utils import timezone

from farms.regions import haversine_km
from surveillance.models import Alert
from transit import demo_journeys
from transit.models import Trip

AT_GATE_KM = 0.3  # closer than this to where it goes, a truck waits at the gate


def _toward(here: tuple, there: tuple, km: float) -> tuple[float, float, float]:
    """(lat, lng, heading) ``km`` from ``here`` toward ``there`` (there itself if nearer)."""
    span = haversine_km(*here, *there)
    heading = (math.degrees(math.atan2(there[1] - here[1], there[0] - here[0])) + 360) % 360
    if span <= km:
        return there[0], there[1], heading
    f = km / span
    return here[0] + (there[0] - here[0]) * f, here[1] + (there[1] - here[1]) * f, heading


def next_position(trip: Trip, here: tuple, km: float) -> tuple[float, float, float, float]:
    """(lat, lng, speed km/h, heading) of ``trip`` after ``km`` more along its road."""
    farm = trip.loading.consignment.farm
    road = demo_journeys.road_for(float(farm.latitude), float(farm.longitude))
    goal = demo_journeys.QINGSHUIHE if trip.status == Trip.Status.EN_ROUTE else demo_journeys.WENJINDU
    if trip.status == Trip.Status.EN_ROUTE:
        road = road[: road.index(demo_journeys.QINGSHUIHE) + 1]
    else:
        road = road[road.index(demo_journeys.QINGSHUIHE) :]
    if haversine_km(*here, *goal) < AT_GATE_KM:
        return here[0], here[1], 0.0, 0.0
    heading = 0.0
    while km > 1e-6:
        left = haversine_km(*here, *goal)
        # The next waypoint: the first of the road nearer to the goal than the truck is.
        target = next((p for p in road if haversine_km(*p, *goal) < left - 0.05), goal)
        step = min(km, haversine_km(*here, *target))
        lat, lng, heading = _toward(here, target, step)
        here, km = (lat, lng), km - step
        if target == goal and step == 0:
            break
    return round(here[0], 6), round(here[1], 6), float(demo_journeys.SPEED_KMH), round(heading, 1)


class Command(BaseCommand):
    help = "Post the demo trucks' positions to the GPS API every --every seconds (make run)."

    def add_arguments(self, parser):
        parser.add_argument("--server", default="http://127.0.0.1:8000")
        parser.add_argument("--every", type=int, default=30)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, server: str, every: int, once: bool, **options):
        every = max(5, every)
        while True:
            try:
                sent = self.tick(server.rstrip("/"), every)
                self.stdout.write(f"gps demo: {sent} trucks reported")
            except (urllib.error.URLError, OSError) as exc:  # the server is starting or stopping
                self.stderr.write(f"gps demo: {exc}")
            if once:
                return
            time.sleep(every)

    def tick(self, server: str, every: int) -> int:
        trip_type = ContentType.objects.get_for_model(Trip)
        alerted = set(
            Alert.objects.filter(
                subject_type=trip_type, state__in=Alert.OPEN, key__startswith="transit:"
            ).values_list("subject_id", flat=True)
        )
        trips = (
            Trip.objects.filter(status__in=Trip.ON_ROAD, gps_unit__isnull=False, last_lat__isnull=False)
            .select_related("gps_unit", "loading__consignment__farm")
            .order_by("pk")
        )
        now = timezone.now()
        sent = 0
        for trip in trips:
            here = (float(trip.last_lat), float(trip.last_lng))
            if trip.pk in alerted:
                lat, lng, speed, heading = here[0], here[1], 0.0, 0.0
            else:
                km = demo_journeys.SPEED_KMH * every / 3600
                lat, lng, speed, heading = next_position(trip, here, km)
            point = {
                "time": now.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                "lat": lat,
                "lng": lng,
                "speed": speed,
                "heading": heading,
            }
            request = urllib.request.Request(
                f"{server}/api/gps/points/",
                data=json.dumps({"points": [point]}).encode(),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer demo-{trip.gps_unit.identifier}",
                },
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=10):
                    sent += 1
            except urllib.error.HTTPError as exc:  # not a demo unit (403), or refused: say so
                self.stderr.write(f"gps demo: {trip.gps_unit.identifier}: {exc.code} {exc.read()[:200]!r}")
        return sent
