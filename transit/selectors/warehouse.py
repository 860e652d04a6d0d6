"""What the warehouse sees: trucks on their way in, the pens board (who is in which pen since
when, and who breaks the overnight rule), an arrival with its animals set aside."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from livestock.models import ReaderDevice

from ..models import Arrival, Disinfection, Trip
from ..services.warehouse import overnight
from .port import _prefixed, trip_scope_q


def trips_for_user(*, user: User) -> QuerySet[Trip]:
    return Trip.objects.filter(trip_scope_q(user=user)).select_related(
        "loading__consignment__farm", "loading__certificate", "vehicle", "driver"
    )


def trip_get_for_user(*, user: User, pk: int) -> Trip:
    found = trips_for_user(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def incoming_for_user(*, user: User) -> QuerySet[Trip]:
    """Trucks on the road to the warehouse, soonest due first, with what the board shows of them
    (not the certificate's signed content, every tag of the truck)."""
    return (
        Trip.objects.filter(trip_scope_q(user=user), status=Trip.Status.EN_ROUTE)
        .select_related("loading__consignment", "vehicle")
        .only(
            "due_at",
            "loading__number",
            "loading__head_loaded",
            "loading__consignment__number",
            "vehicle__plate",
        )
        .order_by("due_at", "pk")
    )


def arrivals_for_user(*, user: User) -> QuerySet[Arrival]:
    return Arrival.objects.filter(_prefixed(trip_scope_q(user=user), "trip__")).select_related(
        "trip__loading__consignment__farm", "trip__vehicle", "warehouse", "checked_by", "clinical_by"
    )


def arrival_get_for_user(*, user: User, pk: int) -> Arrival:
    found = arrivals_for_user(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def pens_board_for_user(*, user: User, now=None) -> list[Arrival]:
    """Every consignment still in a pen, oldest first, each marked ``overnight`` if it breaks the rule."""
    now = now or timezone.now()
    rows = list(
        arrivals_for_user(user=user)
        .filter(left_at__isnull=True)
        # Not the JSON the board never shows: the tags read at arrival (a truck's every tag),
        # the farm's building layout, the loading's signed addendum.
        .defer(
            "tags_read",
            "missing",
            "trip__loading__addendum",
            "trip__loading__unexpected",
            "trip__loading__consignment__farm__layout",
        )
        .order_by("arrived_at", "pk")
    )
    for arrival in rows:
        arrival.overnight = overnight(arrival, now=now)
        arrival.stay = now - arrival.arrived_at
    return rows


def warehouse_readers(*, organisation_id: int) -> QuerySet[ReaderDevice]:
    return ReaderDevice.objects.filter(site_id=organisation_id, is_active=True).order_by("name")


def treatments_for_user(*, user: User, limit: int = 50) -> list[Disinfection]:
    if user.role not in ("transit_officer", "manager"):
        return []
    qs = Disinfection.objects.select_related("vehicle", "site").filter(site__kind="warehouse")
    return list(qs.order_by("-performed_at", "-pk")[:limit])
