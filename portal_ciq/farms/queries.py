"""Reads the bureau's farm pages need on top of farms.selectors, always starting from its scope.

The enterprise's grade in force is annotated with a subquery, so that a list, an export or
the map reads it in the same query as the farms (credit_rating_current is one query a farm).
"""

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import get_language

from accounts.models import Role, User
from farms.models import CreditRating, Farm
from farms.selectors import farm_list_for_user
from surveillance.selectors import farms_annotate_restricted


def with_credit_grade(queryset: QuerySet[Farm]) -> QuerySet[Farm]:
    """Annotate each farm with its enterprise's current credit grade (``credit_grade``)."""
    current = CreditRating.objects.filter(enterprise_id=OuterRef("enterprise_id")).order_by(
        "-computed_at", "-pk"
    )
    return queryset.annotate(credit_grade=Subquery(current.values("grade")[:1]))


def registry_for_user(*, user: User) -> QuerySet[Farm]:
    """Return the farms of the registry ``user`` may see, with the credit grade and whether each is in
    an active disease zone (``restricted``), newest first."""
    return farms_annotate_restricted(with_credit_grade(farm_list_for_user(user=user))).order_by(
        "-updated_at", "pk"
    )


def branch_inspectors(*, farm: Farm) -> QuerySet[User]:
    """Return the active inspectors of the farm's supervising branch (those it may be given to)."""
    return User.objects.filter(organisation_id=farm.branch_id, role=Role.INSPECTOR, is_active=True).order_by(
        "full_name", "username"
    )


MAP_FIELDS = (
    "pk",
    "name_zh",
    "name_en",
    "latitude",
    "longitude",
    "status",
    "registration_number",
    "enterprise_id",
    "enterprise__name_zh",
    "enterprise__name_en",
    "credit_grade",
)


def farm_map_data_for_user(*, user: User) -> dict:
    """Return the farms ``user`` may see as a compact payload for the farm map (one query).

    Enterprise names and grades are sent once per enterprise, farms as short rows
    ``[id, name, lat, lng, status, registration number, enterprise id]``.
    """
    english = (get_language() or "").startswith("en")
    farms, enterprises = [], {}
    rows = with_credit_grade(farm_list_for_user(user=user))
    for row in rows.order_by("pk").values_list(*MAP_FIELDS):
        pk, name_zh, name_en, lat, lng, status, number, ent_id, ent_zh, ent_en, grade = row
        if lat is None or lng is None:  # a draft not placed on the map yet
            continue
        farms.append(
            [
                pk,
                (english and name_en) or name_zh,
                round(float(lat), 5),
                round(float(lng), 5),
                status,
                number,
                ent_id,
            ]
        )
        enterprises.setdefault(ent_id, [(english and ent_en) or ent_zh, grade or ""])
    return {"farms": farms, "enterprises": enterprises}
