"""Demo data of transit, for seed_demo: the fleet, the corridors, then every certified demo
consignment taken through transit by ``transit.generate`` (rows written as the services write
them), then one pass of the periodic checks.

Which consignment tells which story (deterministic: no randomness here, ``generate`` seeds its own):

- the newest few with a certificate still valid are the trucks of *now*: one on the road off
  its corridor, one standing still, one on the road, one resting at Qingshuihe, one held at
  Wenjindu (still held), one left in its pen since yesterday evening (the overnight rule);
- every other one was loaded on its loading day, driven, received at Qingshuihe, resealed and
  released at its port the same day; among the newest of those, one held for a tag not read and
  released on a manager's written override, two with a dead pig set aside (and disposed of),
  two that took a detour and one that stopped too long (their alerts raised and closed), and one
  loading in five closed with an animal left at the farm, with the reason.

Idempotent: a consignment with a loading is never taken again, so a second run adds nothing.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import User
from quarantine.models import Certificate, Consignment

from . import demo_fleet
from .demo_journeys import QINGSHUIHE, SPEED_KMH, _length_km, corridors_seed, road_for
from .generate import CLINICAL_AFTER, LEAVE_AFTER, Chain, Plan
from .models import Arrival, Loading, Vehicle
from .models.fleet import Approval
from .selectors.fleet import driver_refusals

# The trucks of now, newest first, and how long before now each started loading (beyond its drive).
LIVE = ["off_now", "stop_now", "road_now", "warehouse_now", "held_now", "overnight"]
LOADING_TAKES = dt.timedelta(minutes=30)  # about what generate takes from opening to the seals


def _drive(consignment) -> dt.timedelta:
    """How long the demo track takes from the farm to Qingshuihe."""
    farm = consignment.farm
    if farm.latitude is None:
        return dt.timedelta(0)
    road = road_for(float(farm.latitude), float(farm.longitude))
    return dt.timedelta(hours=_length_km(road[: road.index(QINGSHUIHE) + 1]) / SPEED_KMH)


def _live_start(kind: str, consignment, now: dt.datetime) -> dt.datetime:
    drive = _drive(consignment)
    if kind == "off_now":
        return now - LOADING_TAKES - dt.timedelta(minutes=50)
    if kind == "stop_now":
        return now - LOADING_TAKES - dt.timedelta(minutes=110)
    if kind == "road_now":
        return now - LOADING_TAKES - min(drive / 2, dt.timedelta(hours=3))
    if kind == "warehouse_now":  # arrived some 40 minutes ago, not yet checked
        return now - LOADING_TAKES - drive - dt.timedelta(minutes=45)
    if kind == "held_now":
        return now - LOADING_TAKES - drive - CLINICAL_AFTER - LEAVE_AFTER - dt.timedelta(minutes=40)
    # overnight: arrived yesterday at about nine in the evening
    evening = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time(21)))
    return evening - dt.timedelta(days=1) - LOADING_TAKES - drive


def _past_start(consignment, certificate) -> dt.datetime:
    """On its loading day, early enough to be released by the evening (never before its certificate)."""
    hours = max(3.0, 19 - _drive(consignment).total_seconds() / 3600 - 4)
    at = timezone.make_aware(dt.datetime.combine(consignment.planned_loading_on, dt.time())) + dt.timedelta(
        hours=hours
    )
    return max(at, certificate.issued_at + dt.timedelta(hours=1))


STORY = {
    "off_now": {"off_now"},
    "stop_now": {"stop_now"},
    "road_now": set(),
    "warehouse_now": set(),
    "held_now": {"held"},
    "overnight": {"overnight"},
}
PAST_STORIES = [{"dead", "detour"}, {"stop"}, {"dead"}, {"detour"}]


def plans(now: dt.datetime, *, since: dt.date | None = None) -> list[Plan]:
    """The plans for every certified consignment without a loading (to be loaded on ``since`` or
    later, if given), in the order they start."""
    taken = Loading.objects.exclude(status=Loading.Status.CANCELLED).values("consignment_id")
    consignments = Consignment.objects.filter(
        status=Consignment.Status.APPROVED, planned_loading_on__lte=timezone.localdate(now)
    )
    if since is not None:
        consignments = consignments.filter(planned_loading_on__gte=since)
    consignments = (
        consignments.exclude(pk__in=taken)
        .select_related("farm", "exit_port", "enterprise", "branch")
        # The certificate in force (selectors.loading.current_certificate), for all at once: the
        # bench's year plans thousands.
        .prefetch_related(
            Prefetch(
                "certificates",
                queryset=Certificate.objects.filter(voided_at__isnull=True).order_by("-pk"),
                to_attr="in_force",
            )
        )
        .order_by("-planned_loading_on", "-pk")
    )
    live, past = [], []
    today = timezone.localdate(now)
    for c in consignments:
        certificate = c.in_force[0] if c.in_force else None
        if certificate is None or certificate.used_at:
            continue
        if certificate.valid_until >= today and len(live) < len(LIVE):
            # Held and resting trucks are shown at Wenjindu, the port with an officer in the demo.
            kind = next(
                (
                    k
                    for k in LIVE
                    if k not in {x[0] for x in live}
                    and (k not in ("held_now", "warehouse_now") or c.exit_port.code == "port-wenjindu")
                ),
                None,
            )
            start = _live_start(kind, c, now) if kind else None
            if kind and start > certificate.issued_at:
                live.append((kind, c, certificate, start))
                continue
        if _past_start(c, certificate) < now - dt.timedelta(hours=1):  # not one loading later today
            past.append((c, certificate))
    out = [Plan(c, cert, None, None, start, set(STORY[kind])) for kind, c, cert, start in live]
    # The port's stories at Wenjindu (its officer holds, a manager overrides); no Wenjindu truck
    # to hold now: the newest held days ago is still held. The road's and the warehouse's anywhere.
    port_stories = [*([] if any(kind == "held_now" for kind, *_rest in live) else [{"held"}]), {"override"}]
    for n, (c, cert) in enumerate(past):
        story = {"missing"} if n % 5 == 4 else set()
        if port_stories and c.exit_port.code == "port-wenjindu":
            story |= port_stories.pop(0)
        if n < len(PAST_STORIES):
            story |= PAST_STORIES[n]
        out.append(Plan(c, cert, None, None, _past_start(c, cert), story))
    return sorted(out, key=lambda p: (p.start, p.consignment.pk))


def _fleets() -> dict[int, list]:
    by_enterprise: dict[int, list] = {}
    for vehicle in Vehicle.objects.filter(status=Approval.APPROVED).select_related("gps_unit").order_by("pk"):
        by_enterprise.setdefault(vehicle.enterprise_id, []).append(vehicle)
    return by_enterprise


def trips_seed(now: dt.datetime | None = None) -> dict:
    """Take every certified consignment without a loading through transit (``generate``)."""
    now = now or timezone.now()
    fleets = _fleets()
    busy: dict[int, dt.datetime | None] = {}  # vehicle -> when its last trip ended (None: still on it)
    for vehicle_id, ended in (
        Loading.objects.filter(trip__isnull=False)
        .order_by("trip__departed_at")
        .values_list("vehicle_id", "trip__ended_at")
    ):
        busy[vehicle_id] = ended
    drivers: dict[int, list] = {}
    chain = Chain(now=now)
    skipped = 0
    for n, plan in enumerate(plans(now)):
        c = plan.consignment
        head = c.head_count
        trucks = [
            v
            for v in fleets.get(c.enterprise_id, [])
            if v.capacity_for(c.species) >= head
            and (
                v.pk not in busy
                or (busy[v.pk] is not None and busy[v.pk] < plan.start - dt.timedelta(hours=3))
            )
        ]
        if c.enterprise_id not in drivers:
            drivers[c.enterprise_id] = [
                d
                for d in c.enterprise.drivers.filter(status=Approval.APPROVED).order_by("pk")
                if not driver_refusals(driver=d)
            ]
        if not trucks or not drivers[c.enterprise_id] or chain.transit is None:
            skipped += 1
            continue
        plan.vehicle = trucks[0]
        plan.driver = drivers[c.enterprise_id][n % len(drivers[c.enterprise_id])]
        trip = chain.add(plan)
        if trip is None:
            skipped += 1
            continue
        busy[plan.vehicle.pk] = trip.ended_at
    with transaction.atomic():
        chain.flush()
    return {**chain.counts, "skipped": skipped}


def seed() -> dict:
    from .services.journeys import journeys_check
    from .services.warehouse import overnight_alerts_raise

    demo_fleet.seed()
    manager = User.objects.filter(username="manager").first()
    corridors = corridors_seed(manager) if manager else 0
    made = trips_seed()
    check = journeys_check()
    overnight = overnight_alerts_raise(
        arrivals=Arrival.objects.filter(left_at__isnull=True).select_related(
            "trip__loading__consignment__farm", "warehouse"
        )
    )
    return {**made, "corridors": corridors, "journey_alerts": check.raised, "overnight": overnight}
