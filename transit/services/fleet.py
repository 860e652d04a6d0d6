"""Vehicles, drivers and GPS units: registered by the enterprise, approved by the bureau
(through APPROVAL_ACTIONS only), and the vehicles' disinfection records.

A GPS unit's token is issued here and shown once: only its sha256 (hex) is kept in
``GpsUnit.token_hash``, with its first 8 characters in ``token_prefix`` to find the row
(transit.services.journeys checks a unit's posts against the same pair).
"""

import datetime as dt
import hashlib
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import Role, User
from farms.models import Species

from ..models import Disinfection, Driver, GpsUnit, Vehicle
from ..models.fleet import Approval

TOKEN_PREFIX_LEN = 8

ENTERPRISE_ONLY = _("Only a user of the enterprise may register its vehicles, drivers and GPS units.")
NOT_YOURS = _("This record belongs to another enterprise.")
NOT_YOUR_BRANCH = _(
    "Only the inspectors of {branch}, which supervises {enterprise}, or a manager may do this."
)
PLATE_TAKEN = _("Plate {plate} is already registered.")
PLATE_BAD = _("Write the plate as printed, e.g. 粤L12345 (letters and digits, 5 to 10 characters).")
PERMIT_PAST = _("The permit's validity ({date}) is already over.")
LICENCE_PAST = _("The driving licence's validity ({date}) is already over.")
CAPACITY_EMPTY = _("Give the capacity (head) of at least one species.")
CAPACITY_BAD = _("The capacity of {species} must be a whole number of head between 1 and 2000.")
DECKS_BAD = _("A vehicle has 1 to 4 decks.")
UNIT_TAKEN = _("GPS unit {unit} is already fitted to vehicle {plate}.")
UNIT_ID_TAKEN = _("GPS unit {unit} is already registered.")
UNIT_ID_BAD = _("Write the unit's ID (IMEI or serial) as it sends it: 4 to 40 letters, digits or dashes.")
UNIT_INACTIVE = _("GPS unit {unit} is not active.")
DRIVER_TAKEN = _("A driver with ID number {id_number} is already registered.")
REQUIRED = _("This field is required.")
TRANSITION_REFUSED = _("{what} is “{status}”: it cannot be {action} now. Reload the page to see its status.")
REASON_REQUIRED = _("Give a reason; the enterprise will read it.")
IN_FUTURE = _("A disinfection cannot be recorded for a time still to come.")
TOO_OLD = _("A disinfection more than 30 days ago cannot be recorded.")
NO_VEHICLE_RIGHTS = _("Only the vehicle's enterprise or the bureau may record its disinfections.")
ACTION_WORDS = {
    "approve": pgettext_lazy("registration", "approved"),
    "return": pgettext_lazy("registration", "returned"),
    "resubmit": pgettext_lazy("registration", "submitted again"),
    "suspend": pgettext_lazy("registration", "suspended"),
    "reinstate": pgettext_lazy("registration", "reinstated"),
    "withdraw": pgettext_lazy("registration", "withdrawn"),
}
# Who takes each action: the bureau reviews, the enterprise resubmits or withdraws its own.
BUREAU_ACTIONS = {"approve", "return", "suspend", "reinstate"}
ENTERPRISE_ACTIONS = {"resubmit", "withdraw"}
REASON_ACTIONS = {"return", "suspend"}
PLATE_RE = re.compile(r"^[\u4e00-\u9fffA-Z0-9]{5,10}$")
UNIT_RE = re.compile(r"^[A-Za-z0-9-]{4,40}$")
MAX_CAPACITY = 2000


def token_hash(token: str) -> str:
    """The stored form of a GPS unit's token (sha256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _require_enterprise(actor: User) -> None:
    if not (actor.is_enterprise_user and actor.is_active):
        raise DomainError(ENTERPRISE_ONLY)


def _require_own(actor: User, obj) -> None:
    _require_enterprise(actor)
    if obj.enterprise_id != actor.organisation_id:
        raise DomainError(NOT_YOURS)


def _require_bureau_of(actor: User, enterprise) -> None:
    if actor.role == Role.MANAGER and actor.is_active:
        return
    if actor.role != Role.INSPECTOR or not actor.is_active or actor.organisation_id != enterprise.branch_id:
        raise DomainError(
            format_lazy(NOT_YOUR_BRANCH, branch=enterprise.branch or "—", enterprise=enterprise)
        )


def _text(value, field: str, *, required: bool = True, limit: int = 100) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(REQUIRED, field=field)
    return value[:limit]


def _capacity(capacity: dict) -> dict:
    clean = {}
    labels = dict(Species.choices)
    for code, head in (capacity or {}).items():
        code = str(code)
        if code not in labels:
            continue
        if head in (None, "", 0, "0"):
            continue
        try:
            head = int(head)
        except (TypeError, ValueError):
            head = -1
        if not 1 <= head <= MAX_CAPACITY:
            raise DomainError(format_lazy(CAPACITY_BAD, species=labels[code]), field=f"capacity_{code}")
        clean[code] = head
    if not clean:
        raise DomainError(CAPACITY_EMPTY, field="capacity")
    return clean


def _unit_for(actor: User, unit: GpsUnit | None, *, vehicle: Vehicle | None = None) -> GpsUnit | None:
    if unit is None:
        return None
    unit = GpsUnit.objects.select_for_update().get(pk=unit.pk)
    if unit.enterprise_id != actor.organisation_id:
        raise DomainError(NOT_YOURS, field="gps_unit")
    if not unit.is_active:
        raise DomainError(format_lazy(UNIT_INACTIVE, unit=unit.identifier), field="gps_unit")
    fitted = Vehicle.objects.filter(gps_unit=unit).exclude(pk=getattr(vehicle, "pk", None)).first()
    if fitted:
        raise DomainError(format_lazy(UNIT_TAKEN, unit=unit.identifier, plate=fitted.plate), field="gps_unit")
    return unit


@transaction.atomic
def vehicle_register(
    *,
    actor: User,
    plate: str,
    permit_number: str,
    permit_valid_until: dt.date,
    capacity: dict,
    kind: str = Vehicle.Kind.TRUCK,
    decks: int = 1,
    hk_plate: str = "",
    gps_unit: GpsUnit | None = None,
) -> Vehicle:
    """Register a vehicle of the actor's enterprise; it waits for the bureau's approval."""
    _require_enterprise(actor)
    plate = re.sub(r"[\s·.-]", "", (plate or "")).upper()
    if not PLATE_RE.match(plate):
        raise DomainError(PLATE_BAD, field="plate")
    if permit_valid_until is None or permit_valid_until < timezone.localdate():
        raise DomainError(
            format_lazy(PERMIT_PAST, date=permit_valid_until or "—"), field="permit_valid_until"
        )
    if not 1 <= int(decks or 0) <= 4:
        raise DomainError(DECKS_BAD, field="decks")
    if kind not in Vehicle.Kind.values:
        kind = Vehicle.Kind.TRUCK
    if Vehicle.objects.filter(plate=plate).exists():
        raise DomainError(format_lazy(PLATE_TAKEN, plate=plate), field="plate")
    vehicle = Vehicle(
        enterprise_id=actor.organisation_id,
        plate=plate,
        hk_plate=_text((hk_plate or "").upper(), "hk_plate", required=False, limit=20),
        permit_number=_text(permit_number, "permit_number", limit=40),
        permit_valid_until=permit_valid_until,
        kind=kind,
        decks=int(decks),
        capacity=_capacity(capacity),
        gps_unit=_unit_for(actor, gps_unit),
        created_by=actor,
    )
    try:
        with transaction.atomic():
            save_audited(vehicle, actor=actor, reason="registered")
    except IntegrityError as error:  # the same plate registered at the same moment
        raise DomainError(format_lazy(PLATE_TAKEN, plate=plate), field="plate") from error
    return vehicle


@transaction.atomic
def vehicle_fit_unit(*, actor: User, vehicle: Vehicle, gps_unit: GpsUnit | None) -> Vehicle:
    """Fit (or, with None, take off) the vehicle's GPS unit; trips under way keep theirs."""
    vehicle = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    _require_own(actor, vehicle)
    vehicle.gps_unit = _unit_for(actor, gps_unit, vehicle=vehicle)
    save_audited(vehicle, actor=actor, reason="GPS unit", update_fields=["gps_unit"])
    return vehicle


@transaction.atomic
def driver_register(
    *,
    actor: User,
    name: str,
    id_number: str,
    phone: str,
    licence_number: str,
    licence_valid_until: dt.date,
    permit_number: str = "",
) -> Driver:
    """Register a driver of the actor's enterprise; the bureau approves them."""
    _require_enterprise(actor)
    id_number = _text((id_number or "").upper(), "id_number", limit=30)
    if licence_valid_until is None or licence_valid_until < timezone.localdate():
        raise DomainError(
            format_lazy(LICENCE_PAST, date=licence_valid_until or "—"), field="licence_valid_until"
        )
    if Driver.objects.filter(enterprise_id=actor.organisation_id, id_number=id_number).exists():
        raise DomainError(format_lazy(DRIVER_TAKEN, id_number=id_number), field="id_number")
    driver = Driver(
        enterprise_id=actor.organisation_id,
        name=_text(name, "name"),
        id_number=id_number,
        phone=_text(phone, "phone", limit=40),
        licence_number=_text(licence_number, "licence_number", limit=40),
        licence_valid_until=licence_valid_until,
        permit_number=_text(permit_number, "permit_number", required=False, limit=40),
        created_by=actor,
    )
    try:
        with transaction.atomic():
            save_audited(driver, actor=actor, reason="registered")
    except IntegrityError as error:
        raise DomainError(format_lazy(DRIVER_TAKEN, id_number=id_number), field="id_number") from error
    return driver


@transaction.atomic
def registration_act(
    *, actor: User, obj: Vehicle | Driver, action: str, reason: str = ""
) -> Vehicle | Driver:
    """Take ``action`` of APPROVAL_ACTIONS on a vehicle or a driver (with its history row)."""
    model = type(obj)
    obj = model.objects.select_for_update(of=("self",)).select_related("enterprise__branch").get(pk=obj.pk)
    if action in BUREAU_ACTIONS:
        _require_bureau_of(actor, obj.enterprise)
    elif action in ENTERPRISE_ACTIONS:
        _require_own(actor, obj)
    else:
        raise DomainError(
            format_lazy(TRANSITION_REFUSED, what=obj, status=obj.get_status_display(), action=action)
        )
    if not obj.can(action):
        raise DomainError(
            format_lazy(
                TRANSITION_REFUSED, what=obj, status=obj.get_status_display(), action=ACTION_WORDS[action]
            )
        )
    reason = (reason or "").strip()
    if action in REASON_ACTIONS and not reason:
        raise DomainError(REASON_REQUIRED, field="reason")
    obj.status = model.ACTIONS[action][1]
    obj.status_reason = reason[:500]
    fields = ["status", "status_reason"]
    if action in {"approve", "reinstate"}:
        obj.approved_by, obj.approved_at = actor, timezone.now()
        fields += ["approved_by", "approved_at"]
    save_audited(obj, actor=actor, reason=reason or action, update_fields=fields)
    return obj


def _issue(unit: GpsUnit) -> str:
    token = secrets.token_urlsafe(24)
    unit.token_prefix = token[:TOKEN_PREFIX_LEN]
    unit.token_hash = token_hash(token)
    return token


@transaction.atomic
def gps_unit_register(*, actor: User, identifier: str) -> tuple[GpsUnit, str]:
    """Register a GPS unit of the actor's enterprise and issue its token (returned, shown once)."""
    _require_enterprise(actor)
    identifier = (identifier or "").strip()
    if not UNIT_RE.match(identifier):
        raise DomainError(UNIT_ID_BAD, field="identifier")
    if GpsUnit.objects.filter(identifier=identifier).exists():
        raise DomainError(format_lazy(UNIT_ID_TAKEN, unit=identifier), field="identifier")
    unit = GpsUnit(enterprise_id=actor.organisation_id, identifier=identifier)
    token = _issue(unit)
    try:
        with transaction.atomic():
            save_audited(unit, actor=actor, reason="registered, token issued")
    except IntegrityError as error:
        raise DomainError(format_lazy(UNIT_ID_TAKEN, unit=identifier), field="identifier") from error
    return unit, token


@transaction.atomic
def gps_unit_issue_token(*, actor: User, unit: GpsUnit) -> str:
    """Issue a new token to ``unit``: the old one stops working at once. Returns the token."""
    unit = GpsUnit.objects.select_for_update().get(pk=unit.pk)
    _require_own(actor, unit)
    if not unit.is_active:
        raise DomainError(format_lazy(UNIT_INACTIVE, unit=unit.identifier))
    token = _issue(unit)
    save_audited(unit, actor=actor, reason="token issued", update_fields=["token_prefix", "token_hash"])
    return token


@transaction.atomic
def disinfection_record(
    *,
    actor: User,
    vehicle: Vehicle,
    agent: str,
    concentration: str,
    performed_at: dt.datetime,
    performed_by: str,
    place: str = "",
    note: str = "",
) -> Disinfection:
    """Record a disinfection of a vehicle (the enterprise's wash station, or the bureau's own)."""
    vehicle = Vehicle.objects.select_related("enterprise").get(pk=vehicle.pk)
    if actor.is_enterprise_user:
        _require_own(actor, vehicle)
    elif actor.role not in {Role.INSPECTOR, Role.MANAGER, Role.TRANSIT_OFFICER, Role.PORT_OFFICER}:
        raise DomainError(NO_VEHICLE_RIGHTS)
    now = timezone.now()
    if performed_at is None:
        raise DomainError(REQUIRED, field="performed_at")
    if performed_at > now + dt.timedelta(seconds=settings.LIVESTOCK_CLOCK_SKEW_S):
        raise DomainError(IN_FUTURE, field="performed_at")
    if performed_at < now - dt.timedelta(days=30):
        raise DomainError(TOO_OLD, field="performed_at")
    record = Disinfection(
        target=Disinfection.Target.VEHICLE,
        vehicle=vehicle,
        site_id=actor.organisation_id,
        place=_text(place, "place", required=False, limit=200),
        agent=_text(agent, "agent"),
        concentration=_text(concentration, "concentration", limit=40),
        performed_at=performed_at,
        performed_by=_text(performed_by, "performed_by"),
        recorded_by=actor,
        note=_text(note, "note", required=False, limit=500),
    )
    save_audited(record, actor=actor, reason="recorded")
    return record


__all__ = [
    "Approval",
    "disinfection_record",
    "driver_register",
    "gps_unit_issue_token",
    "gps_unit_register",
    "registration_act",
    "token_hash",
    "vehicle_fit_unit",
    "vehicle_register",
]
