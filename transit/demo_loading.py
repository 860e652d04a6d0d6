"""Demo loadings: the approved demo consignments (quarantine.demo) loaded onto the demo trucks.

Everything goes through the services of transit.services.loading, as an inspector would do it:
the consignments whose loading day is past are loaded that day (the clock is set back for the
services, so every time, event and history row agrees), taken through Qingshuihe and released at
Wenjindu the same day (transit.demo_port's "clean" story), and their truck is disinfected before
its next loading; those of today are loaded a few hours or minutes ago and left on the road for
demo_journeys and demo_port (which takes those that left long enough ago to the warehouse).
One loading in five closes with an animal missing and its reason; the last truck free of each of
the first two enterprises has a loading still open at the truck, half its tags read.

Idempotent: a consignment with a loading is never touched again, and a truck is used only when
the services allow it, so a second run finds nothing to do.
"""

import contextlib
import datetime as dt
from unittest import mock

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.errors import DomainError
from accounts.models import Role, User
from livestock.models import Animal
from quarantine.models import Consignment
from quarantine.selectors import certificate_check

from .models import Loading, Vehicle
from .models.fleet import Approval
from .selectors.fleet import driver_refusals, vehicle_refusals
from .selectors.loading import current_certificate, expected_of
from .services.fleet import disinfection_record
from .services.loading import loading_close, loading_open, loading_seal_add, loading_tag_add

MISSING_REASON = "一头猪装车时应激倒地，留场观察，未装车"
# Minutes before now at which an enterprise's loadings of today close (each enterprise has two
# trucks): the first stays on the road (demo_port takes only the trips that left more than 90
# minutes ago), the second reaches the warehouse and the port — and if an enterprise among the
# first two has both, its last one is still being loaded at the truck.
TODAY_MINUTES = ([40, 300], [25, 240])


@contextlib.contextmanager
def _clock(at: dt.datetime | None):
    """The services' clock set to ``at`` (None: the real one)."""
    if at is None:
        yield
        return
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def _inspector(consignment: Consignment) -> User | None:
    return (
        User.objects.filter(
            Q(role=Role.INSPECTOR, organisation_id=consignment.branch_id) | Q(role=Role.MANAGER),
            is_active=True,
        )
        .order_by("role", "pk")
        .first()
    )


def _free(vehicle: Vehicle, consignment: Consignment, head: int) -> bool:
    return not vehicle_refusals(vehicle=vehicle, species=consignment.species, head=head)


@transaction.atomic
def _load(consignment, certificate, vehicle, driver, *, n: int, close: bool = True) -> Loading:
    inspector = _inspector(consignment)
    # quarantine's generator marks the animals of a consignment whose loading day is past as
    # released, standing in for the transit steps; the demo replays those steps through the
    # services, so they start again from where the certificate left them.
    Animal.objects.filter(
        pk__in=list(expected_of(certificate)), status=Animal.Status.RELEASED, loading_items__isnull=True
    ).update(status=Animal.Status.DECLARED)
    loading = loading_open(actor=inspector, consignment=consignment, vehicle=vehicle, driver=driver)
    codes = sorted(expected_of(certificate).values())
    missing = 1 if close and n % 5 == 4 and len(codes) > 3 else 0
    take = codes[: len(codes) // 2] if not close else codes[missing:]
    for code in take:
        loading_tag_add(actor=inspector, loading=loading, tag=code)
    for k in (1, 2):
        loading_seal_add(actor=inspector, loading=loading, number=f"FZ-{loading.number[2:]}-{k}")
    if close:
        loading = loading_close(actor=inspector, loading=loading, reason=MISSING_REASON if missing else "")
    return loading


def _drive(consignment) -> dt.timedelta:
    """How long the demo track takes from the farm to Qingshuihe (at demo_journeys' speed), and a bit."""
    from .demo_journeys import QINGSHUIHE, SPEED_KMH, _length_km, road_for

    farm = consignment.farm
    if farm.latitude is None:
        return dt.timedelta(hours=5)
    road = road_for(float(farm.latitude), float(farm.longitude))
    km = _length_km(road[: road.index(QINGSHUIHE) + 1])
    return dt.timedelta(hours=km / SPEED_KMH + 0.5)


def _disinfect(vehicle: Vehicle, staff: User, at: dt.datetime) -> None:
    disinfection_record(
        actor=staff,
        vehicle=vehicle,
        agent="过氧乙酸",
        concentration="0.5%",
        performed_at=at,
        performed_by="洗消员 王师傅",
        place="文锦渡洗消站",
    )


def seed() -> dict:
    from . import demo_port

    users = {u.username: u for u in User.objects.filter(username__in=["transit_qsh", "port_wjd", "manager"])}
    now = timezone.now()
    done = {"past": 0, "today": 0, "open": 0, "missing": 0}
    n = 0
    taken = Loading.objects.exclude(status=Loading.Status.CANCELLED).values("consignment_id")
    vehicles = (
        Vehicle.objects.filter(status=Approval.APPROVED)
        .select_related("enterprise")
        .order_by("enterprise_id", "pk")
    )
    by_enterprise: dict[int, list[Vehicle]] = {}
    for vehicle in vehicles:
        by_enterprise.setdefault(vehicle.enterprise_id, []).append(vehicle)
    plans = []  # (when, enterprise index, consignment, certificate, past)
    for index, enterprise_id in enumerate(by_enterprise):
        consignments = (
            Consignment.objects.filter(enterprise_id=enterprise_id, status=Consignment.Status.APPROVED)
            .exclude(pk__in=taken)
            .order_by("planned_loading_on", "pk")
        )
        slots = list(TODAY_MINUTES[index % 2])
        for consignment in consignments:
            certificate = current_certificate(consignment)
            if certificate is None:
                continue
            if certificate_check(certificate).state == "valid":
                if slots:  # loaded today, within the certificate's validity
                    plans.append(
                        (now - dt.timedelta(minutes=slots.pop(0)), index, consignment, certificate, False)
                    )
                continue
            # Loaded on its day, when its certificate was in force.
            at = timezone.make_aware(dt.datetime.combine(consignment.planned_loading_on, dt.time(7, 30)))
            at = max(at, certificate.issued_at + dt.timedelta(hours=1))
            # Released the same day: only where the demo has a port officer for its exit port.
            has_port = User.objects.filter(
                role=Role.PORT_OFFICER, organisation_id=consignment.exit_port_id, is_active=True
            ).exists()
            if has_port and at < now - dt.timedelta(hours=12):
                with _clock(at):
                    if certificate_check(certificate).state == "valid":
                        plans.append((at, index, consignment, certificate, True))
    plans.sort(key=lambda plan: (plan[0], plan[2].pk))
    past = [plan for plan in plans if plan[4]]
    # The newest trips of the past days tell the port's stories; the others went through cleanly.
    stories = {
        id(plan): story for plan, story in zip(reversed(past), ["held", "override", "dead"], strict=False)
    }
    opened = set()
    staff_of, drivers_of = {}, {}
    for enterprise_id, trucks in by_enterprise.items():
        staff_of[enterprise_id] = (
            User.objects.filter(organisation_id=enterprise_id, is_active=True).order_by("pk").first()
        )
        drivers_of[enterprise_id] = [
            d
            for d in trucks[0].enterprise.drivers.filter(status=Approval.APPROVED).order_by("pk")
            if not driver_refusals(driver=d)
        ]
    last_today, today_count = {}, {}
    for plan in plans:
        if not plan[4]:
            last_today[plan[1]] = id(plan)
            today_count[plan[1]] = today_count.get(plan[1], 0) + 1
    for plan in plans:
        at, index, consignment, certificate, is_past = plan
        enterprise_id = consignment.enterprise_id
        trucks, staff, drivers = (
            by_enterprise[enterprise_id],
            staff_of[enterprise_id],
            drivers_of[enterprise_id],
        )
        if staff is None or not drivers:
            continue
        head = len(expected_of(certificate))
        # The first two enterprises' last loading of today is still open at the truck (if another
        # of theirs is on the road: a truck on the road is the better demo).
        opening = (
            not is_past
            and index < 2
            and today_count.get(index, 0) > 1
            and last_today.get(index) == id(plan)
            and index not in opened
        )
        with _clock(at):
            truck = next((t for t in trucks if _free(t, consignment, head)), None)
            if truck is None:
                continue
            try:
                loading = _load(
                    consignment, certificate, truck, drivers[n % len(drivers)], n=n, close=not opening
                )
            except DomainError:
                continue
        n += 1
        if opening:
            opened.add(index)
            done["open"] += 1
            continue
        if loading.head_loaded < loading.head_expected:
            done["missing"] += 1
        if not is_past:
            done["today"] += 1
            continue
        done["past"] += 1
        if len(users) < 3:
            continue
        story = stories.get(id(plan), "clean")
        arrive = at + _drive(consignment)
        with transaction.atomic():
            with _clock(arrive):
                demo_port.through(loading.trip, story=story, users=users)
            if story != "held":
                _disinfect(truck, staff, arrive + dt.timedelta(hours=2))
        done[story] = done.get(story, 0) + 1
    return done
