"""The loading demo loads the approved consignments through the services, once."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from livestock.models import Animal, Event
from tests.quarantine.factories import farm_a
from tests.transit.loading_factories import certified, driver, vehicle
from transit import demo_loading, demo_port
from transit.models import Loading, Trip

pytestmark = pytest.mark.django_db


def test_demo_loads_through_the_services_once(world):
    vehicle(world, plate="粤L10001")
    vehicle(world, plate="粤L10002")
    driver(world)
    farm = farm_a(world)
    consignments = [certified(world, serials=range(10 * k + 1, 10 * k + 5), farm=farm)[0] for k in range(3)]
    made = demo_loading.seed()
    assert made == {"past": 0, "today": 1, "open": 1, "missing": 0}
    assert Loading.objects.filter(status="closed").count() == 1
    assert Loading.objects.filter(status="open").count() == 1
    assert not consignments[2].loadings.exists()
    trip = Trip.objects.get()
    assert trip.status == "en_route" and trip.loading.head_loaded == 4
    assert demo_loading.seed() == {"past": 0, "today": 0, "open": 0, "missing": 0}  # again: nothing
    assert Loading.objects.count() == 2

    later = timezone.now() + dt.timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert demo_port.seed() == {"dead": 1}
    trip.refresh_from_db()
    assert trip.status == "released"
    animals = Animal.objects.filter(loading_items__loading=trip.loading)
    assert sorted(animals.values_list("status", flat=True)) == ["disposed"] + ["released"] * 3
    for animal in animals.filter(status="released"):
        steps = set(Event.objects.filter(animal=animal).values_list("kind", flat=True))
        assert {"loaded", "warehouse_arrived", "warehouse_departed", "exported"} <= steps
