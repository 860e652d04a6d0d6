"""Every read of farms and what hangs off them, scoped to the user who asks."""

from django.db.models import Q, QuerySet

from accounts.models import Role, User
from accounts.selectors import ALL_SEEING_ROLES

from .models import CreditRating, Farm

# Officers at the warehouse, the ports and the lab check consignments against the registry:
# they see registered farms (not applications).
REGISTRY_READERS = frozenset({Role.TRANSIT_OFFICER, Role.PORT_OFFICER, Role.LAB_ANALYST})


def farm_scope_q(*, user: User) -> Q:
    """Return the condition selecting the farms ``user`` may see."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role in ALL_SEEING_ROLES:
        return Q()
    if user.role == Role.INSPECTOR:
        return Q(branch_id=user.organisation_id)
    if user.role in REGISTRY_READERS:
        return Q(status__in=[Farm.Status.REGISTERED, Farm.Status.SUSPENDED])
    if user.is_enterprise_user:
        return Q(enterprise_id=user.organisation_id)
    return Q(pk__in=[])


def farm_list_for_user(*, user: User) -> QuerySet[Farm]:
    """Return the farms ``user`` may see, with enterprise, branch and inspector joined."""
    return Farm.objects.filter(farm_scope_q(user=user)).select_related("enterprise", "branch", "inspector")


def farm_get_for_user(*, user: User, pk: int) -> Farm:
    """Return one farm in ``user``'s scope, or raise Http404."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(farm_list_for_user(user=user), pk=pk)


def farm_review_queue_for_user(*, user: User) -> QuerySet[Farm]:
    """Return the applications waiting for the user's branch (or all, for a manager)."""
    return (
        farm_list_for_user(user=user)
        .filter(status__in=[Farm.Status.SUBMITTED, Farm.Status.UNDER_REVIEW])
        .order_by("submitted_at", "pk")
    )


def credit_rating_current(*, enterprise_id: int) -> CreditRating | None:
    """Return the enterprise's rating in force (the newest), or None if never rated."""
    return CreditRating.objects.filter(enterprise_id=enterprise_id).order_by("-computed_at", "-pk").first()


IN_PROGRESS = (Farm.Status.DRAFT, Farm.Status.SUBMITTED, Farm.Status.UNDER_REVIEW, Farm.Status.RETURNED)


def farm_summary_for_user(*, user: User) -> dict[str, int]:
    """Return the counts a home page shows: registered farms, applications in progress, waiting review."""
    from django.db.models import Count

    return farm_list_for_user(user=user).aggregate(
        registered=Count("pk", filter=Q(status=Farm.Status.REGISTERED)),
        in_progress=Count("pk", filter=Q(status__in=IN_PROGRESS)),
        waiting=Count("pk", filter=Q(status__in=[Farm.Status.SUBMITTED, Farm.Status.UNDER_REVIEW])),
        suspended=Count("pk", filter=Q(status=Farm.Status.SUSPENDED)),
    )
