"""The credit rating: events that count against an enterprise, and the grade they add up to.

Lower floors cannot see higher ones, so quarantine (a failed lab result) and transit (a
discrepancy at the port) report to the rating through ``credit_event_record``.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Organisation, User

from ..models import CreditEvent, CreditGradePolicy, CreditRating

FULL_SCORE = 100

# Used when the bureau has not configured its own table (see the admin site).
DEFAULT_POLICIES = [
    ("A", 90, 5, gettext_noop("Trusted: minimal sampling")),
    ("B", 75, 10, gettext_noop("Normal sampling")),
    ("C", 60, 30, gettext_noop("Heightened sampling")),
    ("D", 0, 100, gettext_noop("Every animal sampled")),
]


def credit_event_record(
    *,
    enterprise: Organisation,
    kind: str,
    points: int,
    reason: str,
    source: str,
    occurred_on: dt.date,
    farm=None,
    rerate: bool = True,
) -> CreditEvent | None:
    """Record something that counts for the rating, once per ``source``, and re-rate the enterprise.

    A caller recording several events at once (a visit with many findings) passes
    ``rerate=False`` and computes the rating once at the end.
    """
    try:
        with transaction.atomic():
            event = CreditEvent.objects.create(
                enterprise=enterprise,
                farm=farm,
                kind=kind,
                points=points,
                reason=reason[:300],
                source=source,
                occurred_on=occurred_on,
            )
    except IntegrityError:
        return None  # already counted: events are idempotent on their source
    if rerate:
        credit_rating_compute(enterprise=enterprise)
    return event


def _policies() -> list[CreditGradePolicy]:
    policies = list(CreditGradePolicy.objects.order_by("-min_score"))
    if not policies:
        policies = [
            CreditGradePolicy(grade=g, min_score=m, sampling_percent=p, description=d)
            for g, m, p, d in DEFAULT_POLICIES
        ]
    return policies


def _policy_for(score: int) -> CreditGradePolicy:
    policies = _policies()
    # A table edited in the admin may lack a row starting at 0: the lowest grade still applies.
    return next((p for p in policies if score >= p.min_score), policies[-1])


@transaction.atomic
def credit_rating_compute(
    *,
    enterprise: Organisation,
    actor: User | None = None,
    today: dt.date | None = None,
    only_if_changed: bool = False,
) -> CreditRating:
    """Compute the enterprise's rating from the events of the last CREDIT_WINDOW_DAYS and keep it."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=settings.CREDIT_WINDOW_DAYS)
    events = list(
        CreditEvent.objects.filter(enterprise=enterprise, occurred_on__gt=since, occurred_on__lte=today)
        .select_related("farm")
        .order_by("occurred_on", "pk")
    )
    score = max(0, min(FULL_SCORE, FULL_SCORE + sum(e.points for e in events)))
    policy = _policy_for(score)
    reasons = [
        {
            "date": e.occurred_on.isoformat(),
            "kind": e.kind,
            "points": e.points,
            "reason": e.reason,
            "farm": e.farm.name_zh if e.farm else "",
            "farm_en": e.farm.name_en if e.farm else "",
            "farm_id": e.farm_id,
        }
        for e in events
    ]
    if only_if_changed:
        current = CreditRating.objects.filter(enterprise=enterprise).order_by("-computed_at", "-pk").first()
        if current and (current.score, current.grade, current.reasons) == (score, policy.grade, reasons):
            return current
    return CreditRating.objects.create(
        enterprise=enterprise,
        score=score,
        grade=policy.grade,
        sampling_percent=policy.sampling_percent,
        reasons=reasons,
        computed_by=actor,
    )


def credit_sampling_percent(*, enterprise: Organisation) -> int:
    """Return the share of a consignment's animals to sample, from the rating in force."""
    rating = CreditRating.objects.filter(enterprise=enterprise).order_by("-computed_at", "-pk").first()
    if rating is None:
        return _policy_for(FULL_SCORE).sampling_percent
    return rating.sampling_percent
