"""Trips on the road for the journey's tests, made with the ORM as tload's loading_close would.

The consignment and its certificate go through the quarantine services (as the bureau does); the
vehicle, the driver, the GPS unit (with a token set as tload issues it: sha256 hex, prefix = the
first 8 characters), the closed loading and the trip are written directly.
"""

import datetime as dt
import itertools

from django.utils import timezone

from tests.quarantine.factories import declare, farm_a, ready_herd, through
from transit.models import Driver, GpsUnit, Loading, Trip, Vehicle
from transit.services.journeys import token_hash

_serial = itertools.count(1)
# Qingshuihe warehouse, Luohu, Shenzhen (accounts.demo).
QINGSHUIHE = (22.5838, 114.1137)


def unit_with_token(enterprise, token: str | None = None) -> tuple[GpsUnit, str]:
    n = next(_serial)
    token = token or f"tok{n:05d}-{'x' * 24}"
    unit = GpsUnit.objects.create(
        enterprise=enterprise,
        identifier=f"IMEI-{n:010d}",
        token_prefix=token[:8],
        token_hash=token_hash(token),
    )
    return unit, token


def certified(world, farm=None):
    farm = farm or farm_a(world)
    serial = next(_serial) * 10
    animals = ready_herd(world, farm, range(serial, serial + 2))
    consignment = declare(world, farm, animals)
    certificate = through(world, consignment, "approve")
    consignment.refresh_from_db()
    return farm, consignment, certificate


def trip_on_road(world, *, farm=None, departed_minutes_ago=60, due_in_minutes=180, with_unit=True):
    """A trip of enterprise A on the road, with its GPS unit and token; returns (trip, token)."""
    farm, consignment, certificate = certified(world, farm)
    n = next(_serial)
    unit, token = unit_with_token(world.ent_a) if with_unit else (None, None)
    vehicle = Vehicle.objects.create(
        enterprise=world.ent_a,
        plate=f"粤L{n:05d}",
        permit_number=f"P{n}",
        permit_valid_until=timezone.localdate() + dt.timedelta(days=300),
        capacity={"1": 200},
        gps_unit=unit,
        status=Vehicle.STATUS.APPROVED,
        created_by=world.ent_a_admin,
    )
    driver = Driver.objects.create(
        enterprise=world.ent_a,
        name=f"司机{n}",
        id_number=f"4413{n:014d}",
        phone="13800000000",
        licence_number=f"L{n}",
        licence_valid_until=timezone.localdate() + dt.timedelta(days=300),
        status=Driver.STATUS.APPROVED,
        created_by=world.ent_a_admin,
    )
    now = timezone.now()
    loading = Loading.objects.create(
        number=f"ZL{n:06d}",
        consignment=consignment,
        certificate=certificate,
        enterprise=consignment.enterprise,
        branch=consignment.branch,
        vehicle=vehicle,
        driver=driver,
        status=Loading.Status.CLOSED,
        head_expected=consignment.head_count,
        head_loaded=consignment.head_count,
        opened_by=world.insp_a,
        opened_at=now - dt.timedelta(minutes=departed_minutes_ago + 30),
        closed_by=world.insp_a,
        closed_at=now - dt.timedelta(minutes=departed_minutes_ago),
    )
    trip = Trip.objects.create(
        loading=loading,
        vehicle=vehicle,
        driver=driver,
        gps_unit=unit,
        enterprise=consignment.enterprise,
        departed_at=now - dt.timedelta(minutes=departed_minutes_ago),
        due_at=now + dt.timedelta(minutes=due_in_minutes),
    )
    return trip, token


def straight_track(start, end, *, minutes: int, every_s: int = 30, until=None):
    """Points along a straight line from ``start`` to ``end`` (lat, lng), ending at ``until``."""
    until = until or timezone.now()
    steps = minutes * 60 // every_s
    points = []
    for i in range(steps + 1):
        f = i / steps
        points.append(
            {
                "time": (until - dt.timedelta(seconds=(steps - i) * every_s)).isoformat(),
                "lat": round(start[0] + (end[0] - start[0]) * f, 6),
                "lng": round(start[1] + (end[1] - start[1]) * f, 6),
                "speed": 60.0,
            }
        )
    return points
