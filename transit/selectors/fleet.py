"""Vehicles, drivers and GPS units as each user may see them, and whether a vehicle may be loaded."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.selectors import ALL_SEEING_ROLES

from ..models import Disinfection, Driver, GpsUnit, Trip, Vehicle
from ..models.fleet import Approval

NOT_APPROVED = _("Vehicle {plate} is “{status}”: only an approved vehicle may be loaded.")
PERMIT_EXPIRED = _("Vehicle {plate}'s cross-boundary permit expired on {date}.")
OVER_CAPACITY = _("Vehicle {plate} carries at most {capacity} head of {species}; the certificate has {head}.")
NO_SPECIES = _("Vehicle {plate} is not registered to carry {species}.")
ON_A_TRIP = _("Vehicle {plate} is still on trip {loading}: it cannot be loaded before that trip ends.")
NOT_DISINFECTED = _(
    "Vehicle {plate} has no disinfection recorded since its last trip ended ({date}): "
    "record the disinfection first."
)
NEVER_DISINFECTED = _("Vehicle {plate} has no disinfection recorded: record the disinfection first.")
DRIVER_NOT_APPROVED = _("Driver {name} is “{status}”: only an approved driver may drive a loading.")
LICENCE_EXPIRED = _("Driver {name}'s driving licence expired on {date}.")
ACTIVE_TRIP = ["en_route", "at_warehouse", "to_port", "held"]


def fleet_scope_q(*, user: User) -> Q:
    """The vehicles, drivers (and units) ``user`` may see: the enterprise's own, the branch's
    enterprises', or all for the managers and the warehouse and port officers (they check trucks)."""
    if not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if user.role in ALL_SEEING_ROLES or user.role in {Role.TRANSIT_OFFICER, Role.PORT_OFFICER}:
        return Q()
    if user.role == Role.INSPECTOR:
        return Q(enterprise__branch_id=user.organisation_id)
    if user.is_enterprise_user:
        return Q(enterprise_id=user.organisation_id)
    return Q(pk__in=[])


def vehicle_list_for_user(*, user: User) -> QuerySet[Vehicle]:
    return Vehicle.objects.filter(fleet_scope_q(user=user)).select_related("enterprise", "gps_unit")


def vehicle_get_for_user(*, user: User, pk: int) -> Vehicle:
    return get_object_or_404(vehicle_list_for_user(user=user), pk=pk)


def driver_list_for_user(*, user: User) -> QuerySet[Driver]:
    return Driver.objects.filter(fleet_scope_q(user=user)).select_related("enterprise")


def driver_get_for_user(*, user: User, pk: int) -> Driver:
    return get_object_or_404(driver_list_for_user(user=user), pk=pk)


def gps_unit_list_for_user(*, user: User) -> QuerySet[GpsUnit]:
    return GpsUnit.objects.filter(fleet_scope_q(user=user)).select_related("vehicle")


def gps_unit_get_for_user(*, user: User, pk: int) -> GpsUnit:
    return get_object_or_404(gps_unit_list_for_user(user=user), pk=pk)


def free_units_of(*, enterprise_id: int, vehicle: Vehicle | None = None) -> QuerySet[GpsUnit]:
    """The enterprise's active units not fitted to another vehicle."""
    taken = Vehicle.objects.filter(gps_unit__isnull=False).exclude(pk=getattr(vehicle, "pk", None))
    return GpsUnit.objects.filter(enterprise_id=enterprise_id, is_active=True).exclude(
        pk__in=taken.values("gps_unit_id")
    )


def disinfections_of(*, vehicle: Vehicle, limit: int = 20) -> list[Disinfection]:
    return list(vehicle.disinfections.select_related("site", "recorded_by")[:limit])


def trips_of(*, vehicle: Vehicle, limit: int = 10) -> list[Trip]:
    return list(vehicle.trips.select_related("loading")[:limit])


@dataclass
class Fitness:
    """Why a vehicle (and a driver) may not be loaded now: empty when they may."""

    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def vehicle_refusals(*, vehicle: Vehicle, species: str, head: int, today=None) -> list:
    """Every reason ``vehicle`` may not take ``head`` animals of ``species`` now (empty: it may)."""
    from farms.models import Species

    today = today or timezone.localdate()
    problems = []
    plate = vehicle.plate
    if vehicle.status != Approval.APPROVED:
        problems.append(format_lazy(NOT_APPROVED, plate=plate, status=vehicle.get_status_display()))
    if vehicle.permit_valid_until < today:
        problems.append(format_lazy(PERMIT_EXPIRED, plate=plate, date=vehicle.permit_valid_until))
    label = dict(Species.choices).get(str(species), species)
    capacity = vehicle.capacity_for(species)
    if capacity <= 0:
        problems.append(format_lazy(NO_SPECIES, plate=plate, species=label))
    elif head > capacity:
        problems.append(format_lazy(OVER_CAPACITY, plate=plate, capacity=capacity, species=label, head=head))
    last = vehicle.trips.select_related("loading").order_by("-departed_at", "-pk").first()
    if last is not None and last.status in ACTIVE_TRIP:
        problems.append(format_lazy(ON_A_TRIP, plate=plate, loading=last.loading.number))
    elif last is not None:
        ended = last.ended_at or last.departed_at
        if not vehicle.disinfections.filter(performed_at__gte=ended).exists():
            problems.append(format_lazy(NOT_DISINFECTED, plate=plate, date=timezone.localtime(ended).date()))
    elif not vehicle.disinfections.exists():
        problems.append(format_lazy(NEVER_DISINFECTED, plate=plate))
    return problems


def driver_refusals(*, driver: Driver, today=None) -> list:
    today = today or timezone.localdate()
    problems = []
    if driver.status != Approval.APPROVED:
        problems.append(
            format_lazy(DRIVER_NOT_APPROVED, name=driver.name, status=driver.get_status_display())
        )
    if driver.licence_valid_until < today:
        problems.append(format_lazy(LICENCE_EXPIRED, name=driver.name, date=driver.licence_valid_until))
    return problems
