"""A year of supervision for the demo farms: visits, findings, corrective actions and ratings.

Each enterprise is given a target grade first (most A or B), then findings whose points add
up to it, so the credit table shows a believable spread and every rating has its reasons.
"""

import datetime as dt
import random
from collections import defaultdict

from django.conf import settings
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.demo import SEED_REASON

from ..models import (
    ChecklistTemplate,
    CorrectiveAction,
    CreditEvent,
    Farm,
    Finding,
    Visit,
    VisitAnswer,
    VisitPlan,
)
from ..services.credit import credit_rating_compute
from .build import restamp
from .stories import _at
from .text import FINDINGS, SUMMARIES, VERIFIED_RESPONSES

A = CorrectiveAction.Status
FIXED_GRADES = {"ent-huafeng": "B", "ent-xiangrun": "A"}
DEDUCTION = {"A": (0, 10), "B": (11, 25), "C": (26, 40), "D": (41, 70)}
DEADLINE_DAYS = {"minor": 30, "major": 15, "critical": 7}
PURPOSES = ["例行监管", "例行监管", "例行监管", "供港前检查", "免疫档案专项检查"]


def _severities(grade: str, rng: random.Random) -> list[str]:
    if grade == "A":
        return ["minor"] * rng.randint(0, 5)
    if grade == "B":
        return ["major"] + ["minor"] * rng.randint(1, 6)
    if grade == "C":
        return ["major", "major"] + ["minor"] * rng.randint(3, 6)
    return ["critical", "major"] + ["minor"] * rng.randint(1, 4)


def _grades(enterprises: list, rng: random.Random) -> dict[int, str]:
    """Return a target grade per enterprise: about 5 % D, 10 % C, 30 % B, the rest A."""
    free = [e for e in enterprises if e.org.code not in FIXED_GRADES]
    n = len(free)
    quota = ["D"] * round(n * 0.05) + ["C"] * round(n * 0.1) + ["B"] * round(n * 0.3)
    quota += ["A"] * (n - len(quota))
    rng.shuffle(quota)
    grades = {e.org.pk: FIXED_GRADES[e.org.code] for e in enterprises if e.org.code in FIXED_GRADES}
    grades.update({e.org.pk: grade for e, grade in zip(free, quota, strict=True)})
    return grades


def _visit_days(farm: Farm, rng: random.Random, today: dt.date) -> list[dt.date]:
    start = max(farm.registered_on + dt.timedelta(days=20), today - dt.timedelta(days=350))
    span = (today - dt.timedelta(days=1) - start).days
    if span < 5:
        return []
    count = min(rng.choice([1, 2, 2, 3, 3, 4]), span // 20 + 1)
    days = sorted({start + dt.timedelta(days=rng.randint(0, span)) for _ in range(count)})
    return sorted({d - dt.timedelta(days=max(0, d.weekday() - 4)) for d in days})  # weekdays only


def _items(templates: dict) -> dict:
    """Return, per template id, severity -> [(item, finding texts)] of the questions we can fail."""
    out = {}
    for template in templates.values():
        by_severity = defaultdict(list)
        for item in template.items.all():
            for word, texts in FINDINGS.items():
                if word in item.text_zh:
                    for severity, choices in texts.items():
                        by_severity[severity].append((item, choices))
        out[template.pk] = by_severity
    return out


def seed_supervision(farms: list[Farm], enterprises: list, rng: random.Random, today: dt.date) -> dict:
    """Write visits with answers, findings, actions and credit events; rate every enterprise."""
    templates = {
        t.species: t
        for t in ChecklistTemplate.objects.filter(is_active=True)
        .prefetch_related("items")
        .order_by("species", "pk")
    }
    items = _items(templates)
    supervised = [
        f
        for f in farms
        if f.status in (Farm.Status.REGISTERED, Farm.Status.SUSPENDED) and f.species in templates
    ]
    plans, visits = [], []
    for farm in supervised:
        for day in _visit_days(farm, rng, today):
            plan = None
            if rng.random() < 0.85:  # the rest were unannounced
                plan = VisitPlan(
                    farm=farm,
                    inspector=farm.inspector,
                    planned_on=day,
                    purpose=rng.choice(PURPOSES),
                    created_by=farm.inspector,
                )
                plans.append(plan)
            visits.append(
                Visit(
                    farm=farm,
                    plan=plan,
                    inspector=farm.inspector,
                    template=templates[farm.species],
                    visited_on=day,
                    summary=rng.choice(SUMMARIES),
                )
            )
    VisitPlan.objects.bulk_create(plans, batch_size=500)
    visits = bulk_create_with_history(visits, Visit, batch_size=500, default_change_reason=SEED_REASON)

    by_enterprise = defaultdict(list)
    for visit in visits:
        by_enterprise[visit.farm.enterprise_id].append(visit)
    grades = _grades([e for e in enterprises if e.org.pk in by_enterprise], rng)
    findings, actions, overdue = [], [], []
    failed = defaultdict(dict)  # visit -> {item id: finding}
    for ent in enterprises:
        mine = by_enterprise.get(ent.org.pk)
        if not mine:
            continue
        grade = grades[ent.org.pk]
        deducted = 0
        for severity in _severities(grade, rng):
            visit = rng.choice(mine)
            choices = [c for c in items[visit.template_id].get(severity, []) if c[0].pk not in failed[visit]]
            if not choices:
                continue
            item, texts = rng.choice(choices)
            text, remedy = rng.choice(texts)
            finding = Finding(visit=visit, farm=visit.farm, item=item, severity=severity, description=text)
            failed[visit][item.pk] = finding
            findings.append(finding)
            deducted -= settings.CREDIT_FINDING_POINTS[severity]
            if severity == "minor" and rng.random() < 0.2:
                continue
            action = _action(finding, remedy, rng, today)
            actions.append(action)
            late = action.deadline < today and action.status == A.VERIFIED and grade != "A"
            if late and rng.random() < 0.35 and deducted + 5 <= DEDUCTION[grade][1]:
                action.status, action.response, action.done_at, action.verified_at, action.verified_by = (
                    A.OPEN,
                    "",
                    None,
                    None,
                    None,
                )
                overdue.append(action)
                deducted += 5
    findings = bulk_create_with_history(findings, Finding, batch_size=500, default_change_reason=SEED_REASON)
    actions = bulk_create_with_history(
        actions, CorrectiveAction, batch_size=500, default_change_reason=SEED_REASON
    )
    _answers(visits, items, failed, rng)
    _events(findings, overdue)
    _backdate(plans, visits, findings, actions)
    future = _future_plans(supervised, actions, rng, today)
    for ent in enterprises:
        credit_rating_compute(enterprise=ent.org, today=today)
    return {
        "visits": len(visits),
        "findings": len(findings),
        "actions": len(actions),
        "plans": len(plans) + future,
    }


def _action(finding: Finding, remedy: str, rng: random.Random, today: dt.date) -> CorrectiveAction:
    visited = finding.visit.visited_on
    action = CorrectiveAction(
        finding=finding,
        description=remedy,
        deadline=visited + dt.timedelta(days=DEADLINE_DAYS[finding.severity]),
    )
    if action.deadline >= today:
        if rng.random() < 0.3 and visited < today:
            action.status, action.response = A.DONE, rng.choice(VERIFIED_RESPONSES)
            action.done_at = _at(
                today - dt.timedelta(days=rng.randint(0, min(5, (today - visited).days - 1))), rng
            )
        return action
    done = max(visited + dt.timedelta(days=1), action.deadline - dt.timedelta(days=rng.randint(0, 5)))
    action.status, action.response, action.done_at = (
        A.VERIFIED,
        rng.choice(VERIFIED_RESPONSES),
        _at(done, rng),
    )
    checked = min(today, done + dt.timedelta(days=rng.randint(1, 7)))
    if rng.random() < 0.08 and checked == today:
        action.status = A.DONE  # reported, not yet checked
    else:
        action.verified_at, action.verified_by = _at(checked, rng), finding.visit.inspector
    return action


def _answers(visits: list[Visit], items: dict, failed: dict, rng: random.Random) -> None:
    questions = {}
    for visit in visits:
        questions.setdefault(visit.template_id, list(visit.template.items.all()))
    answers = []
    for visit in visits:
        for item in questions[visit.template_id]:
            finding = failed.get(visit, {}).get(item.pk)
            if finding is not None:
                answers.append(
                    VisitAnswer(
                        visit=visit,
                        item=item,
                        result=VisitAnswer.Result.NOT_OK,
                        note=finding.description[:300],
                    )
                )
            else:
                result = VisitAnswer.Result.NA if rng.random() < 0.02 else VisitAnswer.Result.OK
                answers.append(VisitAnswer(visit=visit, item=item, result=result))
    VisitAnswer.objects.bulk_create(answers, batch_size=1000)


def _events(findings: list[Finding], overdue: list[CorrectiveAction]) -> None:
    """Count each finding and each overdue action against the enterprise, as the services do."""
    points = settings.CREDIT_FINDING_POINTS
    events = [
        CreditEvent(
            enterprise_id=f.farm.enterprise_id,
            farm=f.farm,
            kind=CreditEvent.Kind.FINDING,
            points=points[f.severity],
            reason=f.description[:300],
            source=f"finding:{f.pk}",
            occurred_on=f.visit.visited_on,
        )
        for f in findings
    ] + [
        CreditEvent(
            enterprise_id=a.finding.farm.enterprise_id,
            farm=a.finding.farm,
            kind=CreditEvent.Kind.OVERDUE_ACTION,
            points=settings.CREDIT_OVERDUE_ACTION_POINTS,
            reason=a.description[:300],
            source=f"action:{a.pk}:overdue",
            occurred_on=a.deadline,
        )
        for a in overdue
    ]
    CreditEvent.objects.bulk_create(events, batch_size=500)


def _backdate(plans, visits, findings, actions) -> None:
    """Set the creation stamps (and the history rows' dates) to when things happened."""
    rng = random.Random(len(visits))
    restamp(
        VisitPlan,
        ["created_at"],
        [(plan.pk, _at(plan.planned_on - dt.timedelta(days=rng.randint(5, 20)), rng)) for plan in plans],
    )
    evening = {
        v.pk: timezone.make_aware(dt.datetime.combine(v.visited_on, dt.time(17, rng.randint(0, 59))))
        for v in visits
    }
    restamp(Visit, ["created_at"], list(evening.items()))
    restamp(Visit.history.model, ["history_date"], list(evening.items()), key="id")
    found = [(f.pk, evening[f.visit_id]) for f in findings]
    restamp(Finding, ["created_at"], found)
    restamp(Finding.history.model, ["history_date"], found, key="id")
    restamp(
        CorrectiveAction.history.model,
        ["history_date"],
        [(a.pk, a.verified_at or a.done_at or evening[a.finding.visit_id]) for a in actions],
        key="id",
    )


def _future_plans(
    supervised: list[Farm], actions: list[CorrectiveAction], rng: random.Random, today: dt.date
) -> int:
    """Plan visits over the coming six weeks: follow-ups of open actions first, then routine ones."""
    follow_up = {a.finding.farm_id for a in actions if a.status != A.VERIFIED}
    registered = [f for f in supervised if f.status == Farm.Status.REGISTERED]
    chosen = [f for f in registered if f.pk in follow_up]
    chosen += rng.sample(
        [f for f in registered if f.pk not in follow_up], k=min(60, len(registered) - len(chosen))
    )
    plans = []
    for farm in chosen:
        day = today + dt.timedelta(days=rng.randint(1, 42))
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        purpose = "整改复查" if farm.pk in follow_up else rng.choice(PURPOSES)
        plans.append(
            VisitPlan(
                farm=farm,
                inspector=farm.inspector,
                planned_on=day,
                purpose=purpose,
                created_by=farm.inspector,
            )
        )
    VisitPlan.objects.bulk_create(plans, batch_size=500)
    return len(plans)
