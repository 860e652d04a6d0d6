"""The warehouse and port demo takes the demo trips through every story once."""

import pytest

from livestock.models import Animal
from surveillance.models import Alert
from tests.transit.port_factories import on_the_road
from transit import demo_port
from transit.models import PortCheck, Trip

pytestmark = pytest.mark.django_db


def test_demo_stories(world):
    roads = [on_the_road(world, head=3) for _ in range(5)]
    assert demo_port.seed() == {"dead": 1, "override": 1, "held": 1, "overnight": 1, "clean": 1}
    statuses = [Trip.objects.get(pk=r.trip.pk).status for r in roads]
    assert statuses == ["released", "released", "held", "at_warehouse", "released"]
    assert Animal.objects.get(pk=roads[0].animals[0].pk).status == "disposed"
    assert PortCheck.objects.filter(override_at__isnull=False).count() == 1
    assert Alert.objects.filter(kind="overnight").count() == 1
    assert demo_port.seed() == {}  # again: nothing left on the road
