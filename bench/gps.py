"""The journey: GPS ingestion through the API, and the periodic check over 150 trucks on the road.

Setup (not timed): the demo world and references, one consignment certified through the quarantine
services, copied (ORM) into 150 consignments with their certificates, closed loadings, vehicles
with GPS units (tokens as tload issues them) and trips on the road; a corridor for the farm.

- ``gps_points_per_s``: 150 units each post 4 JSON batches of 500 points (300,000 points) through
  the API in-process (Django's test client: URL, token check, the JSON parser, ingestion with its
  checks, the commit), one after another in one process; points over the wall time.
- ``corridor_check_ms``: ``journeys_check`` over the 150 trips (each with a position, a state, a
  corridor, active zones searched; the alerts the first run raised are open and not written again),
  median of 10 runs after that first one.

Everything the run wrote is deleted afterwards (and before, if a run died).
"""

import datetime as dt
import json
import math
import statistics
import tempfile
import time

TRUCKS = 150
BATCHES = 4
BATCH = 500
CHECK_RUNS = 10
PREFIX = "BGPS"


def _world():
    from accounts import demo
    from accounts.models import User
    from livestock import reference as livestock_reference
    from quarantine import reference
    from surveillance import reference as surveillance_reference

    if not User.objects.filter(username="manager").exists():
        demo.seed()
    reference.ensure()
    livestock_reference.ensure()
    surveillance_reference.ensure()
    from tests.conftest import load_world

    return load_world()


def cleanup() -> None:
    from quarantine.models import Certificate, Consignment
    from surveillance.models import Alert
    from transit.models import Driver, GpsPoint, GpsUnit, JourneyState, Loading, Trip, Vehicle

    trips = Trip.objects.filter(loading__number__startswith=PREFIX)
    Alert.objects.filter(
        key__startswith="transit:", data__trip__in=list(trips.values_list("pk", flat=True))
    ).delete()
    GpsPoint.objects.filter(unit__identifier__startswith=PREFIX).delete()
    JourneyState.objects.filter(trip__in=trips).delete()
    trips.delete()
    Loading.objects.filter(number__startswith=PREFIX).delete()
    Vehicle.objects.filter(plate__startswith=PREFIX).delete()
    Driver.objects.filter(name__startswith=PREFIX).delete()
    GpsUnit.objects.filter(identifier__startswith=PREFIX).delete()
    Certificate.objects.filter(number__startswith=PREFIX).delete()
    Consignment.objects.filter(number__startswith=PREFIX).delete()


def _trucks(world):
    from django.test import override_settings
    from django.utils import timezone

    from tests.transit.journeys_factories import certified
    from transit.models import Driver, GpsUnit, Loading, Trip, Vehicle
    from transit.services.journeys import corridor_save, token_hash

    # The bench signs its one certificate with a throw-away key, as the embedded mode does.
    with (
        tempfile.TemporaryDirectory() as folder,
        override_settings(
            QUARANTINE_KEY_GENERATE=True,
            QUARANTINE_SIGNING_KEY="",
            QUARANTINE_SIGNING_KEY_FILE=f"{folder}/key.pem",
        ),
    ):
        farm, consignment, certificate = certified(world)
    corridor_save(
        actor=world.manager,
        farm=farm,
        route={
            "type": "LineString",
            "coordinates": [[114.35, 22.80], [114.1137, 22.5838], [114.1283, 22.5395]],
        },
        buffer_m=500,
        planned_minutes=150,
        stop_minutes=30,
    )
    now = timezone.now()
    tokens, trips = [], []
    for i in range(TRUCKS):
        c = type(consignment).objects.get(pk=consignment.pk)
        c.pk, c.number = None, f"{PREFIX}{i:05d}"
        c.save()
        cert = type(certificate).objects.get(pk=certificate.pk)
        cert.pk, cert.number, cert.consignment = None, f"{PREFIX}C{i:05d}", c
        cert.save()
        token = f"{PREFIX}{i:04d}-" + "k" * 32
        unit = GpsUnit.objects.create(
            enterprise=world.ent_a,
            identifier=f"{PREFIX}-{i}",
            token_prefix=token[:8],
            token_hash=token_hash(token),
        )
        vehicle = Vehicle.objects.create(
            enterprise=world.ent_a,
            plate=f"{PREFIX}{i:04d}",
            permit_number="P",
            permit_valid_until=now.date() + dt.timedelta(days=100),
            gps_unit=unit,
            status="approved",
            created_by=world.ent_a_admin,
        )
        driver = Driver.objects.create(
            enterprise=world.ent_a,
            name=f"{PREFIX}{i}",
            id_number=f"{PREFIX}{i}",
            phone="1",
            licence_number="L",
            licence_valid_until=now.date() + dt.timedelta(days=100),
            created_by=world.ent_a_admin,
        )
        loading = Loading.objects.create(
            number=f"{PREFIX}{i:05d}",
            consignment=c,
            certificate=cert,
            enterprise=c.enterprise,
            branch=c.branch,
            vehicle=vehicle,
            driver=driver,
            status="closed",
            head_expected=c.head_count,
            opened_by=world.insp_a,
            opened_at=now - dt.timedelta(hours=6),
            closed_at=now - dt.timedelta(hours=6),
        )
        trips.append(
            Trip.objects.create(
                loading=loading,
                vehicle=vehicle,
                driver=driver,
                gps_unit=unit,
                enterprise=c.enterprise,
                departed_at=now - dt.timedelta(hours=6),
                due_at=now + dt.timedelta(hours=2),
            )
        )
        tokens.append(token)
    return trips, tokens


def _batches(i: int, now):
    """A truck's 2,000 points, every 10 s over the last 5.5 hours, along (or, one in five, off) the route."""
    total = BATCHES * BATCH
    start = now - dt.timedelta(seconds=10 * total)
    off = 0.05 if i % 5 == 0 else 0.0
    points = []
    for n in range(total):
        f = n / total
        points.append(
            {
                "time": (start + dt.timedelta(seconds=10 * n)).isoformat(),
                "lat": round(22.80 - 0.2162 * f + 0.0005 * math.sin(n / 7), 6),
                "lng": round(114.35 - 0.2363 * f - off, 6),
                "speed": 55.0,
                "heading": 225.0,
            }
        )
    return [json.dumps({"points": points[b * BATCH : (b + 1) * BATCH]}) for b in range(BATCHES)]


def _ingest(tokens) -> tuple[float, dict]:
    from django.test import Client
    from django.utils import timezone

    client = Client()
    now = timezone.now()
    bodies = [_batches(i, now) for i in range(len(tokens))]
    stored = 0
    started = time.perf_counter()
    for token, batches in zip(tokens, bodies, strict=True):
        for body in batches:
            answer = client.post(
                "/api/gps/points/",
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            assert answer.status_code == 200, answer.content[:200]
            stored += answer.json()["stored"]
    elapsed = time.perf_counter() - started
    return stored / elapsed, {"points": stored, "seconds": round(elapsed, 2), "batch": BATCH}


def _check() -> tuple[float, dict]:
    from transit.services.journeys import journeys_check

    first = journeys_check()
    times = []
    for _ in range(CHECK_RUNS):
        started = time.perf_counter()
        result = journeys_check()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), {
        "worst_run": round(max(times), 2),
        "trips": result.trips,
        "raised": first.raised,
        "runs": CHECK_RUNS,
    }


def run(*, profile: bool = False) -> dict:
    world = _world()
    cleanup()
    try:
        _trips, tokens = _trucks(world)
        per_s, ingest_details = _ingest(tokens)
        check_ms, check_details = _check()
    finally:
        cleanup()
    return {
        "gps_points_per_s": {"value": round(per_s), **ingest_details},
        "corridor_check_ms": {"value": round(check_ms, 2), **check_details},
    }
