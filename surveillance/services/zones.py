"""Disease reports and their zones: record an outbreak, flag the farms inside at once, lift it.

A report draws one circle per kind of zone around its place. The farms inside are found in the
same transaction (a box on the indexed coordinates, then the exact distance), written to
``FarmRestriction`` and each raises one alert for its branch's inspectors. Lifting closes the
zones, the restrictions and the alerts they raised; nothing is ever deleted.
"""

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import User
from accounts.uploads import upload_check
from farms import regions
from farms.models import Farm

from .. import geo
from ..models import Alert, Disease, DiseaseReport, FarmRestriction, ReportEvidence, Zone
from .alerts import AlertScope, AlertSpec, alerts_raise, alerts_resolve

PLACE_REQUIRED = _("Give the place of the outbreak: a point on the map, or a county.")
POINT_INVALID = _("“{lat}, {lng}” is not a point: give a latitude and a longitude in degrees.")
POINT_OUTSIDE_CHINA = _("The point {lat}, {lng} is not in China. Check the latitude and the longitude.")
COUNTY_UNKNOWN = _("“{code}” is not a county of GB/T 2260. Choose the county from the list.")
COUNTY_NO_POINT = _("The position of {county} is not known: put the point on the map.")
POINT_NOT_IN_COUNTY = _("The point {lat}, {lng} is not in {county}. Move the point or choose its county.")
DATE_REQUIRED = _("Give the date the outbreak was confirmed.")
DATE_IN_FUTURE = _("The outbreak cannot be confirmed on {date}, a day still to come.")
DISEASE_INACTIVE = _("{disease} is no longer on the bureau's list of diseases.")
RADIUS_INVALID = _("The radius of the {zone} must be a number of kilometres.")
RADIUS_RANGE = _("The radius of the {zone} must be more than 0 and at most {max} km (it is {radius} km).")
RADII_ORDER = _(
    "The surveillance zone ({outer} km) must reach at least as far as the infected zone ({inner} km)."
)
NO_ZONE = _("Give the radius of at least one zone.")
SOURCE_UNKNOWN = _("Choose where the report comes from.")
LIFT_REASON_REQUIRED = _("Say why the zone is lifted (e.g. the restriction period ended with no new case).")
ALREADY_LIFTED = _("This zone was already lifted on {date}.")
REPORT_LIFTED = _("This report was already lifted on {date}.")
ZONE_NOT_OF_REPORT = _("That zone does not belong to this report.")
SPECIES_REQUIRED = _("Choose at least one species the disease strikes.")
CODE_TAKEN = _("The code “{code}” is already used by another disease.")

# The alert each flagged farm raises, written in the reader's language at raise time.
FARM_IN_ZONE = _(
    "{farm} lies {distance} km from a confirmed outbreak of {disease} ({zone}): no animals may leave it."
)
LIFTED_NOTE = gettext_noop("The zone was lifted.")

# Farms whose application ended (or registration was revoked) keep no animals to stop.
GONE = (Farm.Status.WITHDRAWN, Farm.Status.REJECTED, Farm.Status.REVOKED)
ORDER = (Zone.Kind.INFECTED, Zone.Kind.SURVEILLANCE)


@dataclass(frozen=True)
class Flagged:
    """A farm found inside a zone when it was drawn."""

    farm_id: int
    zone: Zone
    distance_km: float


def _number(value, message, **kw) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, TypeError):
        raise DomainError(format_lazy(message, **kw)) from None
    if not number.is_finite():
        raise DomainError(format_lazy(message, **kw))
    return number


def place_resolve(*, latitude=None, longitude=None, county_code: str = "") -> tuple[Decimal, Decimal, str]:
    """Return (lat, lng, county code) of a report's place, or raise DomainError saying what is wrong."""
    county_code = (county_code or "").strip()
    has_point = latitude not in (None, "") or longitude not in (None, "")
    county = None
    if county_code:
        county = regions.county(county_code)
        if county is None:
            raise DomainError(format_lazy(COUNTY_UNKNOWN, code=county_code), field="county_code")
    if has_point:
        try:
            lat, lng = float(latitude), float(longitude)
            valid = math.isfinite(lat) and math.isfinite(lng) and abs(lat) <= 90 and abs(lng) <= 180
        except (TypeError, ValueError):
            valid = False
        if not valid:
            raise DomainError(format_lazy(POINT_INVALID, lat=latitude, lng=longitude), field="latitude")
        if not regions.in_china(lat, lng):
            raise DomainError(format_lazy(POINT_OUTSIDE_CHINA, lat=latitude, lng=longitude), field="latitude")
        if county is not None and regions.point_in_county(county.code, lat, lng) is False:
            label = county.city_name + county.name
            raise DomainError(
                format_lazy(POINT_NOT_IN_COUNTY, lat=latitude, lng=longitude, county=label),
                field="county_code",
            )
        return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}"), county.code if county else ""
    if county is None:
        raise DomainError(PLACE_REQUIRED, field="latitude")
    if county.latitude is None:
        raise DomainError(
            format_lazy(COUNTY_NO_POINT, county=county.city_name + county.name), field="latitude"
        )
    return Decimal(f"{county.latitude:.6f}"), Decimal(f"{county.longitude:.6f}"), county.code


def radii_check(radii: dict, *, fields: dict | None = None) -> dict[str, Decimal]:
    """Return the zones' radii by kind, checked (more than 0, at most 50 km, the outer one outside).

    ``fields`` names the form field of each kind, for the error (``radius_<kind>`` by default).
    """
    fields = fields or {kind: f"radius_{kind}" for kind in ORDER}
    checked = {}
    for kind in ORDER:
        value = radii.get(kind)
        if value in (None, ""):
            continue
        label = Zone.Kind(kind).label
        radius = _number(value, RADIUS_INVALID, zone=label)
        if not (0 < radius <= geo.MAX_RADIUS_KM):
            raise DomainError(
                format_lazy(RADIUS_RANGE, zone=label, max=geo.MAX_RADIUS_KM, radius=radius),
                field=fields[kind],
            )
        checked[kind] = radius.quantize(Decimal("0.01"))
    if not checked:
        raise DomainError(NO_ZONE, field=fields[Zone.Kind.INFECTED])
    inner, outer = checked.get(Zone.Kind.INFECTED), checked.get(Zone.Kind.SURVEILLANCE)
    if inner is not None and outer is not None and outer < inner:
        raise DomainError(
            format_lazy(RADII_ORDER, outer=outer, inner=inner), field=fields[Zone.Kind.SURVEILLANCE]
        )
    return checked


def _zone_box(zone: Zone) -> None:
    box = geo.bounding_box(zone.latitude, zone.longitude, zone.radius_km)
    zone.min_lat, zone.max_lat, zone.min_lng, zone.max_lng = (
        box.min_lat,
        box.max_lat,
        box.min_lng,
        box.max_lng,
    )


def farms_in_circle(*, lat, lng, radius_km, species: Iterable[str] | None = None) -> list[tuple[int, float]]:
    """Return (farm id, distance km) of the live farms within ``radius_km`` of a point, nearest first.

    Two steps: the box around the circle on the indexed coordinates, then the exact distance.
    """
    box = geo.bounding_box(lat, lng, radius_km)
    farms = Farm.objects.filter(
        latitude__gte=box.min_lat,
        latitude__lte=box.max_lat,
        longitude__gte=box.min_lng,
        longitude__lte=box.max_lng,
    ).exclude(status__in=GONE)
    if species is not None:
        farms = farms.filter(species__in=list(species))
    radius = float(radius_km)
    lat, lng = float(lat), float(lng)
    found = []
    for pk, flat, flng in farms.values_list("pk", "latitude", "longitude").order_by():
        distance = geo.distance_km(lat, lng, flat, flng)
        if distance <= radius:
            found.append((pk, distance))
    found.sort(key=lambda f: f[1])
    return found


def _flag(zones: list[Zone], disease: Disease, *, now) -> list[Flagged]:
    """Write the restrictions of the farms inside ``zones`` (one query per zone for the farms)."""
    flagged, rows = [], []
    for zone in zones:
        for farm_id, distance in farms_in_circle(
            lat=zone.latitude, lng=zone.longitude, radius_km=zone.radius_km, species=disease.species_list
        ):
            flagged.append(Flagged(farm_id, zone, distance))
            rows.append(
                FarmRestriction(
                    farm_id=farm_id,
                    zone=zone,
                    distance_km=Decimal(f"{distance:.3f}"),
                    flagged_at=now,
                )
            )
    # A farm flagged by an earlier pass (the periodic refresh) keeps its first flag.
    FarmRestriction.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return flagged


def _farm_alerts(report: DiseaseReport, flagged: list[Flagged], *, at) -> list[Alert]:
    """One alert per flagged farm, for its branch's inspectors, naming the innermost zone."""
    innermost: dict[int, Flagged] = {}
    for f in flagged:
        best = innermost.get(f.farm_id)
        if best is None or f.zone.radius_km < best.zone.radius_km:
            innermost[f.farm_id] = f
    if not innermost:
        return []
    farms = Farm.objects.filter(pk__in=innermost).only(
        "pk", "name_zh", "name_en", "branch_id", "enterprise_id"
    )
    disease = report.disease
    specs = []
    for farm in farms.order_by("pk"):
        f = innermost[farm.pk]
        zone = f.zone

        def text(farm=farm, zone=zone, distance=f.distance_km):
            return format_lazy(
                FARM_IN_ZONE,
                farm=farm.name,
                distance=f"{distance:.1f}",
                disease=disease.name,
                zone=zone.get_kind_display(),
            )

        specs.append(
            AlertSpec(
                kind=Alert.Kind.FARM_IN_ZONE,
                severity=Alert.Severity.HIGH if zone.kind == Zone.Kind.INFECTED else Alert.Severity.MEDIUM,
                key=farm_alert_key(report.pk, farm.pk),
                scope=AlertScope.farm_branch(farm),
                subject=report,
                text=text,
                data={"zone": zone.pk, "zone_kind": zone.kind, "distance_km": round(f.distance_km, 3)},
            )
        )
    return alerts_raise(specs=specs, at=at)


def farm_alert_key(report_id: int, farm_id: int) -> str:
    return f"farm_in_zone:{report_id}:{farm_id}"


@transaction.atomic
def report_create(
    *,
    actor: User,
    disease: Disease,
    confirmed_on: dt.date | None,
    source: str,
    latitude=None,
    longitude=None,
    county_code: str = "",
    place: str = "",
    source_reference: str = "",
    notes: str = "",
    radii: dict | None = None,
    files: Iterable = (),
) -> DiseaseReport:
    """Record a confirmed outbreak, draw its zones and flag every farm inside them, at once.

    ``radii`` maps a zone kind to its radius in km (the disease's defaults where not given).
    Every check comes before any write: a refused report leaves nothing behind.
    """
    if not disease.is_active:
        raise DomainError(format_lazy(DISEASE_INACTIVE, disease=disease.name), field="disease")
    if confirmed_on is None:
        raise DomainError(DATE_REQUIRED, field="confirmed_on")
    today = timezone.localdate()
    if confirmed_on > today:
        raise DomainError(format_lazy(DATE_IN_FUTURE, date=confirmed_on.isoformat()), field="confirmed_on")
    if source not in DiseaseReport.Source.values:
        raise DomainError(SOURCE_UNKNOWN, field="source")
    lat, lng, county = place_resolve(latitude=latitude, longitude=longitude, county_code=county_code)
    defaults = {
        Zone.Kind.INFECTED: disease.infected_radius_km,
        Zone.Kind.SURVEILLANCE: disease.surveillance_radius_km,
    }
    radii = radii_check(defaults if radii is None else radii)
    files = list(files)
    checked_files = [(f, upload_check(f)) for f in files]

    report = DiseaseReport(
        disease=disease,
        latitude=lat,
        longitude=lng,
        county_code=county,
        place=(place or "").strip()[:200],
        confirmed_on=confirmed_on,
        source=source,
        source_reference=(source_reference or "").strip()[:200],
        notes=(notes or "").strip(),
        reported_by=actor,
    )
    save_audited(report, actor=actor, reason=gettext_noop("Outbreak reported"))
    zones = []
    for kind in ORDER:
        if kind not in radii:
            continue
        zone = Zone(
            report=report,
            kind=kind,
            latitude=lat,
            longitude=lng,
            radius_km=radii[kind],
            starts_on=confirmed_on,
            review_on=confirmed_on + dt.timedelta(days=disease.restriction_days),
        )
        _zone_box(zone)
        save_audited(zone, actor=actor, reason=gettext_noop("Outbreak reported"))
        zones.append(zone)
    for upload, checked in checked_files:
        ReportEvidence.objects.create(
            report=report,
            file=upload,
            original_name=getattr(upload, "name", "")[:200] or "evidence",
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=actor,
        )
    now = timezone.now()
    flagged = _flag(zones, disease, now=now)
    _farm_alerts(report, flagged, at=now)
    report.flagged_count = len({f.farm_id for f in flagged})
    return report


@transaction.atomic
def report_lift(
    *, actor: User, report: DiseaseReport, reason: str, zone: Zone | None = None
) -> DiseaseReport:
    """Lift a report's zones (or one of them) with the reason; its farms' restrictions end with them.

    The report is lifted once its last zone is. The alerts its farms raised are closed when the
    farm is no longer in any of the report's zones.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(LIFT_REASON_REQUIRED, field="reason")
    report = DiseaseReport.objects.select_for_update().get(pk=report.pk)
    if not report.can("lift"):
        raise DomainError(format_lazy(REPORT_LIFTED, date=_date(report.lifted_at)), field="reason")
    zones = list(Zone.objects.select_for_update().filter(report=report).order_by("radius_km"))
    if zone is not None:
        target = next((z for z in zones if z.pk == zone.pk), None)
        if target is None:
            raise DomainError(ZONE_NOT_OF_REPORT, field="zone")
        if not target.is_active:
            raise DomainError(format_lazy(ALREADY_LIFTED, date=_date(target.lifted_at)), field="zone")
        chosen = [target]
    else:
        chosen = [z for z in zones if z.is_active]
    now = timezone.now()
    for z in chosen:
        z.lifted_at, z.lifted_by, z.lift_reason = now, actor, reason
        save_audited(z, actor=actor, reason=reason)
    FarmRestriction.objects.filter(zone__in=chosen, lifted_at__isnull=True).update(lifted_at=now)
    still = FarmRestriction.objects.filter(zone__report=report, lifted_at__isnull=True).values_list(
        "farm_id", flat=True
    )
    freed = (
        FarmRestriction.objects.filter(zone__in=chosen)
        .exclude(farm_id__in=still)
        .values_list("farm_id", flat=True)
    )
    alerts_resolve(keys=[farm_alert_key(report.pk, f) for f in set(freed)], reason=LIFTED_NOTE, actor=actor)
    if all(not z.is_active for z in zones):
        report.status = DiseaseReport.Status.LIFTED
        report.lifted_at, report.lifted_by, report.lift_reason = now, actor, reason
        save_audited(report, actor=actor, reason=reason)
    return report


def _date(value) -> str:
    return timezone.localtime(value).date().isoformat() if value else "—"


def restrictions_refresh() -> dict:
    """Flag the farms that came into an active zone after it was drawn; return how many.

    The zones' truth is their geometry: a farm registered (or moved) into a zone since it was
    drawn is found here, by the periodic task, and raises its alert like the others.
    """
    added = 0
    reports = 0
    now = timezone.now()
    active = (
        Zone.objects.filter(lifted_at__isnull=True, report__status=DiseaseReport.Status.CONFIRMED)
        .select_related("report__disease")
        .order_by("report_id", "radius_km")
    )
    by_report: dict[int, list[Zone]] = {}
    for zone in active:
        by_report.setdefault(zone.report_id, []).append(zone)
    moved_out = _restrictions_moved_out(now=now)
    for zones in by_report.values():
        report = zones[0].report
        with transaction.atomic():
            known = set(FarmRestriction.objects.filter(zone__in=zones).values_list("farm_id", "zone_id"))
            flagged = [
                f for f in _flag(zones, report.disease, now=now) if (f.farm_id, f.zone.pk) not in known
            ]
            if flagged:
                _farm_alerts(report, flagged, at=now)
                added += len(flagged)
                reports += 1
    return {"flagged": added, "reports": reports, "moved_out": moved_out}


def _restrictions_moved_out(*, now) -> int:
    """Lift the restrictions of farms whose point was moved out of their zone since it was drawn."""
    gone = [
        r.pk
        for r in FarmRestriction.objects.filter(lifted_at__isnull=True).select_related("farm", "zone")
        if geo.distance_km(r.zone.latitude, r.zone.longitude, r.farm.latitude, r.farm.longitude)
        > float(r.zone.radius_km)
    ]
    return FarmRestriction.objects.filter(pk__in=gone).update(lifted_at=now) if gone else 0


# --- the disease table (managers) ---------------------------------------------------------------


@transaction.atomic
def disease_save(*, actor: User, disease: Disease | None = None, data: dict) -> Disease:
    """Create or change a disease of the reference table, with its default zones and period."""
    disease = disease or Disease()
    species = "".join(s for s in data.get("species", "") if s in "123")
    if not species:
        raise DomainError(SPECIES_REQUIRED, field="species")
    radii = radii_check(
        {
            Zone.Kind.INFECTED: data.get("infected_radius_km"),
            Zone.Kind.SURVEILLANCE: data.get("surveillance_radius_km"),
        },
        fields={Zone.Kind.INFECTED: "infected_radius_km", Zone.Kind.SURVEILLANCE: "surveillance_radius_km"},
    )
    if len(radii) < 2:
        raise DomainError(NO_ZONE, field="surveillance_radius_km")
    for name in ("code", "name_zh", "name_en"):
        if name in data:
            setattr(disease, name, (data[name] or "").strip())
    if Disease.objects.filter(code=disease.code).exclude(pk=disease.pk).exists():
        raise DomainError(format_lazy(CODE_TAKEN, code=disease.code), field="code")
    disease.species = "".join(sorted(set(species)))
    disease.infected_radius_km = radii[Zone.Kind.INFECTED]
    disease.surveillance_radius_km = radii[Zone.Kind.SURVEILLANCE]
    disease.restriction_days = int(data.get("restriction_days") or disease.restriction_days or 21)
    disease.is_active = bool(data.get("is_active", disease.is_active if disease.pk else True))
    save_audited(disease, actor=actor, reason=(data.get("reason") or "").strip() or gettext_noop("Edited"))
    return disease
