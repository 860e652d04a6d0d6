"""The transit demo: every certified consignment of the demo taken through transit by the
generator, rows shaped as the services write them, and nothing added by a second run."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from farms.regions import haversine_km
from livestock.models import Animal, Event
from quarantine.generate import Generator, Lot, reset_sequences
from quarantine.models import Consignment, ConsignmentStatusChange
from quarantine.selectors import certificate_check
from surveillance.models import Alert
from tests.quarantine.factories import farm_a, ready_herd
from transit import demo
from transit.models import (
    Arrival,
    GpsPoint,
    Ineligible,
    JourneyState,
    Loading,
    PortCheck,
    Seal,
    Trip,
    Vehicle,
)
from transit.selectors.fleet import vehicle_refusals
from transit.selectors.loading import addendum_holds
from transit.selectors.port import port_view

pytestmark = pytest.mark.django_db

RELEASED_STEPS = {"loaded", "warehouse_arrived", "transit_examined", "warehouse_departed", "exported"}


def _counts() -> tuple:
    return tuple(
        m.objects.count()
        for m in (Loading, Trip, Seal, Arrival, Ineligible, PortCheck, GpsPoint, Event, Alert)
    )


def _certified_weeks(world) -> None:
    """Certified consignments of enterprise A over the last fortnight, written by quarantine's
    generator as its demo does (the test scale's herds are too small for its traffic)."""
    farm = farm_a(world)
    animals = ready_herd(world, farm, range(1, 61))
    today = timezone.localdate()
    gen = Generator(today=today)
    for n in range(12):
        lot = [(a.pk, a.national_code) for a in animals[5 * n : 5 * n + 5]]
        gen.add(Lot(farm, lot, today - dt.timedelta(days=12 - n if n < 10 else 11 - n)))
    gen.flush()
    reset_sequences()
    for pk, status in gen.statuses.items():
        Animal.objects.filter(pk=pk).update(status=status)


def test_demo_takes_the_certified_consignments_through_transit(world):
    _certified_weeks(world)
    call_command("seed_demo", "--quiet-logins")
    trips = Trip.objects.select_related("loading__consignment", "loading__certificate", "vehicle", "gps_unit")
    assert trips.exists()
    by_status = Counter(t.status for t in trips)
    # Trucks of now on the live map, and most trips released at the port.
    assert by_status["en_route"] >= 1 and by_status["released"] > by_status["en_route"]
    assert Trip.objects.filter(status="held").count() == 1  # one hold still open
    assert PortCheck.objects.filter(override_at__isnull=False).exclude(override_reason="").count() == 1

    for trip in trips:
        loading = trip.loading
        assert loading.status == "closed" and addendum_holds(loading)
        assert loading.head_loaded == loading.animals.count() > 0
        assert set(loading.seals.filter(stage="loading").values_list("number", flat=True)) == set(
            loading.addendum["seals"]
        )
        points = list(GpsPoint.objects.filter(trip=trip).order_by("recorded_at"))
        assert points and not any(p.flag for p in points)
        assert trip.last_position_at == points[-1].recorded_at
        assert JourneyState.objects.get(trip=trip).points == len(points)
        assert trip.departed_at <= points[0].recorded_at
        # As the API leaves a unit: its last_seen_at is its newest point, so that a batch after
        # it is taken as holding nothing stored yet (journeys.points_ingest).
        assert trip.gps_unit is None or trip.gps_unit.last_seen_at >= points[-1].recorded_at
        for a, b in zip(points, points[1:], strict=False):
            hours = (b.recorded_at - a.recorded_at).total_seconds() / 3600
            assert haversine_km(a.lat, a.lng, b.lat, b.lng) / hours < 150  # never a jump ingestion flags
        if trip.status in ("at_warehouse", "to_port", "held", "released"):
            arrival = Arrival.objects.get(trip=trip)
            assert arrival.arrived_at == trip.arrived_warehouse_at >= points[0].recorded_at
            assert not loading.seals.filter(stage="loading", broken_at__isnull=True).exists()

    # Every released consignment: certificate used, consignment exported, its animals exported
    # with every step on their record; the animals set aside dead and disposed of.
    released = trips.filter(status="released")
    for trip in released:
        certificate = trip.loading.certificate
        consignment = trip.loading.consignment
        assert certificate.used_at == trip.ended_at
        assert certificate_check(certificate).state == "used"  # signature intact, marked used
        assert consignment.status == Consignment.Status.EXPORTED
        assert ConsignmentStatusChange.objects.filter(consignment=consignment, action="export").count() == 1
        assert not consignment.items.filter(holding=True).exists()
        view = port_view(certificate=certificate, trip=trip, source="warehouse")
        assert view.expected_codes and not view.unexpected
        for animal in Animal.objects.filter(pk__in=view.animal_ids):
            assert animal.status == Animal.Status.RELEASED
            assert RELEASED_STEPS <= set(Event.objects.filter(animal=animal).values_list("kind", flat=True))
        check = trip.port_checks.get(outcome="released")
        assert check.notice["head_released"] == len(view.animal_ids)
    assert Consignment.objects.filter(status="exported").count() == released.count()
    dead = list(Ineligible.objects.select_related("animal"))
    assert dead and all(i.animal.status == Animal.Status.DISPOSED and i.photos.exists() for i in dead)
    for item in dead:
        kinds = set(Event.objects.filter(animal=item.animal).values_list("kind", flat=True))
        assert {"set_aside", "death", "disposal"} <= kinds

    # Alerts: the detours and the long stop of the past (closed), the truck off its corridor now.
    kinds = Counter(Alert.objects.filter(key__startswith="transit:").values_list("kind", flat=True))
    assert kinds["off_route"] >= 1 and kinds["long_stop"] >= 1 and kinds["discrepancy"] >= 2

    # A truck back from its trip was disinfected: it may be loaded again.
    for vehicle in Vehicle.objects.filter(trips__status="released").distinct():
        if not vehicle.trips.exclude(status__in=["released", "abandoned"]).exists():
            assert not vehicle_refusals(vehicle=vehicle, species="1", head=1)

    before = _counts()
    call_command("seed_demo", "--quiet-logins")  # make run again: nothing more
    assert _counts() == before
    assert demo.trips_seed().get("loadings", 0) == 0
