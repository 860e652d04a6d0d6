"""Demo data of the warehouse and the port: the demo trips (transit.demo_fleet makes them) are
received at Qingshuihe, rested, checked and resealed, then released at Wenjindu — one with a dead
pig set aside, one held for a missing tag and released on a manager's override, one still held,
one left in its pen overnight (the board shows it and the alert is raised). Idempotent: only
trips still on the road to the warehouse are taken, and the services refuse anything twice.

Call ``seed()`` after the fleet's demo (transit/demo.py, joined by the lead).
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User

from .models import Arrival, Trip
from .services.port import port_hold, port_override, port_release
from .services.warehouse import (
    arrival_record,
    clinical_check_record,
    ineligible_record,
    overnight_alerts_raise,
    warehouse_depart,
)


def _photo() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (140, 110, 100)).save(out, "JPEG")
    return SimpleUploadedFile("死猪.jpg", out.getvalue(), content_type="image/jpeg")


def _codes(trip: Trip) -> list[str]:
    return list(trip.loading.animals.values_list("national_code", flat=True))


@transaction.atomic
def through(trip: Trip, *, story: str, users: dict) -> None:
    """Take ``trip`` through the warehouse and the port as ``story`` tells (users by username)."""
    transit, manager = users["transit_qsh"], users["manager"]
    port = port_officer(trip) or users["port_wjd"]
    codes = _codes(trip)
    seals = list(trip.loading.seals.filter(stage="loading").values_list("number", flat=True))
    arrival = arrival_record(
        actor=transit,
        trip=trip,
        seals_found=seals,
        head_counted=len(codes),
        tags=codes,
        pen=f"{trip.pk % 12 + 1}号栏",
    )
    if story == "overnight":
        Arrival.objects.filter(pk=arrival.pk).update(arrived_at=timezone.now() - timezone.timedelta(hours=20))
        return
    if story == "dead" and len(codes) > 1:
        ineligible_record(
            actor=transit,
            arrival=arrival,
            national_code=codes[0],
            condition="dead",
            cause="运输应激死亡",
            disposal_method="rendering",
            disposed_at=timezone.now(),
            witnesses=f"{transit.get_full_name()}、司机{trip.driver.name}",
            photos=[_photo()],
        )
        codes = codes[1:]
    clinical_check_record(actor=transit, arrival=arrival, healthy=True)
    warehouse_depart(
        actor=transit, trip=trip, seals=[f"QSH-{trip.loading.number}-1", f"QSH-{trip.loading.number}-2"]
    )
    certificate = trip.loading.certificate
    if story in ("held", "override"):
        read = codes[1:]
        check = port_hold(
            actor=port,
            certificate=certificate,
            reason="一个耳标读不到",
            head_counted=len(codes),
            seals_intact=True,
            tags=read,
        )
        if story == "held":
            return
        port_override(actor=manager, check=check, reason="耳标脱落，已人工核对体貌，与清单一致")
        port_release(
            actor=port, certificate=certificate, head_counted=len(codes), seals_intact=True, tags=read
        )
        return
    port_release(actor=port, certificate=certificate, head_counted=len(codes), seals_intact=True, tags=codes)


def port_officer(trip: Trip) -> User | None:
    """An officer of the trip's exit port (the demo has one only at Wenjindu)."""
    return (
        User.objects.filter(
            role=Role.PORT_OFFICER, organisation_id=trip.loading.consignment.exit_port_id, is_active=True
        )
        .order_by("pk")
        .first()
    )


STORIES = ["dead", "override", "held", "overnight"]
ARRIVE_AFTER = timezone.timedelta(minutes=90)


def seed() -> dict:
    users = {u.username: u for u in User.objects.filter(username__in=["transit_qsh", "port_wjd", "manager"])}
    if len(users) < 3:
        return {}
    # A trip that left less than ARRIVE_AFTER ago is still on the road (the live map shows it).
    trips = list(
        Trip.objects.filter(
            status=Trip.Status.EN_ROUTE,
            loading__certificate__voided_at__isnull=True,
            departed_at__lte=timezone.now() - ARRIVE_AFTER,
        )
        .select_related("loading__certificate", "driver")
        .order_by("departed_at", "pk")
    )
    trips = [trip for trip in trips if port_officer(trip)]
    done = {}
    for i, trip in enumerate(trips):
        story = STORIES[i] if i < len(STORIES) else "clean"
        through(trip, story=story, users=users)
        done[story] = done.get(story, 0) + 1
    overnight_alerts_raise(
        arrivals=Arrival.objects.filter(left_at__isnull=True).select_related(
            "trip__loading__consignment__farm", "warehouse"
        )
    )
    return done
