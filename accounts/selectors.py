"""Every read of organisations and users, scoped to the user who asks.

Views, APIs and tasks read through these functions only, so that another organisation's
object is simply not found (a 404), never shown and never "forbidden".
"""

from django.db.models import Q, QuerySet

from .models import BUREAU_ROLES, Organisation, Role, User

# Roles that see every organisation of the chain.
ALL_SEEING_ROLES = frozenset({Role.MANAGER, Role.SYSTEM_ADMIN})


def organisation_scope_q(*, user: User) -> Q:
    """Return the condition that selects the organisations ``user`` may see."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.role in ALL_SEEING_ROLES:
        return Q()
    own = Q(pk=user.organisation_id)
    if user.role in BUREAU_ROLES:
        bureau = ~Q(kind=Organisation.Kind.ENTERPRISE)
        if user.role == Role.INSPECTOR:
            # A branch supervises its own enterprises, and no other branch's.
            return own | bureau | Q(kind=Organisation.Kind.ENTERPRISE, branch_id=user.organisation_id)
        return own | bureau
    # An enterprise sees itself and the branch that supervises it.
    return own | Q(pk=user.organisation.branch_id)


def organisation_list_for_user(*, user: User) -> QuerySet[Organisation]:
    """Return the organisations ``user`` may see, with their branch joined."""
    return Organisation.objects.filter(organisation_scope_q(user=user)).select_related("branch")


def organisation_map_points_for_user(*, user: User) -> list[dict]:
    """Return the located, active organisations ``user`` may see, as plain dicts for a map."""
    rows = (
        organisation_list_for_user(user=user)
        .filter(is_active=True, latitude__isnull=False, longitude__isnull=False)
        .order_by("kind", "code")
    )
    return [
        {
            "id": org.pk,
            "kind": org.kind,
            "kind_label": str(org.get_kind_display()),
            "name": org.name,
            "lat": float(org.latitude),
            "lng": float(org.longitude),
            "address": org.address,
        }
        for org in rows
    ]


def user_list_for_user(*, user: User) -> QuerySet[User]:
    """Return the users ``user`` may see: the people of the organisations in their scope."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user.role in BUREAU_ROLES:
        scope = Organisation.objects.filter(organisation_scope_q(user=user)).values("pk")
        return User.objects.filter(organisation__in=scope).select_related("organisation")
    return User.objects.filter(organisation_id=user.organisation_id).select_related("organisation")


def user_manageable_for_user(*, user: User) -> QuerySet[User]:
    """Return the users whose accounts ``user`` may create, change and deactivate."""
    if user.is_authenticated and user.is_active and user.role == Role.ENTERPRISE_ADMIN:
        return User.objects.filter(organisation_id=user.organisation_id).select_related("organisation")
    return User.objects.none()
