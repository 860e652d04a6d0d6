"""Supervised loading (监装): open on a certified consignment, tags typed or read, seals, close.

Closing is the one step that writes the manifest (``LoadingAnimal``), signs the seal addendum
with the bureau's certificate key (the certificate row never changes: the addendum names it
and is signed on its own), appends a ``loaded`` AggregationEvent for every animal — the
animals into the vehicle, whose URI is the event's parent — moves each animal through
Animal.ACTIONS "load", and starts the Trip, due at the warehouse TRANSIT_TRIP_PLANNED_HOURS
after departure.
"""

import datetime as dt
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import Role, User
from livestock import vocab
from livestock.models import Animal, ReaderDevice, TagRead
from livestock.services.events import Happening, Where
from livestock.services.export import animals_move
from quarantine import compact, keys
from quarantine.models import Consignment
from quarantine.selectors import certificate_check

from ..models import Driver, Loading, LoadingAnimal, Seal, Trip, Vehicle
from ..selectors.fleet import driver_refusals, vehicle_refusals
from ..selectors.loading import current_certificate, expected_of, loading_progress

NOT_YOUR_BRANCH = _(
    "Consignment {number} is handled by {branch}; only its inspectors or a manager may load it."
)
NOT_APPROVED = _("Consignment {number} is “{status}”: only an approved consignment may be loaded.")
NO_CERTIFICATE = _("Consignment {number} has no certificate in force.")
CERTIFICATE_NOT_VALID = _("Certificate {number} is “{state}”: the animals may not be loaded on it.")
ALREADY_LOADING = _("Consignment {number} already has loading {loading}.")
OTHER_ENTERPRISE_VEHICLE = _("Vehicle {plate} belongs to another enterprise.")
OTHER_ENTERPRISE_DRIVER = _("Driver {name} works for another enterprise.")
VEHICLE_BUSY = _("Vehicle {plate} is already being loaded (loading {loading}).")
READER_NOT_HERE = _("Reader {reader} is not on farm {farm}: use a reader of the farm, or load without one.")
READER_REVOKED = _("Reader {reader} is revoked.")
TRANSITION_REFUSED = _("Loading {number} is “{status}”: it cannot be {action} now. Reload the page.")
TAG_EMPTY = _("Type or scan a tag.")
TAG_NOT_ON_CERTIFICATE = _("Tag {tag} is not on certificate {certificate}: it may not be loaded.")
TAG_ALREADY = _("Tag {tag} is already loaded.")
SEAL_BAD = _("Write the seal number as printed on it: 3 to 40 letters, digits or dashes.")
SEAL_USED = _("Seal {seal} has already been used (loading {loading}): a seal number is used once, ever.")
SEAL_NOT_HERE = _("Seal {seal} is not a seal of this loading.")
NO_SEALS = _("Record the seal numbers before closing the loading.")
NOTHING_LOADED = _("No animal of the certificate has been loaded: cancel the loading instead.")
MISSING_REASON = ngettext_lazy(
    "%(count)d animal of the certificate is not loaded: give the reason to close the loading.",
    "%(count)d animals of the certificate are not loaded: give the reason to close the loading.",
    "count",
)
REASON_REQUIRED = _("Give the reason for cancelling.")
ACTION_WORDS = {
    "close": pgettext_lazy("loading", "closed"),
    "cancel": pgettext_lazy("loading", "cancelled"),
    "tag": pgettext_lazy("loading", "given tags"),
    "seal": pgettext_lazy("loading", "sealed"),
}
SEAL_RE = re.compile(r"^[A-Z0-9-]{3,40}$")


def _require_branch(actor: User, consignment: Consignment) -> None:
    if actor.role == Role.MANAGER and actor.is_active:
        return
    if actor.role != Role.INSPECTOR or not actor.is_active or actor.organisation_id != consignment.branch_id:
        raise DomainError(format_lazy(NOT_YOUR_BRANCH, number=consignment.number, branch=consignment.branch))


def _refuse(problems: list) -> None:
    if problems:
        raise DomainError(problems[0], items=problems)


def _valid_certificate(consignment: Consignment):
    certificate = current_certificate(consignment)
    if certificate is None:
        raise DomainError(format_lazy(NO_CERTIFICATE, number=consignment.number))
    check = certificate_check(certificate)
    if check.state != "valid":
        raise DomainError(format_lazy(CERTIFICATE_NOT_VALID, number=certificate.number, state=check.label))
    return certificate


def _locked(loading: Loading, action: str) -> Loading:
    loading = (
        Loading.objects.select_for_update(of=("self",))
        .select_related(
            "consignment__branch", "consignment__farm", "certificate__consignment", "vehicle", "driver"
        )
        .get(pk=loading.pk)
    )
    # Tags and seals are taken only while the loading is open, as closing is.
    if not loading.can(action if action in Loading.ACTIONS else "close"):
        raise DomainError(
            format_lazy(
                TRANSITION_REFUSED,
                number=loading.number,
                status=loading.get_status_display(),
                action=ACTION_WORDS[action],
            )
        )
    return loading


@transaction.atomic
def loading_open(
    *,
    actor: User,
    consignment: Consignment,
    vehicle: Vehicle,
    driver: Driver,
    device: ReaderDevice | None = None,
) -> Loading:
    """Open a loading of an approved consignment with a valid certificate onto ``vehicle``."""
    consignment = (
        Consignment.objects.select_for_update(of=("self",))
        .select_related("branch", "farm")
        .get(pk=consignment.pk)
    )
    _require_branch(actor, consignment)
    if consignment.status != Consignment.Status.APPROVED:
        raise DomainError(
            format_lazy(NOT_APPROVED, number=consignment.number, status=consignment.get_status_display())
        )
    certificate = _valid_certificate(consignment)
    existing = consignment.loadings.exclude(status=Loading.Status.CANCELLED).first()
    if existing:
        raise DomainError(format_lazy(ALREADY_LOADING, number=consignment.number, loading=existing.number))
    vehicle = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
    if vehicle.enterprise_id != consignment.enterprise_id:
        raise DomainError(format_lazy(OTHER_ENTERPRISE_VEHICLE, plate=vehicle.plate), field="vehicle")
    if driver.enterprise_id != consignment.enterprise_id:
        raise DomainError(format_lazy(OTHER_ENTERPRISE_DRIVER, name=driver.name), field="driver")
    busy = vehicle.loadings.filter(status=Loading.Status.OPEN).first()
    if busy:
        raise DomainError(
            format_lazy(VEHICLE_BUSY, plate=vehicle.plate, loading=busy.number), field="vehicle"
        )
    head = len(expected_of(certificate))
    _refuse(vehicle_refusals(vehicle=vehicle, species=consignment.species, head=head))
    _refuse(driver_refusals(driver=driver))
    reads_after = 0
    if device is not None:
        if not device.is_active:
            raise DomainError(format_lazy(READER_REVOKED, reader=device.name), field="device")
        if device.farm_id != consignment.farm_id:
            raise DomainError(
                format_lazy(READER_NOT_HERE, reader=device.name, farm=consignment.farm), field="device"
            )
        reads_after = (
            TagRead.objects.filter(device=device).order_by("-pk").values_list("pk", flat=True).first() or 0
        )
    version = consignment.loadings.count() + 1
    loading = Loading(
        number=f"LD{consignment.number[2:]}-{version}"[:24],
        consignment=consignment,
        certificate=certificate,
        enterprise_id=consignment.enterprise_id,
        branch_id=consignment.branch_id,
        vehicle=vehicle,
        driver=driver,
        device=device,
        reads_after=reads_after,
        head_expected=head,
        opened_by=actor,
        opened_at=timezone.now(),
    )
    save_audited(loading, actor=actor, reason="opened")
    return loading


def _clean_tag(tag: str) -> str:
    # Tags are digits (an RFID number may carry letters): anything else is noise from a scanner.
    return re.sub(r"[^0-9A-Za-z]", "", tag or "")[:40]


@transaction.atomic
def loading_tag_add(*, actor: User, loading: Loading, tag: str) -> LoadingAnimal:
    """Load one animal by its tag typed or scanned (its national code or RFID number).

    A tag not on the certificate is refused, naming it; nothing is written.
    """
    loading = _locked(loading, "tag")
    _require_branch(actor, loading.consignment)
    tag = _clean_tag(tag)
    if not tag:
        raise DomainError(TAG_EMPTY, field="tag")
    expected = expected_of(loading)
    animal = Animal.objects.filter(Q(national_code=tag) | Q(rfid=tag)).only("pk", "national_code").first()
    if animal is None or animal.pk not in expected:
        raise DomainError(
            format_lazy(TAG_NOT_ON_CERTIFICATE, tag=tag, certificate=loading.certificate.number), field="tag"
        )
    if animal.pk in loading_progress(loading).matched:
        raise DomainError(format_lazy(TAG_ALREADY, tag=expected[animal.pk]), field="tag")
    item = LoadingAnimal.objects.create(
        loading=loading,
        animal_id=animal.pk,
        national_code=expected[animal.pk],
        how=LoadingAnimal.How.TYPED,
        read_at=timezone.now(),
    )
    Loading.objects.filter(pk=loading.pk).update(
        head_loaded=LoadingAnimal.objects.filter(loading=loading).count()
    )
    return item


@transaction.atomic
def loading_seal_add(*, actor: User, loading: Loading, number: str) -> Seal:
    """Record a seal put on the vehicle; a seal number already used anywhere is refused, named."""
    loading = _locked(loading, "seal")
    _require_branch(actor, loading.consignment)
    number = re.sub(r"\s", "", number or "").upper()
    if not SEAL_RE.match(number):
        raise DomainError(SEAL_BAD, field="seal")
    used = Seal.objects.select_related("loading").filter(number=number).first()
    if used:
        raise DomainError(format_lazy(SEAL_USED, seal=number, loading=used.loading.number), field="seal")
    seal = Seal(number=number, loading=loading, applied_at=timezone.now(), applied_by=actor)
    try:
        with transaction.atomic():
            save_audited(seal, actor=actor, reason="applied")
    except IntegrityError as error:  # the same number recorded at the same moment elsewhere
        raise DomainError(format_lazy(SEAL_USED, seal=number, loading="—"), field="seal") from error
    return seal


@transaction.atomic
def loading_seal_remove(*, actor: User, loading: Loading, seal: Seal) -> None:
    """Take back a seal recorded by mistake while the loading is open (its history row stays)."""
    loading = _locked(loading, "seal")
    _require_branch(actor, loading.consignment)
    if seal.loading_id != loading.pk:
        raise DomainError(format_lazy(SEAL_NOT_HERE, seal=seal.number))
    seal._history_user = actor
    seal._change_reason = "recorded by mistake"
    seal.delete()


def _addendum(
    loading: Loading, *, seals: list[str], codes: list[str], missing: list[str], reason: str, at
) -> dict:
    certificate = loading.certificate
    return {
        "type": "seal_addendum",
        "certificate": certificate.number,
        "certificate_signature": certificate.signature,
        "consignment": loading.consignment.number,
        "loading": loading.number,
        "vehicle": loading.vehicle.plate,
        "hk_plate": loading.vehicle.hk_plate,
        "driver": loading.driver.name,
        "seals": seals,
        "head_certified": loading.head_expected,
        "head_loaded": len(codes),
        "tags_loaded": compact.tags_digest(codes),
        "missing": missing,
        "missing_reason": reason,
        "closed_at": at.isoformat(),
        "inspector": loading.closed_by.get_full_name() or loading.closed_by.username,
    }


@transaction.atomic
def loading_close(*, actor: User, loading: Loading, reason: str = "") -> Loading:
    """Close the loading: freeze the manifest, sign the seal addendum, load the animals, start the trip."""
    loading = _locked(loading, "close")
    consignment = loading.consignment
    _require_branch(actor, consignment)
    certificate = _valid_certificate(consignment)
    if certificate.pk != loading.certificate_id:
        raise DomainError(format_lazy(CERTIFICATE_NOT_VALID, number=loading.certificate.number, state="—"))
    seals = sorted(loading.seals.values_list("number", flat=True))
    if not seals:
        raise DomainError(NO_SEALS, field="seal")
    vehicle = Vehicle.objects.select_for_update().get(pk=loading.vehicle_id)
    _refuse(vehicle_refusals(vehicle=vehicle, species=consignment.species, head=loading.head_expected))
    _refuse(driver_refusals(driver=loading.driver))
    progress = loading_progress(loading)
    if not progress.matched:
        raise DomainError(NOTHING_LOADED)
    reason = (reason or "").strip()
    missing = progress.missing
    if missing and not reason:
        raise DomainError(MISSING_REASON % {"count": len(missing)}, field="reason", items=[])
    typed = set(LoadingAnimal.objects.filter(loading=loading).values_list("animal_id", flat=True))
    LoadingAnimal.objects.bulk_create(
        LoadingAnimal(loading=loading, animal_id=pk, national_code=seen.code, how=seen.how, read_at=seen.at)
        for pk, seen in progress.matched.items()
        if pk not in typed
    )
    now = timezone.now()
    codes = progress.matched_codes
    loading.status = Loading.ACTIONS["close"][1]
    loading.closed_by, loading.closed_at = actor, now
    loading.head_loaded = len(codes)
    loading.unexpected = progress.unexpected
    loading.cancel_reason = ""
    loading.addendum = _addendum(loading, seals=seals, codes=codes, missing=missing, reason=reason, at=now)
    private = keys.signing_key()
    loading.addendum_signature = compact.sign(private, compact.canonical(loading.addendum))
    loading.addendum_key_id = compact.key_id(private.public_key())
    save_audited(loading, actor=actor, reason=reason or "closed")
    happening = Happening(
        kind="loaded",
        when=now,
        where=Where(farm_id=consignment.farm_id),
        actor=actor,
        source=loading,
        parent=vocab.uri("vehicle", vehicle.pk),
        data={
            "loading": loading.number,
            "certificate": certificate.number,
            "vehicle": vehicle.plate,
            "seals": seals,
        },
    )
    animals_move(action="load", animal_ids=sorted(progress.matched), happening=happening)
    trip = Trip(
        loading=loading,
        vehicle=vehicle,
        driver=loading.driver,
        gps_unit=vehicle.gps_unit,
        enterprise_id=loading.enterprise_id,
        departed_at=now,
        due_at=now + dt.timedelta(hours=settings.TRANSIT_TRIP_PLANNED_HOURS),
    )
    save_audited(trip, actor=actor, reason="departed")
    return loading


@transaction.atomic
def loading_cancel(*, actor: User, loading: Loading, reason: str) -> Loading:
    """Cancel an open loading, with the reason; its seal numbers stay used."""
    loading = _locked(loading, "cancel")
    _require_branch(actor, loading.consignment)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(REASON_REQUIRED, field="reason")
    loading.status = Loading.ACTIONS["cancel"][1]
    loading.cancel_reason = reason[:500]
    loading.closed_by, loading.closed_at = actor, timezone.now()
    save_audited(loading, actor=actor, reason=reason)
    return loading
