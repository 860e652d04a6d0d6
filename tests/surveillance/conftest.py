import datetime as dt
from decimal import Decimal

import pytest

from farms import regions
from surveillance.models import Disease
from tests.farms.factories import BOLUO, registered_farm

# 博罗县's seat (the factories' farm), and points due north of it at a given distance.
CENTRE = (float(BOLUO["latitude"]), float(BOLUO["longitude"]))


def away(km: float) -> tuple[Decimal, Decimal]:
    """A point ``km`` due north of CENTRE (still in 博罗县), as the farm form would store it."""
    lat, lng = CENTRE
    return Decimal(f"{lat + km / regions.KM_PER_DEGREE:.6f}"), Decimal(f"{lng:.6f}")


@pytest.fixture(autouse=True)
def _services_speak_english():
    """Service messages are read in English here (their Chinese: tests/test_i18n.py)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def asf(db) -> Disease:
    return Disease.objects.get(code="asf")


@pytest.fixture
def farm_at(world):
    """Return a function registering a farm of enterprise A ``km`` north of the centre."""
    made = []

    def make(km: float, *, name: str | None = None, species: str = "1", **overrides):
        lat, lng = away(km)
        farm = registered_farm(
            world,
            name_zh=name or f"测试场{len(made) + 1}",
            latitude=lat,
            longitude=lng,
            species=species,
            **overrides,
        )
        made.append(farm)
        return farm

    return make


@pytest.fixture
def yesterday():
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=1)
