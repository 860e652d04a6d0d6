"""The Qingshuihe transit warehouse (中转仓): arrival check, animals set aside (残次死畜), transit
quarantine, quarantine treatment (检疫处理), the overnight rule and the departure under new seals.

Every write checks its actor (a transit officer of the warehouse), runs in one transaction,
moves trips through Trip.ACTIONS and animals through Animal.ACTIONS (livestock.services.export)
and appends an event to each animal's record.
"""

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import Organisation, Role, User
from accounts.uploads import IMAGES, upload_check
from farms.models import CreditEvent
from farms.services import credit_event_record
from livestock import vocab
from livestock.models import Animal, ReaderDevice
from livestock.services.events import Happening, Where, events_append
from livestock.services.export import animals_move
from surveillance.models import Alert
from surveillance.services import AlertScope, AlertSpec, alerts_raise

from ..models import Arrival, Disinfection, Ineligible, IneligiblePhoto, Loading, Seal, Trip, Vehicle

TRANSIT_ONLY = _("Only a transit officer of the warehouse may record this.")
TRIP_REFUSED = _(
    "Trip {trip} is “{status}”: it cannot be {action} now. Reload the page to see where it stands."
)
LOADING_NOT_CLOSED = _("Loading {number} is not closed and sealed: its truck cannot be received.")
NOT_ON_MANIFEST = _("Not on the manifest of loading {number}: {tags}. Check the tags and read again.")
NO_TAGS = _("Read or type the tags of the animals on the truck.")
PEN_REQUIRED = _("Say which pen the animals go into.")
HEAD_COUNT_BAD = _("Give the head counted on the truck (a whole number, 0 or more).")
ALREADY_LEFT = _("These animals have left the warehouse; nothing more can be recorded for them here.")
ALREADY_SET_ASIDE = _("Animal {tag} is already set aside ({condition}).")
NOT_HERE = _("Animal {tag} is not at the warehouse (it is “{status}”).")
FIELD_REQUIRED = _("This is required: {field}.")
PHOTO_REQUIRED = _("Add at least one photo of the animal.")
IN_FUTURE = _("{field} cannot be in the future.")
CLINICAL_DONE = _("The clinical check of this truck was already recorded.")
CLINICAL_NOTES = _("Say what the clinical check found that is not right.")
CLINICAL_MISSING = _("Record the clinical check (transit quarantine) before the truck leaves.")
CLINICAL_FAILED = _(
    "The clinical check found problems: set the sick animals aside first, "
    "or hold the truck for the inspector."
)
SEALS_REQUIRED = _("Give the numbers of the new seals.")
SEALS_TWICE = _("A seal number is given twice: {seals}.")
SEALS_USED = _("Seal numbers already used: {seals}. A seal number is used once, ever.")
BAD_TARGET = _("Disinfect a vehicle or a pen: say which.")

ARRIVE_WORD = _("received at the warehouse")
DEPART_WORD = _("sent on to the port")
SEAL_FINDING = gettext_noop("Seals not intact or not matching on arrival at the warehouse (loading {number})")
HEAD_FINDING = gettext_noop(
    "Head count {counted} of {expected} on arrival at the warehouse (loading {number})"
)
ARRIVAL_ALERT = _(
    "Loading {number} arrived at the warehouse with discrepancies: seals {seals}, head {counted}/{expected}, "
    "{missing} tags not read."
)
OVERNIGHT_ALERT = _("Consignment {number} has stayed overnight in pen {pen} of the warehouse since {since}.")
FINDING_POINTS = -10
# A reloaded truck is due at the port within this (the warehouse is an hour or two from Wenjindu).
TO_PORT_HOURS = 4
# How far back a reader's reads count for an arriving truck.
READER_WINDOW = dt.timedelta(minutes=30)
SEAL_PATTERN = re.compile(r"^[A-Za-z0-9-]{3,40}$")


# --- helpers shared with the port -------------------------------------------------------------


def require_role(actor: User, role: str, message) -> None:
    if actor.role != role or not actor.is_active:
        raise DomainError(message)


def site_where(organisation: Organisation) -> Where:
    return Where(site=vocab.uri("site", organisation.code))


def trip_move(trip: Trip, *, action: str, actor: User, word, reason: str = "") -> None:
    """Take ``action`` of Trip.ACTIONS (the caller saves the other fields with it)."""
    if not trip.can(action):
        raise DomainError(
            format_lazy(TRIP_REFUSED, trip=trip.loading.number, status=trip.get_status_display(), action=word)
        )
    trip.status = Trip.ACTIONS[action][1]
    save_audited(trip, actor=actor, reason=reason or action)


def trip_locked(trip: Trip) -> Trip:
    return (
        Trip.objects.select_for_update(of=("self",))
        .select_related("loading__consignment__farm", "loading__certificate", "vehicle", "driver")
        .get(pk=trip.pk)
    )


def manifest_of(loading: Loading) -> dict[str, int]:
    """The frozen manifest: {national code: animal id}."""
    return dict(loading.animals.values_list("national_code", "animal_id"))


def tags_clean(tags) -> list[str]:
    """Tags as typed, scanned or read: blanks dropped, duplicates once, in order."""
    return list(dict.fromkeys(t.strip().upper() for t in tags or [] if t and t.strip()))


def tags_resolve(tags: list[str], manifest: dict[str, int]) -> tuple[set[str], list[str]]:
    """Map tags (national codes or RFID numbers) to manifest codes; return (codes read, unknown tags)."""
    read, unknown = set(), []
    by_rfid = None
    for tag in tags:
        if tag in manifest:
            read.add(tag)
            continue
        if by_rfid is None:
            by_rfid = dict(
                Animal.objects.filter(pk__in=manifest.values(), rfid__isnull=False).values_list(
                    "rfid", "national_code"
                )
            )
        if tag in by_rfid:
            read.add(by_rfid[tag])
        else:
            unknown.append(tag)
    return read, unknown


def reader_tags(device: ReaderDevice, *, since) -> list[str]:
    """The national codes a reader saw since ``since`` (the animals its reads were matched to)."""
    return list(
        device.reads.filter(read_at__gte=since, animal__isnull=False)
        .values_list("animal__national_code", flat=True)
        .distinct()
    )


def seals_clean(seals) -> list[str]:
    return list(dict.fromkeys(s.strip().upper() for s in seals or [] if s and s.strip()))


def finding_record(*, trip: Trip, kind: str, reason: str, source: str) -> None:
    consignment = trip.loading.consignment
    credit_event_record(
        enterprise=consignment.enterprise,
        farm=consignment.farm,
        kind=kind,
        points=FINDING_POINTS,
        reason=reason,
        source=source,
        occurred_on=timezone.localdate(),
    )


def _required(value: str, field) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(format_lazy(FIELD_REQUIRED, field=field))
    return value


def _warehouse(actor: User) -> Organisation:
    require_role(actor, Role.TRANSIT_OFFICER, TRANSIT_ONLY)
    if actor.organisation.kind != Organisation.Kind.WAREHOUSE:
        raise DomainError(TRANSIT_ONLY)
    return actor.organisation


# --- arrival ----------------------------------------------------------------------------------


@transaction.atomic
def arrival_record(
    *,
    actor: User,
    trip: Trip,
    seals_found: list[str],
    head_counted: int,
    tags: list[str] | None = None,
    device: ReaderDevice | None = None,
    pen: str,
    seal_note: str = "",
    at: dt.datetime | None = None,
) -> Arrival:
    """Receive a trip: seals against the loading's, head count, tags against the manifest; the
    animals move to "at the warehouse" and the truck's seals are opened to unload."""
    warehouse = _warehouse(actor)
    trip = trip_locked(trip)
    loading = trip.loading
    if loading.status != Loading.Status.CLOSED:
        raise DomainError(format_lazy(LOADING_NOT_CLOSED, number=loading.number))
    if not trip.can("arrive"):
        trip_move(trip, action="arrive", actor=actor, word=ARRIVE_WORD)
    pen = (pen or "").strip()
    if not pen:
        raise DomainError(PEN_REQUIRED, field="pen")
    if not isinstance(head_counted, int) or isinstance(head_counted, bool) or head_counted < 0:
        raise DomainError(HEAD_COUNT_BAD, field="head_counted")
    now = at or timezone.now()
    if device is not None:
        tags = [*(tags or []), *reader_tags(device, since=now - READER_WINDOW)]
    tags = tags_clean(tags)
    if not tags:
        raise DomainError(NO_TAGS, field="tags")
    manifest = manifest_of(loading)
    read, unknown = tags_resolve(tags, manifest)
    if unknown:
        raise DomainError(
            format_lazy(NOT_ON_MANIFEST, number=loading.number, tags=", ".join(unknown)),
            field="tags",
            items=unknown,
        )
    expected = list(
        loading.seals.filter(stage=Seal.Stage.LOADING, broken_at__isnull=True).values_list(
            "number", flat=True
        )
    )
    found = seals_clean(seals_found)
    intact = set(found) == set(expected) and bool(expected)
    missing = sorted(set(manifest) - read)
    arrival = Arrival(
        trip=trip,
        warehouse=warehouse,
        arrived_at=now,
        seals_found=found,
        seals_intact=intact,
        seal_note=(seal_note or "").strip()[:300],
        head_counted=head_counted,
        head_expected=len(manifest),
        tags_read=sorted(read),
        missing=missing,
        device=device,
        pen=pen[:60],
        checked_by=actor,
    )
    save_audited(arrival, actor=actor, reason=gettext_noop("Arrival checked"))
    # Opened to unload: the loading's seals have done their work.
    loading.seals.filter(stage=Seal.Stage.LOADING, broken_at__isnull=True).update(
        broken_at=now, broken_by=actor, broken_note="opened at the warehouse"[:300]
    )
    trip.arrived_warehouse_at = now
    trip_move(trip, action="arrive", actor=actor, word=ARRIVE_WORD)
    animals_move(
        action="arrive",
        animal_ids=list(manifest.values()),
        happening=Happening(
            kind="warehouse_arrived",
            when=now,
            where=Where(site=vocab.uri("site", warehouse.code, "pen", pen)),
            actor=actor,
            source=arrival,
            data={"loading": loading.number, "pen": pen, "seals_intact": intact},
        ),
    )
    if arrival.discrepant:
        _arrival_discrepancy(arrival, trip)
    return arrival


def _arrival_discrepancy(arrival: Arrival, trip: Trip) -> None:
    loading = trip.loading
    consignment = loading.consignment
    if not arrival.seals_intact:
        finding_record(
            trip=trip,
            kind=CreditEvent.Kind.FINDING,
            reason=SEAL_FINDING.format(number=loading.number),
            source=f"transit.arrival:{arrival.pk}:seals",
        )
    if arrival.head_counted != arrival.head_expected:
        finding_record(
            trip=trip,
            kind=CreditEvent.Kind.FINDING,
            reason=HEAD_FINDING.format(
                counted=arrival.head_counted, expected=arrival.head_expected, number=loading.number
            ),
            source=f"transit.arrival:{arrival.pk}:head",
        )
    kind = Alert.Kind.DISCREPANCY if arrival.seals_intact else Alert.Kind.SEAL_MISMATCH
    text = format_lazy(
        ARRIVAL_ALERT,
        number=loading.number,
        seals="✓" if arrival.seals_intact else "✗",
        counted=arrival.head_counted,
        expected=arrival.head_expected,
        missing=len(arrival.missing),
    )
    data = {"trip": trip.pk, "loading": loading.number, "missing": arrival.missing[:50]}
    alerts_raise(
        specs=[
            AlertSpec(
                kind=kind,
                severity=Alert.Severity.HIGH,
                key=f"transit:arrival:{arrival.pk}:{scope.role}",
                scope=scope,
                text=text,
                subject=arrival,
                data=data,
            )
            for scope in (
                AlertScope.of(loading.branch, Role.INSPECTOR, farm=consignment.farm),
                AlertScope.of(arrival.warehouse, Role.TRANSIT_OFFICER, farm=consignment.farm),
            )
        ]
    )


# --- animals set aside (残次死畜) ----------------------------------------------------------------


def _arrival_open(arrival: Arrival) -> Arrival:
    arrival = (
        Arrival.objects.select_for_update(of=("self",))
        .select_related("trip__loading__consignment", "warehouse")
        .get(pk=arrival.pk)
    )
    if arrival.left_at:
        raise DomainError(ALREADY_LEFT)
    return arrival


@transaction.atomic
def ineligible_record(
    *,
    actor: User,
    arrival: Arrival,
    national_code: str,
    condition: str,
    cause: str,
    disposal_method: str,
    disposed_at: dt.datetime,
    witnesses: str,
    photos: list,
) -> Ineligible:
    """Set aside a dead, injured or sick animal of an arrived truck, with its photos, its harmless
    disposal and its witnesses. The animal dies (if it has not) and is disposed of, with events."""
    warehouse = _warehouse(actor)
    arrival = _arrival_open(arrival)
    loading = arrival.trip.loading
    code = (national_code or "").strip().upper()
    manifest = manifest_of(loading)
    read, unknown = tags_resolve([code], manifest) if code else (set(), [code])
    if unknown or not read:
        raise DomainError(
            format_lazy(NOT_ON_MANIFEST, number=loading.number, tags=code or "—"),
            field="national_code",
            items=[code],
        )
    code = next(iter(read))
    if condition not in Ineligible.Condition.values:
        raise DomainError(format_lazy(FIELD_REQUIRED, field=_("condition")), field="condition")
    cause = _required(cause, _("cause"))
    witnesses = _required(witnesses, _("witnesses"))
    if disposal_method not in Ineligible.Disposal.values:
        raise DomainError(format_lazy(FIELD_REQUIRED, field=_("harmless disposal")), field="disposal_method")
    if disposed_at is None:
        raise DomainError(format_lazy(FIELD_REQUIRED, field=_("disposed of")), field="disposed_at")
    now = timezone.now()
    if disposed_at > now + dt.timedelta(minutes=5):
        raise DomainError(format_lazy(IN_FUTURE, field=_("The time of disposal")), field="disposed_at")
    if not photos:
        raise DomainError(PHOTO_REQUIRED, field="photos")
    checked = [(photo, upload_check(photo, allowed=IMAGES)) for photo in photos]  # all before any is stored
    animal = Animal.objects.select_for_update().get(pk=manifest[code])
    existing = Ineligible.objects.filter(animal=animal).first()
    if existing:
        raise DomainError(
            format_lazy(ALREADY_SET_ASIDE, tag=code, condition=existing.get_condition_display()),
            field="national_code",
        )
    if animal.status != Animal.Status.AT_WAREHOUSE:
        raise DomainError(
            format_lazy(NOT_HERE, tag=code, status=animal.get_status_display()), field="national_code"
        )
    item = Ineligible(
        arrival=arrival,
        animal=animal,
        national_code=code,
        condition=condition,
        cause=cause[:300],
        disposal_method=disposal_method,
        disposed_at=disposed_at,
        witnesses=witnesses[:300],
        recorded_by=actor,
    )
    save_audited(item, actor=actor, reason=gettext_noop("Set aside"))
    for photo, info in checked:
        IneligiblePhoto.objects.create(
            ineligible=item,
            file=photo,
            original_name=photo.name[:200],
            content_type=info.content_type,
            size=info.size,
        )
    where = Where(site=vocab.uri("site", warehouse.code, "pen", arrival.pen))
    data = {
        "loading": loading.number,
        "condition": condition,
        "cause": item.cause,
        "witnesses": item.witnesses,
    }
    events_append(
        happening=Happening(kind="set_aside", when=now, where=where, actor=actor, source=item, data=data),
        animal_ids=[animal.pk],
    )
    # 残次死畜 are all disposed of harmlessly: a living one is put down first.
    animals_move(
        action="die",
        animal_ids=[animal.pk],
        happening=Happening(kind="death", when=now, where=where, actor=actor, source=item, data=data),
    )
    Animal.objects.filter(pk=animal.pk).update(died_on=timezone.localdate(now))
    animals_move(
        action="dispose",
        animal_ids=[animal.pk],
        happening=Happening(
            kind="disposal",
            when=disposed_at,
            where=where,
            actor=actor,
            source=item,
            data={"method": disposal_method, "witnesses": item.witnesses},
        ),
    )
    return item


# --- transit quarantine (中转仓检疫) ------------------------------------------------------------


def remaining_ids(arrival: Arrival) -> list[int]:
    """The manifest's animals still travelling: not set aside."""
    return list(
        arrival.trip.loading.animals.exclude(animal__ineligible__isnull=False).values_list(
            "animal_id", flat=True
        )
    )


@transaction.atomic
def clinical_check_record(*, actor: User, arrival: Arrival, healthy: bool, notes: str = "") -> Arrival:
    """Record the transit quarantine's clinical check of the animals at rest."""
    warehouse = _warehouse(actor)
    arrival = _arrival_open(arrival)
    if arrival.clinical_at:
        raise DomainError(CLINICAL_DONE)
    notes = (notes or "").strip()
    if not healthy and not notes:
        raise DomainError(CLINICAL_NOTES, field="notes")
    now = timezone.now()
    arrival.clinical_ok = bool(healthy)
    arrival.clinical_notes = notes[:500]
    arrival.clinical_by = actor
    arrival.clinical_at = now
    save_audited(arrival, actor=actor, reason=gettext_noop("Clinical check"))
    events_append(
        happening=Happening(
            kind="transit_examined",
            when=now,
            where=Where(site=vocab.uri("site", warehouse.code, "pen", arrival.pen)),
            actor=actor,
            source=arrival,
            data={"healthy": bool(healthy), **({"notes": notes} if notes else {})},
        ),
        animal_ids=remaining_ids(arrival),
    )
    return arrival


# --- quarantine treatment (检疫处理) -------------------------------------------------------------


@transaction.atomic
def treatment_record(
    *,
    actor: User,
    target: str,
    agent: str,
    concentration: str,
    performed_by: str,
    performed_at: dt.datetime,
    vehicle: Vehicle | None = None,
    pen: str = "",
    note: str = "",
) -> Disinfection:
    """Record the disinfection of a vehicle or a pen at the warehouse."""
    warehouse = _warehouse(actor)
    pen = (pen or "").strip()
    if (
        target == Disinfection.Target.VEHICLE
        and vehicle is None
        or target == Disinfection.Target.PEN
        and not pen
    ):
        raise DomainError(BAD_TARGET, field="target")
    if target not in Disinfection.Target.values:
        raise DomainError(BAD_TARGET, field="target")
    agent = _required(agent, _("disinfectant"))
    concentration = _required(concentration, _("concentration"))
    performed_by = _required(performed_by, _("performed by"))
    if performed_at is None:
        raise DomainError(format_lazy(FIELD_REQUIRED, field=_("performed")), field="performed_at")
    if performed_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(format_lazy(IN_FUTURE, field=_("The time of disinfection")), field="performed_at")
    return Disinfection.objects.create(
        target=target,
        vehicle=vehicle if target == Disinfection.Target.VEHICLE else None,
        pen=pen[:60] if target == Disinfection.Target.PEN else "",
        site=warehouse,
        place=warehouse.name,
        agent=agent[:100],
        concentration=concentration[:40],
        performed_at=performed_at,
        performed_by=performed_by[:100],
        recorded_by=actor,
        note=(note or "").strip()[:500],
    )


# --- departure --------------------------------------------------------------------------------


@transaction.atomic
def warehouse_depart(*, actor: User, trip: Trip, seals: list[str]) -> Trip:
    """Reload a rested, checked truck under new seals and send it on to the port."""
    warehouse = _warehouse(actor)
    trip = trip_locked(trip)
    if not trip.can("depart"):
        trip_move(trip, action="depart", actor=actor, word=DEPART_WORD)
    arrival = _arrival_open(trip.arrival)
    if arrival.clinical_at is None:
        raise DomainError(CLINICAL_MISSING)
    if not arrival.clinical_ok:
        raise DomainError(CLINICAL_FAILED)
    raw = [s.strip().upper() for s in seals or [] if s and s.strip()]
    if not raw:
        raise DomainError(SEALS_REQUIRED, field="seals")
    twice = sorted({s for s in raw if raw.count(s) > 1})
    if twice:
        raise DomainError(format_lazy(SEALS_TWICE, seals=", ".join(twice)), field="seals", items=twice)
    bad = [s for s in raw if not SEAL_PATTERN.match(s)]
    if bad:
        raise DomainError(format_lazy(SEALS_USED, seals=", ".join(bad)), field="seals", items=bad)
    used = sorted(Seal.objects.filter(number__in=raw).values_list("number", flat=True))
    if used:
        raise DomainError(format_lazy(SEALS_USED, seals=", ".join(used)), field="seals", items=used)
    now = timezone.now()
    Seal.objects.bulk_create(
        Seal(number=s, loading=trip.loading, stage=Seal.Stage.WAREHOUSE, applied_at=now, applied_by=actor)
        for s in raw
    )
    arrival.left_at = now
    save_audited(arrival, actor=actor, reason=gettext_noop("Left the pen"))
    trip.departed_warehouse_at = now
    trip.due_at = now + dt.timedelta(hours=TO_PORT_HOURS)
    trip_move(trip, action="depart", actor=actor, word=DEPART_WORD)
    events_append(
        happening=Happening(
            kind="warehouse_departed",
            when=now,
            where=site_where(warehouse),
            actor=actor,
            source=trip,
            data={"loading": trip.loading.number, "seals": raw},
        ),
        animal_ids=remaining_ids(arrival),
    )
    return trip


# --- the overnight rule ----------------------------------------------------------------------


def overnight(arrival: Arrival, *, now: dt.datetime | None = None) -> bool:
    """No animal may stay overnight: still penned on a later day than it arrived."""
    now = now or timezone.now()
    return arrival.left_at is None and timezone.localdate(arrival.arrived_at) < timezone.localdate(now)


def overnight_alerts_raise(*, arrivals, now: dt.datetime | None = None) -> int:
    """Raise (once per stay) the overnight alert for every arrival among ``arrivals`` breaking the rule."""
    now = now or timezone.now()
    specs = []
    for arrival in arrivals:
        if not overnight(arrival, now=now):
            continue
        consignment = arrival.trip.loading.consignment
        specs.append(
            AlertSpec(
                kind=Alert.Kind.OVERNIGHT,
                severity=Alert.Severity.MEDIUM,
                key=f"transit:overnight:{arrival.pk}",
                scope=AlertScope.of(arrival.warehouse, Role.TRANSIT_OFFICER, farm=consignment.farm),
                text=format_lazy(
                    OVERNIGHT_ALERT,
                    number=consignment.number,
                    pen=arrival.pen,
                    since=timezone.localtime(arrival.arrived_at).strftime("%Y-%m-%d %H:%M"),
                ),
                subject=arrival,
                data={"trip": arrival.trip_id, "pen": arrival.pen},
            )
        )
    return len(alerts_raise(specs=specs, at=now)) if specs else 0
