"""The journey on the year (bench/year.py): GPS ingestion through the API, and the periodic check
over 150 trucks on the road.

Setup (not timed): 150 of the year's farms, each with its corridor (the year's, drawn by
``transit.demo_journeys.corridors_seed``) and its newest certified consignment, copied with its
certificate under a number of the bench's own (``BGPS…``, issued now); for each a truck, a driver
and a GPS unit of the farm's enterprise (tokens as tload issues them), a closed loading and a trip
on the road for the last six hours. The year's own trips, GPS points (the last fortnight's) and trucks
of now stay as they are: the points go into a table that holds millions, the check sees the
year's trucks on the road beside the bench's.

- ``gps_points_per_s``: 150 units each post 4 JSON batches of 500 points (300,000 points) through
  the API in-process (Django's test client: URL, token check, the JSON parser, ingestion with its
  checks, the commit), one after another in one process; points over the wall time. Each truck's
  points follow its farm's corridor towards Qingshuihe at road speed, every 10 s over the last
  5.5 hours; one truck in five runs some 5 km west of it.
- ``corridor_check_ms``: ``journeys_check`` over every trip on the road (the 150 and the year's
  own; each with a position, a state, a corridor, active zones searched; the alerts the first run
  raised are open and not written again), median of 10 runs after that first one.

Everything the run wrote is deleted afterwards (and before, if a run died): the bench's rows by
their ``BGPS`` names, their history rows, and the alerts raised during the run (the year's
trucks' included), so that a second run on the same copy starts from the same state.
"""

import datetime as dt
import json
import math
import statistics
import time

TRUCKS = 150
BATCHES = 4
BATCH = 500
EVERY_S = 10
CHECK_RUNS = 10
PREFIX = "BGPS"
SPEED_KMH = 70
OFF_ROUTE_DEG = 0.05  # one truck in five this far west of its corridor (~5 km)


def _forget(model, pks) -> None:
    """Delete ``model``'s rows ``pks`` and the history rows their saves wrote."""
    pks = list(pks)
    model.objects.filter(pk__in=pks).delete()
    if hasattr(model, "history"):
        model.history.filter(id__in=pks).delete()


def cleanup(alerts_after: int | None = None) -> None:
    from quarantine.models import Certificate, Consignment
    from surveillance.models import Alert
    from transit.models import Driver, GpsPoint, GpsUnit, JourneyState, Loading, Trip, Vehicle

    trips = list(Trip.objects.filter(loading__number__startswith=PREFIX).values_list("pk", flat=True))
    alerts = Alert.objects.filter(key__startswith="transit:", data__trip__in=trips)
    if alerts_after is not None:
        # The alerts the run's checks raised on the year's own trucks too.
        alerts = Alert.objects.filter(key__startswith="transit:", pk__gt=alerts_after) | alerts
    alerts.delete()
    GpsPoint.objects.filter(unit__identifier__startswith=PREFIX).delete()
    JourneyState.objects.filter(trip__in=trips).delete()
    _forget(Trip, trips)
    _forget(Loading, Loading.objects.filter(number__startswith=PREFIX).values_list("pk", flat=True))
    _forget(Vehicle, Vehicle.objects.filter(plate__startswith=PREFIX).values_list("pk", flat=True))
    _forget(Driver, Driver.objects.filter(name__startswith=PREFIX).values_list("pk", flat=True))
    _forget(GpsUnit, GpsUnit.objects.filter(identifier__startswith=PREFIX).values_list("pk", flat=True))
    _forget(Certificate, Certificate.objects.filter(number__startswith=PREFIX).values_list("pk", flat=True))
    _forget(Consignment, Consignment.objects.filter(number__startswith=PREFIX).values_list("pk", flat=True))


def _farms() -> list:
    """(corridor, its farm's newest certified consignment, its certificate in force) for up to
    TRUCKS farms of the year, the farms with the most recent consignments first."""
    from quarantine.models import Certificate
    from transit.models import Corridor

    out = []
    latest = (
        Certificate.objects.filter(voided_at__isnull=True, consignment__farm__corridor__isnull=False)
        .exclude(number__startswith=PREFIX)
        .select_related("consignment")
        .order_by("consignment__farm_id", "-issued_at")
        .distinct("consignment__farm_id")
    )
    corridors = {c.farm_id: c for c in Corridor.objects.all()}
    for certificate in sorted(latest, key=lambda k: k.issued_at, reverse=True)[:TRUCKS]:
        out.append((corridors[certificate.consignment.farm_id], certificate.consignment, certificate))
    if not out:
        raise RuntimeError("no farm with a corridor and a certificate: is this the year?")
    return out


def _trucks() -> tuple[list, list, list]:
    from django.utils import timezone

    from accounts.models import Role, User
    from transit.models import Driver, GpsUnit, Loading, Trip, Vehicle
    from transit.services.journeys import token_hash

    manager = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk").first()
    farms = _farms()
    now = timezone.now()
    tokens, trips, routes = [], [], []
    for i in range(TRUCKS):
        corridor, consignment, certificate = farms[i % len(farms)]
        c = type(consignment).objects.get(pk=consignment.pk)
        c.pk, c.number, c.status = None, f"{PREFIX}{i:05d}", "approved"
        c.planned_loading_on = timezone.localdate()
        c.save()
        cert = type(certificate).objects.get(pk=certificate.pk)
        cert.pk, cert.number, cert.consignment = None, f"{PREFIX}C{i:05d}", c
        cert.issued_at, cert.valid_until = (
            now - dt.timedelta(days=1),
            timezone.localdate() + dt.timedelta(days=1),
        )
        cert.used_at, cert.used_by, cert.replaces = None, None, None
        cert.save()
        token = f"{PREFIX}{i:04d}-" + "k" * 32
        unit = GpsUnit.objects.create(
            enterprise_id=c.enterprise_id,
            identifier=f"{PREFIX}-{i}",
            token_prefix=token[:8],
            token_hash=token_hash(token),
        )
        vehicle = Vehicle.objects.create(
            enterprise_id=c.enterprise_id,
            plate=f"{PREFIX}{i:04d}",
            permit_number="P",
            permit_valid_until=now.date() + dt.timedelta(days=100),
            gps_unit=unit,
            status="approved",
            created_by=manager,
        )
        driver = Driver.objects.create(
            enterprise_id=c.enterprise_id,
            name=f"{PREFIX}{i}",
            id_number=f"{PREFIX}{i}",
            phone="1",
            licence_number="L",
            licence_valid_until=now.date() + dt.timedelta(days=100),
            created_by=manager,
        )
        loading = Loading.objects.create(
            number=f"{PREFIX}{i:05d}",
            consignment=c,
            certificate=cert,
            enterprise_id=c.enterprise_id,
            branch_id=c.branch_id,
            vehicle=vehicle,
            driver=driver,
            status="closed",
            head_expected=c.head_count,
            opened_by=manager,
            opened_at=now - dt.timedelta(hours=6),
            closed_at=now - dt.timedelta(hours=6),
        )
        trips.append(
            Trip.objects.create(
                loading=loading,
                vehicle=vehicle,
                driver=driver,
                gps_unit=unit,
                enterprise_id=c.enterprise_id,
                departed_at=now - dt.timedelta(hours=6),
                due_at=now + dt.timedelta(hours=2),
            )
        )
        tokens.append(token)
        routes.append(corridor.route["coordinates"])
    return trips, tokens, routes


def _along(route: list, at_km: float) -> tuple[float, float]:
    """The (lat, lng) ``at_km`` along ``route`` ([lng, lat] pairs)."""
    from farms.regions import haversine_km

    for (x0, y0), (x1, y1) in zip(route, route[1:], strict=False):
        leg = haversine_km(y0, x0, y1, x1)
        if at_km <= leg:
            f = at_km / leg if leg else 0.0
            return y0 + (y1 - y0) * f, x0 + (x1 - x0) * f
        at_km -= leg
    return route[-1][1], route[-1][0]


def _batches(i: int, route: list, now):
    """A truck's 2,000 points, every 10 s over the last 5.5 hours, along its corridor to some 5 km
    short of Qingshuihe at road speed (or, one truck in five, some 5 km west of it)."""
    from farms.regions import haversine_km
    from transit.demo_journeys import QINGSHUIHE

    total = BATCHES * BATCH
    # The route to Qingshuihe (the warehouse is one of its points; then on to the port).
    stop = next(
        (n for n, (x, y) in enumerate(route) if (round(y, 4), round(x, 4)) == QINGSHUIHE), len(route) - 1
    )
    to_warehouse = route[: stop + 1]
    length = sum(
        haversine_km(y0, x0, y1, x1)
        for (x0, y0), (x1, y1) in zip(to_warehouse, to_warehouse[1:], strict=False)
    )
    end = max(0.0, length - 5) if length > 10 else length * 0.5
    start = max(0.0, end - SPEED_KMH * total * EVERY_S / 3600)
    speed = (end - start) / (total * EVERY_S / 3600)
    first = now - dt.timedelta(seconds=EVERY_S * total)
    off = OFF_ROUTE_DEG if i % 5 == 0 else 0.0
    points = []
    for n in range(total):
        lat, lng = _along(to_warehouse, start + (end - start) * n / total)
        points.append(
            {
                "time": (first + dt.timedelta(seconds=EVERY_S * n)).isoformat(),
                "lat": round(lat + 0.0005 * math.sin(n / 7), 6),
                "lng": round(lng - off, 6),
                "speed": round(speed, 1),
            }
        )
    return [json.dumps({"points": points[b * BATCH : (b + 1) * BATCH]}) for b in range(BATCHES)]


def _ingest(tokens, routes) -> tuple[float, dict]:
    from django.test import Client
    from django.utils import timezone

    client = Client()
    now = timezone.now()
    bodies = [_batches(i, route, now) for i, route in enumerate(routes)]
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
    from django.db.models import Max

    from surveillance.models import Alert

    cleanup()
    alerts_after = Alert.objects.aggregate(m=Max("pk"))["m"] or 0
    try:
        _trips, tokens, routes = _trucks()
        per_s, ingest_details = _ingest(tokens, routes)
        check_ms, check_details = _check()
    finally:
        cleanup(alerts_after)
    return {
        "gps_points_per_s": {"value": round(per_s), **ingest_details},
        "corridor_check_ms": {"value": round(check_ms, 2), **check_details},
    }
