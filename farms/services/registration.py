"""Filing a farm and taking it through review to registration, and later changes of status."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import Organisation, Role, User
from accounts.uploads import upload_check

from .. import regions
from ..layout import layout_problem
from ..models import (
    Farm,
    FarmAttachment,
    FarmStatusChange,
    FarmSurrounding,
    RegistrationCounter,
    SiteInspection,
    Species,
    SurroundingKind,
    SurroundingRule,
)
from .credit import credit_event_record

S = Farm.Status

TRANSITION_REFUSED = _(
    "A farm that is “{current}” cannot be {action}. Reload the page to see its current status."
)
NOT_EDITABLE = _("This application is “{status}” and can no longer be changed.")
NOT_YOUR_FARM = _("This farm belongs to another enterprise.")
COUNTY_UNKNOWN = _(
    "“{code}” is not a county code of GB/T 2260. Choose the county from the list (e.g. 441322 for 博罗县)."
)
OUTSIDE_CHINA = _("The location {lat}, {lng} is outside China. Please pick the farm on the map again.")
WRONG_COUNTY = _(
    "The location {lat}, {lng} is not in {county}. Check the county, or pick the farm's location on the map "
    "again."
)
DUPLICATE_FARM = _("Your enterprise has already filed a farm called “{name}” ({status}).")
DUPLICATE_LOCATION = _("Another farm (“{name}”) is already registered within {metres} m of this location.")
SHORTFALLS = _("Too close to its surroundings: {items}. Move the farm or correct the distances.")
SHORTFALL_ITEM = _("{kind} at {distance} m (at least {minimum} m)")
SURROUNDINGS_MISSING = _(
    "Declare the nearest {kinds} and its distance before submitting (if there is none nearby, give the "
    "distance to the nearest one you know of)."
)
LAYOUT_MISSING = _("Draw at least one pen on the map, or upload a layout plan, before submitting.")
BRANCH_INVALID = _("Choose a CIQ branch as the supervising branch.")
INSPECTOR_WRONG_BRANCH = _("{inspector} is not an inspector of {branch}.")
INSPECTION_MISSING = _("Record a site inspection that meets the requirements before approving.")
REASON_REQUIRED = _("Please give a reason; the enterprise will read it.")
NOT_LAPSED = _("This farm is registered and supplying; it cannot lapse.")
NAME_MISSING = _("Give the farm its Chinese name; that is all a draft needs.")
INCOMPLETE = _("Before the application can be submitted, fill in: {fields}.")
POINT_HALF = _("Give both the latitude and the longitude, or pick the farm's location on the map.")
SPECIES_UNKNOWN = _("Choose the species the farm keeps.")
INSPECTION_IN_FUTURE = _("The inspection date {date} is in the future. Give the day you were on site.")
INSPECTION_BEFORE_SUBMISSION = _(
    "The inspection date {date} is before the application was submitted ({submitted}). Give the day you "
    "inspected this application's site."
)
CONCLUSION_UNKNOWN = _("Choose whether the farm meets the requirements.")
INSPECTION_NOTES_MISSING = _("Write down what you checked on site and what you found.")

DUPLICATE_RADIUS_M = 100


@dataclass(frozen=True)
class Shortfall:
    kind: str
    distance_m: int
    minimum_m: int

    def __str__(self):
        return str(
            format_lazy(
                SHORTFALL_ITEM,
                kind=SurroundingKind(self.kind).label,
                distance=self.distance_m,
                minimum=self.minimum_m,
            )
        )


def _move(farm: Farm, *, action: str, actor: User | None, reason: str = "", label=None) -> None:
    """Take ``action`` of Farm.ACTIONS on ``farm``, keeping a status-change row."""
    if not farm.can(action):
        raise DomainError(
            format_lazy(TRANSITION_REFUSED, current=farm.get_status_display(), action=label or action)
        )
    to = Farm.ACTIONS[action][1]
    FarmStatusChange.objects.create(
        farm=farm, action=action, from_status=farm.status, to_status=to, actor=actor, reason=reason
    )
    farm.status = to


def _locked(farm: Farm) -> Farm:
    return Farm.objects.select_for_update().select_related("enterprise", "branch").get(pk=farm.pk)


def _check_location(*, county_code: str, lat: Decimal | None, lng: Decimal | None) -> None:
    """Check the county and the point as far as they are given (a draft may lack either)."""
    county = regions.county(county_code) if county_code else None
    if county_code and county is None:
        raise DomainError(format_lazy(COUNTY_UNKNOWN, code=county_code), field="county_code")
    if (lat is None) != (lng is None):
        raise DomainError(POINT_HALF, field="latitude" if lat is None else "longitude")
    if lat is None:
        return
    if not regions.in_china(float(lat), float(lng)):
        raise DomainError(format_lazy(OUTSIDE_CHINA, lat=lat, lng=lng), field="latitude")
    if county is None:
        return
    inside = regions.point_in_county(county_code, float(lat), float(lng))
    if inside is None:
        inside = (
            regions.distance_to_county_km(county_code, float(lat), float(lng))
            <= settings.FARM_COUNTY_TOLERANCE_KM
        )
    if not inside:
        raise DomainError(
            format_lazy(
                WRONG_COUNTY,
                lat=lat,
                lng=lng,
                county=county.path((get_language() or "").startswith("en")),
            ),
            field="latitude",
        )


def _check_layout(layout) -> None:
    """Refuse a drawn layout that does not fit farms.layout.SCHEMA or its size limits."""
    if (problem := layout_problem(layout)) is not None:
        raise DomainError(problem, field="layout")


def surroundings_shortfalls(surroundings) -> list[Shortfall]:
    """Return the declared surroundings that are closer than the bureau's minimums allow."""
    minimums = dict(SurroundingRule.objects.values_list("kind", "min_distance_m"))
    out = []
    for s in surroundings:
        kind, distance = (s.kind, s.distance_m) if hasattr(s, "kind") else (s["kind"], s["distance_m"])
        if kind in minimums and distance < minimums[kind]:
            out.append(Shortfall(kind, distance, minimums[kind]))
    return out


def surroundings_missing(surroundings) -> list[str]:
    """Return the kinds of neighbour the bureau sets a minimum for that are not declared."""
    declared = {s.kind if hasattr(s, "kind") else s["kind"] for s in surroundings}
    return [
        kind
        for kind in SurroundingRule.objects.order_by("kind").values_list("kind", flat=True)
        if kind not in declared
    ]


def _check_not_duplicate(*, farm: Farm) -> None:
    live = Farm.objects.exclude(status__in=[S.WITHDRAWN, S.REJECTED, S.REVOKED]).exclude(pk=farm.pk)
    same_name = live.filter(enterprise_id=farm.enterprise_id, name_zh=farm.name_zh).first()
    if same_name:
        raise DomainError(
            format_lazy(DUPLICATE_FARM, name=farm.name_zh, status=same_name.get_status_display()),
            field="name_zh",
        )
    if farm.latitude is None:
        return
    # About 100 m: 0.001° of latitude is 111 m; longitude shrinks with the cosine, so this box
    # is a little generous to the east and west, which errs on the side of asking.
    box = Decimal("0.0009")
    near = live.filter(
        latitude__range=(farm.latitude - box, farm.latitude + box),
        longitude__range=(farm.longitude - box, farm.longitude + box),
    ).first()
    if near:
        raise DomainError(
            format_lazy(DUPLICATE_LOCATION, name=near.name_zh, metres=DUPLICATE_RADIUS_M), field="latitude"
        )


# What a submitted application must have, with the names the form gives them; a draft needs
# only its name (and its branch, which the form fills in).
REQUIRED_TO_SUBMIT = {
    "species": _("Species"),
    "capacity": _("Capacity (head)"),
    "county_code": _("County"),
    "address": _("Address"),
    "latitude": _("Latitude"),
    "longitude": _("Longitude"),
    "vet_name": _("Veterinarian's full name"),
    "vet_licence": _("Veterinarian's licence number"),
    "immunisation_programme": _("Immunisation programme"),
}


def farm_missing_for_submission(farm: Farm) -> list[str]:
    """Return the fields (of REQUIRED_TO_SUBMIT) that ``farm`` still lacks, in form order."""
    return [
        name
        for name in REQUIRED_TO_SUBMIT
        if getattr(farm, name) is None or str(getattr(farm, name)).strip() == ""
    ]


def _check_complete(farm: Farm) -> None:
    if missing := farm_missing_for_submission(farm):
        separator = ", " if (get_language() or "").startswith("en") else "、"
        names = separator.join(str(REQUIRED_TO_SUBMIT[m]) for m in missing)
        raise DomainError(format_lazy(INCOMPLETE, fields=names), field=missing[0], items=missing)


FARM_FIELDS = [
    "branch",
    "name_zh",
    "name_en",
    "species",
    "capacity",
    "county_code",
    "address",
    "latitude",
    "longitude",
    "area_m2",
    "layout",
    "disease_history",
    "vet_name",
    "vet_licence",
    "vet_phone",
    "immunisation_programme",
]


NULLABLE_FIELDS = {"capacity", "latitude", "longitude", "area_m2"}


@transaction.atomic
def farm_application_save(
    *, actor: User, farm: Farm | None = None, data: dict, surroundings: list[dict]
) -> Farm:
    """Create or change a farm application (a draft, or one returned for changes)."""
    if farm is None:
        farm = Farm(enterprise=actor.organisation, created_by=actor)
    else:
        farm = _locked(farm)
        if farm.enterprise_id != actor.organisation_id:
            raise DomainError(NOT_YOUR_FARM)
        if not farm.is_editable:
            raise DomainError(format_lazy(NOT_EDITABLE, status=farm.get_status_display()))
    for name in FARM_FIELDS:
        if name in data:
            value = data[name]
            setattr(farm, name, "" if value is None and name not in NULLABLE_FIELDS else value)
    if not (farm.name_zh or "").strip():
        raise DomainError(NAME_MISSING, field="name_zh")
    if farm.branch_id is None or farm.branch.kind != Organisation.Kind.CIQ_BRANCH:
        raise DomainError(BRANCH_INVALID, field="branch")
    if farm.species and farm.species not in Species.values:
        raise DomainError(SPECIES_UNKNOWN, field="species")
    farm.layout = farm.layout or {}
    if farm.submitted_at is not None:
        # Filed before (returned, lapsed, expired): the bureau has it, so it stays complete.
        _check_complete(farm)
    _check_location(county_code=farm.county_code, lat=farm.latitude, lng=farm.longitude)
    _check_layout(farm.layout)
    _check_not_duplicate(farm=farm)
    created = farm.pk is None
    save_audited(
        farm,
        actor=actor,
        reason=gettext_noop("Application filed") if created else gettext_noop("Application changed"),
    )
    if created:
        FarmStatusChange.objects.create(farm=farm, action="create", to_status=farm.status, actor=actor)
    farm.surroundings.all().delete()
    FarmSurrounding.objects.bulk_create(
        FarmSurrounding(
            farm=farm, kind=s["kind"], description=s.get("description", ""), distance_m=s["distance_m"]
        )
        for s in surroundings
    )
    return farm


@transaction.atomic
def farm_attachment_add(*, actor: User, farm: Farm, kind: str, file) -> FarmAttachment:
    """File an image or PDF with the application, checked by its content."""
    farm = _locked(farm)
    if farm.enterprise_id != actor.organisation_id:
        raise DomainError(NOT_YOUR_FARM)
    if not farm.is_editable:
        raise DomainError(format_lazy(NOT_EDITABLE, status=farm.get_status_display()))
    checked = upload_check(file)
    return FarmAttachment.objects.create(
        farm=farm,
        kind=kind,
        file=file,
        original_name=file.name[:200],
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=actor,
    )


def _notify(farm_id: int, event: str) -> None:
    from ..tasks import farm_status_notify

    transaction.on_commit(lambda: farm_status_notify.delay(farm_id=farm_id, event=event))


@transaction.atomic
def farm_submit(*, actor: User, farm: Farm) -> Farm:
    """Send an application to the supervising branch for review."""
    farm = _locked(farm)
    if farm.enterprise_id != actor.organisation_id:
        raise DomainError(NOT_YOUR_FARM)
    _check_complete(farm)
    if shortfalls := surroundings_shortfalls(farm.surroundings.all()):
        raise DomainError(
            format_lazy(SHORTFALLS, items="; ".join(map(str, shortfalls))), items=[s.kind for s in shortfalls]
        )
    if missing := surroundings_missing(farm.surroundings.all()):
        separator = ", " if (get_language() or "").startswith("en") else "、"
        kinds = separator.join(str(SurroundingKind(k).label) for k in missing)
        raise DomainError(format_lazy(SURROUNDINGS_MISSING, kinds=kinds), field="surroundings", items=missing)
    has_pen = any(
        (f.get("properties") or {}).get("kind") == "pen" for f in (farm.layout or {}).get("features", [])
    )
    if not has_pen and not farm.attachments.filter(kind=FarmAttachment.Kind.LAYOUT_PLAN).exists():
        raise DomainError(LAYOUT_MISSING, field="layout")
    _move(farm, action="submit", actor=actor, label=_("submitted"))
    farm.submitted_at = timezone.now()
    save_audited(farm, actor=actor, reason=gettext_noop("Submitted for review"))
    _notify(farm.pk, "submitted")
    return farm


@transaction.atomic
def farm_withdraw(*, actor: User, farm: Farm, reason: str = "") -> Farm:
    """Withdraw an application that has not been decided yet."""
    farm = _locked(farm)
    if farm.enterprise_id != actor.organisation_id:
        raise DomainError(NOT_YOUR_FARM)
    _move(farm, action="withdraw", actor=actor, reason=reason, label=_("withdrawn"))
    save_audited(farm, actor=actor, reason=reason or gettext_noop("Withdrawn"))
    return farm


@transaction.atomic
def farm_assign(*, actor: User, farm: Farm, inspector: User) -> Farm:
    """Give an application to one of the branch's inspectors (again, to reassign it)."""
    farm = _locked(farm)
    if (
        inspector.role != Role.INSPECTOR
        or inspector.organisation_id != farm.branch_id
        or not inspector.is_active
    ):
        raise DomainError(
            format_lazy(INSPECTOR_WRONG_BRANCH, inspector=inspector, branch=farm.branch.name),
            field="inspector",
        )
    if farm.status == S.SUBMITTED:
        _move(farm, action="assign", actor=actor, reason=str(inspector), label=_("assigned"))
    elif farm.status != S.UNDER_REVIEW:
        raise DomainError(
            format_lazy(TRANSITION_REFUSED, current=farm.get_status_display(), action=_("assigned"))
        )
    farm.inspector = inspector
    save_audited(
        farm, actor=actor, reason=str(format_lazy(_("Assigned to {inspector}"), inspector=inspector))
    )
    return farm


@transaction.atomic
def site_inspection_record(*, actor: User, farm: Farm, inspected_on: dt.date, conclusion: str, notes: str):
    """Record the inspector's site inspection of a farm under review."""
    farm = _locked(farm)
    if farm.status != S.UNDER_REVIEW:
        raise DomainError(
            format_lazy(
                TRANSITION_REFUSED, current=farm.get_status_display(), action=_("inspected for registration")
            )
        )
    if inspected_on > timezone.localdate():
        raise DomainError(
            format_lazy(INSPECTION_IN_FUTURE, date=inspected_on.isoformat()), field="inspected_on"
        )
    if farm.submitted_at and inspected_on < timezone.localdate(farm.submitted_at):
        raise DomainError(
            format_lazy(
                INSPECTION_BEFORE_SUBMISSION,
                date=inspected_on.isoformat(),
                submitted=timezone.localdate(farm.submitted_at).isoformat(),
            ),
            field="inspected_on",
        )
    if conclusion not in SiteInspection.Conclusion.values:
        raise DomainError(CONCLUSION_UNKNOWN, field="conclusion")
    if not (notes or "").strip():
        raise DomainError(INSPECTION_NOTES_MISSING, field="notes")
    inspection = SiteInspection(
        farm=farm, inspector=actor, inspected_on=inspected_on, conclusion=conclusion, notes=notes.strip()
    )
    save_audited(inspection, actor=actor, reason=gettext_noop("Site inspection"))
    return inspection


def _registration_number(farm: Farm, year: int) -> str:
    """Return the next number, e.g. GK44P-2026-0007 (province, species, year, sequence)."""
    letter = {"1": "P", "2": "C", "3": "G"}[farm.species]
    prefix = f"GK{farm.county_code[:2]}{letter}-{year}"
    counter, _created = RegistrationCounter.objects.select_for_update().get_or_create(prefix=prefix)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{counter.last:04d}"


def _valid_from(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year + settings.FARM_REGISTRATION_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + settings.FARM_REGISTRATION_YEARS, day=28)


def _require_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise DomainError(REASON_REQUIRED, field="reason")
    return reason.strip()


@transaction.atomic
def farm_approve(*, actor: User, farm: Farm, reason: str = "") -> Farm:
    """Register the farm: a number (kept on renewal), valid for FARM_REGISTRATION_YEARS."""
    farm = _locked(farm)
    last = farm.site_inspections.order_by("-inspected_on", "-pk").first()
    if farm.status == S.UNDER_REVIEW and (last is None or last.conclusion != SiteInspection.Conclusion.PASS):
        raise DomainError(INSPECTION_MISSING)
    _move(farm, action="approve", actor=actor, reason=reason, label=_("approved"))
    today = timezone.localdate()
    if not farm.registration_number:
        farm.registration_number = _registration_number(farm, today.year)
    farm.registered_on = today
    farm.valid_until = _valid_from(today)
    farm.last_consignment_on = None
    save_audited(farm, actor=actor, reason=reason or gettext_noop("Approved"))
    _notify(farm.pk, "approved")
    return farm


def _decide(farm, *, actor, action, label, reason, notify=True) -> Farm:
    farm = _locked(farm)
    reason = _require_reason(reason)
    _move(farm, action=action, actor=actor, reason=reason, label=label)
    save_audited(farm, actor=actor, reason=reason)
    if notify:
        _notify(farm.pk, action)
    return farm


@transaction.atomic
def farm_return(*, actor: User, farm: Farm, reason: str) -> Farm:
    """Send the application back to the enterprise with what to change."""
    return _decide(farm, actor=actor, action="return", label=_("returned"), reason=reason)


@transaction.atomic
def farm_reject(*, actor: User, farm: Farm, reason: str) -> Farm:
    """Refuse the application for good."""
    return _decide(farm, actor=actor, action="reject", label=_("rejected"), reason=reason)


@transaction.atomic
def farm_suspend(*, actor: User, farm: Farm, reason: str) -> Farm:
    """Suspend a registered farm: it may not supply until reinstated."""
    return _decide(farm, actor=actor, action="suspend", label=_("suspended"), reason=reason)


@transaction.atomic
def farm_reinstate(*, actor: User, farm: Farm, reason: str) -> Farm:
    """Lift a suspension."""
    return _decide(farm, actor=actor, action="reinstate", label=_("reinstated"), reason=reason)


@transaction.atomic
def farm_revoke(*, actor: User, farm: Farm, reason: str) -> Farm:
    """Revoke a registration for good; it counts against the enterprise's credit."""
    farm = _decide(farm, actor=actor, action="revoke", label=_("revoked"), reason=reason)
    credit_event_record(
        enterprise=farm.enterprise,
        farm=farm,
        kind="revocation",
        points=-40,
        reason=reason,
        source=f"farm:{farm.pk}:revoked",
        occurred_on=timezone.localdate(),
    )
    return farm


@transaction.atomic
def farm_renew(*, actor: User, farm: Farm, reason: str = "") -> Farm:
    """Renew a registration (registered or just expired) for another FARM_REGISTRATION_YEARS."""
    farm = _locked(farm)
    _move(farm, action="renew", actor=actor, reason=reason, label=_("renewed"))
    farm.valid_until = _valid_from(timezone.localdate())
    save_audited(farm, actor=actor, reason=reason or gettext_noop("Renewed"))
    _notify(farm.pk, "renew")
    return farm


@transaction.atomic
def farm_consignment_recorded(*, farm: Farm, on: dt.date) -> None:
    """Note that the farm supplied on ``on`` (called by quarantine); it resets the lapse clock."""
    Farm.objects.filter(pk=farm.pk).exclude(last_consignment_on__gte=on).update(last_consignment_on=on)


def registrations_expire_and_lapse(*, today: dt.date | None = None) -> dict[str, int]:
    """Expire registrations past their validity; lapse those that supplied nothing for years."""
    today = today or timezone.localdate()
    years = settings.FARM_LAPSE_YEARS
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:
        cutoff = today.replace(year=today.year - years, day=28)
    done = {"expired": 0, "lapsed": 0}
    registered = Farm.objects.filter(status=S.REGISTERED)
    for pk in registered.filter(valid_until__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            farm = _locked(Farm(pk=pk))
            if farm.status == S.REGISTERED:
                _move(farm, action="expire", actor=None, reason=gettext_noop("Validity ended"))
                save_audited(farm, actor=None, reason=gettext_noop("Validity ended"))
                done["expired"] += 1
    idle = registered.filter(registered_on__lt=cutoff).exclude(last_consignment_on__gte=cutoff)
    for pk in idle.values_list("pk", flat=True):
        with transaction.atomic():
            farm = _locked(Farm(pk=pk))
            if farm.status == S.REGISTERED:
                reason = str(format_lazy(_("No consignment for {years} years"), years=years))
                _move(farm, action="lapse", actor=None, reason=reason)
                save_audited(farm, actor=None, reason=reason)
                done["lapsed"] += 1
    return done
