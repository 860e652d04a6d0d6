"""The journey's reads, scoped to the user: trucks on the road, a trip's track, corridors."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Role, User
from accounts.selectors import ALL_SEEING_ROLES
from farms.models import Farm
from surveillance.models import Alert
from surveillance.selectors import alert_scope_q

from ..models import Corridor, GpsPoint, Trip
from ..services.journeys import corridor_polygon

# Roles that receive every truck (the warehouse, the port): they see all trips.
RECEIVING_ROLES = {Role.TRANSIT_OFFICER, Role.PORT_OFFICER}
TRACK_LIMIT = 20_000


def trip_scope_q(*, user: User) -> Q:
    if not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    if user.role in ALL_SEEING_ROLES or user.role in RECEIVING_ROLES:
        return Q()
    if user.is_enterprise_user:
        return Q(enterprise_id=user.organisation_id)
    if user.role == Role.INSPECTOR:
        return Q(loading__branch_id=user.organisation_id)
    return Q(pk__in=[])


def trip_list_for_user(*, user: User) -> QuerySet[Trip]:
    return (
        Trip.objects.filter(trip_scope_q(user=user))
        .select_related("vehicle", "driver", "loading", "loading__consignment__farm")
        .order_by("-departed_at", "-pk")
    )


def trips_on_road_for_user(*, user: User) -> QuerySet[Trip]:
    return trip_list_for_user(user=user).filter(status__in=Trip.ON_ROAD)


def trip_get_for_user(*, user: User, pk: int) -> Trip:
    return get_object_or_404(trip_list_for_user(user=user), pk=pk)


def _alerts_by_trip(*, user: User, trip_ids, open_only=True) -> dict[int, list[dict]]:
    alerts = Alert.objects.filter(
        alert_scope_q(user=user),
        subject_type=ContentType.objects.get_for_model(Trip),
        subject_id__in=list(trip_ids),
    )
    if open_only:
        alerts = alerts.filter(state__in=Alert.OPEN)
    en = (get_language() or "").startswith("en")
    found: dict[int, list[dict]] = {}
    for a in alerts.order_by("-severity", "-last_raised_at").values(
        "pk", "subject_id", "kind", "severity", "state", "text_zh", "text_en", "raised_at", "count"
    ):
        found.setdefault(a["subject_id"], []).append(
            {
                "id": a["pk"],
                "kind": a["kind"],
                "kindLabel": str(Alert.Kind(a["kind"]).label),
                "severity": a["severity"],
                "open": a["state"] in Alert.OPEN,
                "text": a["text_en"] if en else a["text_zh"],
                "raisedAt": timezone.localtime(a["raised_at"]).strftime("%Y-%m-%d %H:%M"),
                "count": a["count"],
            }
        )
    return found


def live_map_data(*, user: User) -> list[dict]:
    """The trucks on the road ``user`` may see, with their latest position and open alerts (2 queries)."""
    trips = list(trips_on_road_for_user(user=user)[:1000])
    alerts = _alerts_by_trip(user=user, trip_ids=[t.pk for t in trips])
    now = timezone.now()
    return [
        {
            "id": t.pk,
            "number": t.loading.number,
            "plate": t.vehicle.plate,
            "farm": t.loading.consignment.farm.name,
            "status": t.get_status_display(),
            "lat": float(t.last_lat) if t.last_lat is not None else None,
            "lng": float(t.last_lng) if t.last_lng is not None else None,
            "seenAt": timezone.localtime(t.last_position_at).strftime("%H:%M") if t.last_position_at else "",
            "late": now > t.due_at,
            "alerts": alerts.get(t.pk, []),
        }
        for t in trips
    ]


def trip_alerts(*, user: User, trip: Trip) -> list[dict]:
    return _alerts_by_trip(user=user, trip_ids=[trip.pk], open_only=False).get(trip.pk, [])


def trip_track(*, trip: Trip) -> dict:
    """The trip's points in time order, for the replay: ``[epoch ms, lat, lng, km/h, flag]``."""
    rows = GpsPoint.objects.filter(trip=trip).order_by("recorded_at")
    rest = ("lat", "lng", "speed_kmh", "flag")
    if connection.vendor == "postgresql":
        # The times as epoch milliseconds from PostgreSQL: turning 2,500 timestamps into aware
        # datetimes cost the replay's JSON more than its query did (make bench, trip_track).
        # floor() truncates as int() does below; extract gives an exact numeric.
        table = GpsPoint._meta.db_table
        ms = RawSQL(f'floor(extract(epoch FROM "{table}"."recorded_at") * 1000)::bigint', [])
        points = [list(row) for row in rows.annotate(ms=ms).values_list("ms", *rest)[:TRACK_LIMIT]]
    else:
        points = [
            [int(t.timestamp() * 1000), *values]
            for t, *values in rows.values_list("recorded_at", *rest)[:TRACK_LIMIT]
        ]
    corridor = Corridor.objects.filter(farm_id=trip.loading.consignment.farm_id).first()
    return {
        "points": points,
        "corridor": corridor_geojson(corridor) if corridor else None,
    }


def corridor_geojson(corridor: Corridor) -> dict:
    return {
        "route": corridor.route,
        "polygon": corridor_polygon(corridor),
        "bufferM": corridor.buffer_m,
        "plannedMinutes": corridor.planned_minutes,
        "stopMinutes": corridor.stop_minutes,
    }


def corridor_farms_for_user(*, user: User) -> QuerySet[Farm]:
    """The registered farms whose corridor ``user`` may draw, with their corridor if drawn."""
    farms = Farm.objects.filter(status=Farm.Status.REGISTERED).select_related("corridor", "enterprise")
    if user.role in ALL_SEEING_ROLES:
        return farms.order_by("name_zh")
    if user.role == Role.INSPECTOR:
        return farms.filter(branch_id=user.organisation_id).order_by("name_zh")
    return farms.none()


def corridor_farm_get_for_user(*, user: User, pk: int) -> Farm:
    return get_object_or_404(corridor_farms_for_user(user=user), pk=pk)
