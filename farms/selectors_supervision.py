"""Every read about supervision and credit, scoped like the farms (farms.selectors).

An inspector sees the farms of their branch, a manager all, an enterprise its own; a plan,
visit, photo or corrective action hangs off a farm and so is in scope exactly when its farm is.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Organisation, Role, User
from accounts.selectors import ALL_SEEING_ROLES, organisation_list_for_user

from .models import (
    ChecklistTemplate,
    CorrectiveAction,
    CreditEvent,
    CreditGradePolicy,
    CreditRating,
    Farm,
    Finding,
    Visit,
    VisitPhoto,
    VisitPlan,
)
from .selectors import credit_rating_current, farm_list_for_user, farm_scope_q
from .services.credit import DEFAULT_POLICIES, FULL_SCORE
from .services.supervision import SUPERVISED


def _farm_q(user: User, prefix: str) -> Q:
    """Return farm_scope_q re-rooted at ``prefix`` (e.g. ``finding__farm``)."""
    scope = Farm.objects.filter(farm_scope_q(user=user)).values("pk")
    return Q(**{f"{prefix}__in": scope})


def supervised_farms_for_user(*, user: User) -> QuerySet[Farm]:
    """Return the farms in scope that may be supervised (registered or suspended)."""
    return farm_list_for_user(user=user).filter(status__in=SUPERVISED).order_by("branch__code", "name_zh")


def inspectors_for_user(*, user: User) -> QuerySet[User]:
    """Return the inspectors a visit may be planned for: the branch's, or every branch's for a manager."""
    people = User.objects.filter(role=Role.INSPECTOR, is_active=True).select_related("organisation")
    if user.role in ALL_SEEING_ROLES:
        return people.order_by("organisation__code", "username")
    if user.role == Role.INSPECTOR:
        return people.filter(organisation_id=user.organisation_id).order_by("username")
    return people.none()


def visit_plans_between(*, user: User, start: dt.date, end: dt.date) -> QuerySet[VisitPlan]:
    """Return the visit plans in scope from ``start`` to ``end`` (inclusive), with their visit if made."""
    return (
        VisitPlan.objects.filter(_farm_q(user, "farm"), planned_on__range=(start, end))
        .select_related("farm", "inspector", "visit")
        .order_by("planned_on", "farm__name_zh")
    )


def visits_between(*, user: User, start: dt.date, end: dt.date) -> QuerySet[Visit]:
    """Return the visits in scope made from ``start`` to ``end`` (inclusive)."""
    return (
        Visit.objects.filter(_farm_q(user, "farm"), visited_on__range=(start, end))
        .select_related("farm", "inspector")
        .annotate(finding_count=Count("findings"))
        .order_by("visited_on", "farm__name_zh")
    )


def visit_plan_get_for_user(*, user: User, pk: int) -> VisitPlan:
    return get_object_or_404(VisitPlan.objects.filter(_farm_q(user, "farm")).select_related("farm"), pk=pk)


def visit_get_for_user(*, user: User, pk: int) -> Visit:
    """Return one visit in scope with its answers, findings, actions and photos, or raise Http404."""
    visits = Visit.objects.filter(_farm_q(user, "farm")).select_related(
        "farm__enterprise", "farm__branch", "inspector", "template", "plan"
    )
    return get_object_or_404(
        visits.prefetch_related(
            "answers__item",
            "photos",
            Prefetch(
                "findings",
                Finding.objects.select_related("item").prefetch_related(
                    Prefetch("actions", CorrectiveAction.objects.with_overdue())
                ),
            ),
        ),
        pk=pk,
    )


def visit_photo_get_for_user(*, user: User, pk: int) -> VisitPhoto:
    return get_object_or_404(VisitPhoto.objects.filter(_farm_q(user, "visit__farm")), pk=pk)


def checklist_template_for(*, farm: Farm) -> ChecklistTemplate | None:
    """Return the checklist in use for the farm's species (the first active one), with its items."""
    return (
        ChecklistTemplate.objects.filter(species=farm.species, is_active=True)
        .prefetch_related("items")
        .order_by("pk")
        .first()
    )


WAITING = [CorrectiveAction.Status.OPEN, CorrectiveAction.Status.DONE]


def corrective_actions_for_user(*, user: User) -> QuerySet[CorrectiveAction]:
    """Return the corrective actions in scope, each marked ``overdue`` or not, with finding, visit,
    farm and enterprise joined."""
    return (
        CorrectiveAction.objects.filter(_farm_q(user, "finding__farm"))
        .with_overdue()
        .select_related("finding__visit", "finding__farm__enterprise", "finding__item", "verified_by")
    )


def corrective_actions_open_for_user(*, user: User) -> QuerySet[CorrectiveAction]:
    """Return the actions still waiting on someone (open or reported done), overdue first."""
    return corrective_actions_for_user(user=user).filter(status__in=WAITING).order_by("deadline", "pk")


def corrective_actions_verified_for_user(*, user: User) -> QuerySet[CorrectiveAction]:
    """Return the verified (closed) actions in scope, the most recently verified first."""
    return (
        corrective_actions_for_user(user=user)
        .filter(status=CorrectiveAction.Status.VERIFIED)
        .order_by("-verified_at", "-pk")
    )


def corrective_action_counts_for_user(*, user: User) -> dict[str, int]:
    """Return how many actions in scope are overdue, reported done (to verify) and open."""
    actions = CorrectiveAction.objects.filter(_farm_q(user, "finding__farm"), status__in=WAITING)
    return actions.aggregate(
        overdue=Count("pk", filter=CorrectiveAction.objects.overdue_q()),
        done=Count("pk", filter=Q(status=CorrectiveAction.Status.DONE)),
        open=Count("pk", filter=Q(status=CorrectiveAction.Status.OPEN)),
    )


def corrective_action_get_for_user(*, user: User, pk: int) -> CorrectiveAction:
    return get_object_or_404(corrective_actions_for_user(user=user), pk=pk)


def credit_window_start(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) - dt.timedelta(days=settings.CREDIT_WINDOW_DAYS)


def credit_table_for_user(*, user: User) -> QuerySet[Organisation]:
    """Return the enterprises in scope, each with its rating in force and its findings in the window."""
    newest = CreditRating.objects.filter(enterprise=OuterRef("pk")).order_by("-computed_at", "-pk")
    since = credit_window_start()
    return (
        organisation_list_for_user(user=user)
        .filter(kind=Organisation.Kind.ENTERPRISE)
        .annotate(
            grade=Subquery(newest.values("grade")[:1]),
            score=Subquery(newest.values("score")[:1]),
            sampling_percent=Subquery(newest.values("sampling_percent")[:1]),
            computed_at=Subquery(newest.values("computed_at")[:1]),
            finding_count=Count(
                "credit_events",
                filter=Q(credit_events__kind=CreditEvent.Kind.FINDING, credit_events__occurred_on__gt=since),
            ),
        )
        .order_by("name_zh")
    )


def credit_enterprise_get_for_user(*, user: User, pk: int) -> Organisation:
    """Return one enterprise in scope (for its credit page), or raise Http404."""
    enterprises = organisation_list_for_user(user=user).filter(kind=Organisation.Kind.ENTERPRISE)
    return get_object_or_404(enterprises, pk=pk)


def credit_grade_policies() -> list[CreditGradePolicy]:
    """Return the grade table in force (the bureau's, or the defaults until it sets one)."""
    policies = list(CreditGradePolicy.objects.order_by("-min_score")) or [
        CreditGradePolicy(grade=g, min_score=m, sampling_percent=p, description=d)
        for g, m, p, d in DEFAULT_POLICIES
    ]
    top = FULL_SCORE
    for policy in policies:  # each grade's score range, for the tables that explain it
        policy.max_score, top = top, policy.min_score - 1
    return policies


def credit_summary(*, enterprise: Organisation) -> dict:
    """Return the rating in force with its reasons labelled, and the grade table, for a credit page."""
    rating = credit_rating_current(enterprise_id=enterprise.pk)
    labels, english = dict(CreditEvent.Kind.choices), (get_language() or "").startswith("en")
    reasons = [
        {
            **r,
            "kind_label": labels.get(r.get("kind"), r.get("kind")),
            "date": dt.date.fromisoformat(r["date"]),
            "farm_name": (english and r.get("farm_en")) or r.get("farm", ""),
        }
        for r in (rating.reasons if rating else [])
    ]
    reasons.sort(key=lambda r: r["date"], reverse=True)
    return {
        "rating": rating,
        "reasons": reasons,
        "policies": credit_grade_policies(),
        "window_days": settings.CREDIT_WINDOW_DAYS,
        "lost": sum(r["points"] for r in reasons),
    }
