"""Every read of surveillance, scoped to the user; and the restriction check every later step calls.

``restrictions_for_farms(farm_ids=...)`` is the question declarations and loading ask: which
active zones each farm lies in, with the disease, the zone, the distance and since when. It
measures the geometry (the zones' boxes on an index, then the exact distance), so it is right
even for a farm registered after the zone was drawn. Lists and maps read the maintained
``FarmRestriction`` table instead (``farms_annotate_restricted``), which is cheaper.
"""

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import BUREAU_ROLES, User
from accounts.selectors import ALL_SEEING_ROLES
from farms.models import Farm
from farms.selectors import farm_scope_q

from . import geo
from .models import Alert, AlertNote, Disease, DiseaseReport, FarmRestriction, Zone

# --- the restriction check ----------------------------------------------------------------------

ZONE_FIELDS = (
    "pk",
    "kind",
    "latitude",
    "longitude",
    "radius_km",
    "starts_on",
    "review_on",
    "report_id",
    "report__confirmed_on",
    "report__disease__code",
    "report__disease__name_zh",
    "report__disease__name_en",
    "report__disease__species",
    "min_lat",
    "max_lat",
    "min_lng",
    "max_lng",
)


@dataclass(frozen=True)
class Restriction:
    """One active zone a place lies in."""

    zone_id: int
    zone_kind: str
    radius_km: float
    distance_km: float
    since: dt.date
    review_on: dt.date
    report_id: int
    report_number: str
    disease_code: str
    disease_zh: str
    disease_en: str

    @property
    def disease(self) -> str:
        return (
            self.disease_en
            if (get_language() or "").startswith("en") and self.disease_en
            else self.disease_zh
        )

    @property
    def zone_label(self) -> str:
        return str(Zone.Kind(self.zone_kind).label)

    @property
    def infected(self) -> bool:
        return self.zone_kind == Zone.Kind.INFECTED


@dataclass(frozen=True)
class _ZoneRow:
    pk: int
    kind: str
    lat: float
    lng: float
    radius: float
    since: dt.date
    review_on: dt.date
    report_id: int
    report_number: str
    disease_code: str
    disease_zh: str
    disease_en: str
    species: str
    box: geo.Box


def _active_zones(box: geo.Box | None = None) -> list[_ZoneRow]:
    zones = Zone.objects.filter(lifted_at__isnull=True)
    if box is not None:
        zones = zones.filter(
            min_lat__lte=box.max_lat,
            max_lat__gte=box.min_lat,
            min_lng__lte=box.max_lng,
            max_lng__gte=box.min_lng,
        )
    rows = []
    for (
        pk,
        kind,
        lat,
        lng,
        radius,
        since,
        review_on,
        report_id,
        confirmed_on,
        code,
        zh,
        en,
        species,
        *bounds,
    ) in zones.values_list(*ZONE_FIELDS).order_by():
        rows.append(
            _ZoneRow(
                pk,
                kind,
                float(lat),
                float(lng),
                float(radius),
                since,
                review_on,
                report_id,
                f"{confirmed_on:%Y}-{report_id:04d}",
                code,
                zh,
                en,
                species,
                geo.Box(*bounds),
            )
        )
    return rows


def restrictions_for_points(points: dict, *, species_matter: bool = True) -> dict:
    """Return, for each ``key: (lat, lng, species)`` of ``points``, the active zones it lies in.

    ``species`` is a farms.Species digit (a zone restricts only the species its disease
    strikes), or None for "any" (a truck). Innermost zone first. Two queries at most: none for
    the points, one for the zones whose box meets the points' box.
    """
    result = {key: [] for key in points}
    located = [(float(lat), key, float(lng), sp) for key, (lat, lng, sp) in points.items() if lat is not None]
    if not located:
        return result
    located.sort(key=lambda p: p[0])
    lats = [p[0] for p in located]
    lngs = [p[2] for p in located]
    around = geo.Box(lats[0], lats[-1], min(lngs), max(lngs))
    for zone in _active_zones(around):
        start = bisect.bisect_left(lats, zone.box.min_lat)
        end = bisect.bisect_right(lats, zone.box.max_lat)
        for lat, key, lng, sp in located[start:end]:
            if not (zone.box.min_lng <= lng <= zone.box.max_lng):
                continue
            if species_matter and sp is not None and sp not in zone.species:
                continue
            distance = geo.distance_km(zone.lat, zone.lng, lat, lng)
            if distance <= zone.radius:
                result[key].append(
                    Restriction(
                        zone_id=zone.pk,
                        zone_kind=zone.kind,
                        radius_km=zone.radius,
                        distance_km=round(distance, 3),
                        since=zone.since,
                        review_on=zone.review_on,
                        report_id=zone.report_id,
                        report_number=zone.report_number,
                        disease_code=zone.disease_code,
                        disease_zh=zone.disease_zh,
                        disease_en=zone.disease_en,
                    )
                )
    for found in result.values():
        found.sort(key=lambda r: (r.radius_km, r.report_id))
    return result


def restrictions_for_farms(*, farm_ids: Iterable[int]) -> dict[int, list[Restriction]]:
    """Return the active zones each farm lies in (an empty list for a farm in none): two queries.

    The check a declaration or a loading makes before anything moves.
    """
    ids = list(dict.fromkeys(int(pk) for pk in farm_ids))
    found = restrictions_for_points(_farm_points(ids))
    return {pk: found.get(pk, []) for pk in ids}


def _farm_points(ids: list[int]) -> dict[int, tuple]:
    """The farms' (lat, lng, species), in one query.

    On PostgreSQL the ids go as one array parameter and the coordinates come back as floats:
    500 farms take a third of the time of ``pk__in`` with Decimals (measured by
    ``make bench``, restrictions_for_farms_ms). Elsewhere, the ORM.
    """
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Farm._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, latitude::float8, longitude::float8, species FROM {table} WHERE id = ANY(%s)",
                [ids],
            )
            return {pk: (lat, lng, species) for pk, lat, lng, species in cursor.fetchall()}
    rows = Farm.objects.filter(pk__in=ids).values_list("pk", "latitude", "longitude", "species").order_by()
    return {pk: (lat, lng, species) for pk, lat, lng, species in rows}


def restrictions_for_farm(*, farm: Farm) -> list[Restriction]:
    """Return the active zones ``farm`` lies in, innermost first (one query)."""
    return restrictions_for_points({farm.pk: (farm.latitude, farm.longitude, farm.species)})[farm.pk]


RESTRICTED = _(
    "{farm} lies in the {zone} of {disease} (report {report}, {distance} km from the outbreak, since "
    "{since}): no animals may leave it."
)


def restriction_message(restriction: Restriction, *, farm_name: str):
    """The sentence a refusal shows for a farm in a zone (a declaration, a loading), translated."""
    return format_lazy(
        RESTRICTED,
        farm=farm_name,
        zone=Zone.Kind(restriction.zone_kind).label,
        disease=restriction.disease,
        report=restriction.report_number,
        distance=f"{restriction.distance_km:.1f}",
        since=restriction.since.isoformat(),
    )


def zones_at(*, lat, lng) -> list[Restriction]:
    """Return the active zones of any disease a point lies in (a truck on the road)."""
    return restrictions_for_points({0: (lat, lng, None)}, species_matter=False)[0]


# --- what lists and maps read: the maintained table ------------------------------------------------


def flagged_points_for_user(*, user: User) -> list[list]:
    """``[lat, lng, zone kind]`` of each flagged farm ``user`` may see (its innermost zone), for maps."""
    points = {}
    rows = (
        FarmRestriction.objects.filter(
            lifted_at__isnull=True, farm__in=Farm.objects.filter(farm_scope_q(user=user))
        )
        .order_by("farm_id", "zone__radius_km")
        .values_list("farm_id", "farm__latitude", "farm__longitude", "zone__kind")
    )
    for farm_id, lat, lng, kind in rows:
        points.setdefault(farm_id, [round(float(lat), 5), round(float(lng), 5), kind])
    return list(points.values())


def farms_annotate_restricted(queryset: QuerySet[Farm]) -> QuerySet[Farm]:
    """Annotate each farm with ``restricted``: whether it lies in an active zone (one EXISTS)."""
    active = FarmRestriction.objects.filter(farm_id=OuterRef("pk"), lifted_at__isnull=True)
    return queryset.annotate(restricted=Exists(active))


def restricted_farm_ids(*, farm_ids: Iterable[int] | None = None) -> set[int]:
    """Return the ids of the farms (of ``farm_ids``, or all) flagged in an active zone."""
    rows = FarmRestriction.objects.filter(lifted_at__isnull=True)
    if farm_ids is not None:
        # A queryset stays a subquery: one query however many farms.
        rows = rows.filter(farm_id__in=farm_ids if isinstance(farm_ids, QuerySet) else list(farm_ids))
    return set(rows.values_list("farm_id", flat=True).distinct())


def active_restrictions_for_user(*, user: User) -> QuerySet[FarmRestriction]:
    """The flagged farms ``user`` may see, with their zone, report and disease; innermost zone first."""
    return (
        FarmRestriction.objects.filter(
            lifted_at__isnull=True, farm__in=Farm.objects.filter(farm_scope_q(user=user))
        )
        .select_related("farm__enterprise", "farm__branch", "zone__report__disease")
        .order_by("farm__name_zh", "farm_id", "zone__radius_km")
    )


def flagged_farms_for_user(*, user: User, report: DiseaseReport | None = None) -> list[dict]:
    """One row per flagged farm in ``user``'s scope (the innermost zone it lies in), for lists and maps."""
    rows = active_restrictions_for_user(user=user)
    if report is not None:
        rows = rows.filter(zone__report=report)
    farms: dict[int, dict] = {}
    for r in rows:
        seen = farms.get(r.farm_id)
        if seen is None:
            farms[r.farm_id] = seen = {"restriction": r, "farm": r.farm, "zones": []}
        seen["zones"].append(r)
    # The farms nearest the outbreak first: the innermost zone, then the distance.
    return sorted(
        farms.values(), key=lambda f: (f["restriction"].zone.radius_km, f["restriction"].distance_km)
    )


# --- reports and zones -----------------------------------------------------------------------------


def report_scope_q(*, user: User) -> Q:
    """Every bureau user reads the outbreaks; an enterprise sees them only as restrictions on its farms."""
    if not (user.is_authenticated and user.is_active and user.role in BUREAU_ROLES):
        return Q(pk__in=[])
    return Q()


def report_list_for_user(*, user: User) -> QuerySet[DiseaseReport]:
    """The reports ``user`` may read, newest first, with their disease and flagged-farm count."""
    return (
        DiseaseReport.objects.filter(report_scope_q(user=user))
        .select_related("disease", "reported_by", "lifted_by")
        .annotate(
            farms_flagged=Count("zones__restrictions__farm", distinct=True),
            farms_restricted=Count(
                "zones__restrictions__farm",
                filter=Q(zones__restrictions__lifted_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("-confirmed_on", "-pk")
    )


def report_get_for_user(*, user: User, pk: int) -> DiseaseReport:
    return get_object_or_404(
        DiseaseReport.objects.filter(report_scope_q(user=user)).select_related(
            "disease", "reported_by", "lifted_by"
        ),
        pk=pk,
    )


def zones_of_report(*, report: DiseaseReport) -> list[Zone]:
    return list(report.zones.select_related("lifted_by").order_by("radius_km"))


def zone_map_data(*, user: User, include_lifted_days: int = 0) -> list[dict]:
    """The zones to draw: every active zone (and those lifted in the last days, if asked), as dicts."""
    zones = Zone.objects.filter(report__in=DiseaseReport.objects.filter(report_scope_q(user=user)))
    condition = Q(lifted_at__isnull=True)
    if include_lifted_days:
        from django.utils import timezone

        condition |= Q(lifted_at__gte=timezone.now() - dt.timedelta(days=include_lifted_days))
    english = (get_language() or "").startswith("en")
    rows = []
    for z in zones.filter(condition).select_related("report__disease").order_by("-radius_km", "pk"):
        disease = z.report.disease
        rows.append(
            {
                "id": z.pk,
                "report": z.report_id,
                "number": z.report.number,
                "kind": z.kind,
                "kindLabel": str(z.get_kind_display()),
                "lat": float(z.latitude),
                "lng": float(z.longitude),
                "radiusKm": float(z.radius_km),
                "disease": (english and disease.name_en) or disease.name_zh,
                "since": z.starts_on.isoformat(),
                "reviewOn": z.review_on.isoformat(),
                "active": z.lifted_at is None,
            }
        )
    return rows


def disease_list() -> QuerySet[Disease]:
    return Disease.objects.order_by("-is_active", "name_zh")


# --- the alerts centre -----------------------------------------------------------------------------


def alert_scope_q(*, user: User) -> Q:
    """The alerts ``user`` may see.

    Managers (and the system administrator) see every alert; every other bureau user those
    addressed to their own organisation (an inspector: the branch's); an enterprise only the
    alerts about itself that the bureau chose to show it.
    """
    if not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if user.role in ALL_SEEING_ROLES:
        return Q()
    if user.is_enterprise_user:
        return Q(enterprise_id=user.organisation_id, shown_to_enterprise=True)
    if user.role in BUREAU_ROLES:
        return Q(organisation_id=user.organisation_id)
    return Q(pk__in=[])


def alert_list_for_user(*, user: User) -> QuerySet[Alert]:
    """The alerts ``user`` may see, open first, then by severity and time."""
    return (
        Alert.objects.filter(alert_scope_q(user=user))
        .select_related("organisation", "farm", "enterprise", "acknowledged_by", "closed_by")
        .order_by("-raised_at", "-pk")
    )


def alert_get_for_user(*, user: User, pk: int) -> Alert:
    return get_object_or_404(alert_list_for_user(user=user), pk=pk)


def alert_open_count_for_user(*, user: User) -> int:
    """How many alerts in ``user``'s scope are still open (new or acknowledged): one indexed COUNT."""
    return Alert.objects.filter(alert_scope_q(user=user), state__in=Alert.OPEN).count()


def alert_counts_for_user(*, user: User) -> dict[str, int]:
    """Open alerts by state, and the high-severity ones among them (one query), for a home page."""
    counts = Alert.objects.filter(alert_scope_q(user=user), state__in=Alert.OPEN).aggregate(
        open=Count("pk"),
        new=Count("pk", filter=Q(state=Alert.State.NEW)),
        high=Count("pk", filter=Q(severity=Alert.Severity.HIGH)),
    )
    counts["acknowledged"] = counts["open"] - counts["new"]
    return counts


def alert_notes(*, alert: Alert) -> list[AlertNote]:
    return list(alert.notes.select_related("author").order_by("at", "pk"))
