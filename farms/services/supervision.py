"""Daily supervision: planning visits, recording them, findings and their corrective actions."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import Role, User
from accounts.uploads import IMAGES, upload_check

from ..models import (
    ChecklistTemplate,
    CorrectiveAction,
    Farm,
    Finding,
    Visit,
    VisitAnswer,
    VisitPhoto,
    VisitPlan,
)
from .credit import credit_event_record, credit_rating_compute

NOT_SUPERVISED = _("Only registered or suspended farms are supervised; this one is “{status}”.")
WRONG_TEMPLATE = _("The checklist “{template}” is for another species.")
ANSWERS_INCOMPLETE = _("Answer every question of the checklist; missing: {items}.")
VISIT_IN_FUTURE = _("A visit cannot be recorded for a future date ({date}).")
DEADLINE_PAST = _("The deadline {date} has already passed; choose a later date.")
ACTION_REFUSED = _("This corrective action is “{status}”; it cannot be {action}.")
INSPECTOR_NOT_OF_BRANCH = _("{inspector} is not an inspector of the farm's branch.")
PLAN_IN_PAST = _("A visit cannot be planned for a past date ({date}); choose today or later.")
PLAN_DUPLICATE = _("A visit of this farm is already planned for {date}.")
PLAN_OTHER_FARM = _("This visit plan is for another farm.")
PLAN_ALREADY_VISITED = _("The visit planned for {date} has already been recorded.")
FINDING_INCOMPLETE = _("Finding {number}: give its severity and describe what was found.")
TOO_MANY_PHOTOS = _("At most {limit} photos may be attached to a visit; you chose {count}.")
RESPONSE_REQUIRED = _("Say what was done to put it right.")
REOPEN_NOTE_REQUIRED = _("Say why the action is sent back, so the enterprise knows what is still missing.")
# A non-compliant answer with no finding of its own still counts, as a minor finding.
UNLINKED_NOT_OK = gettext_noop("Not compliant: {item}")

SUPERVISED = {Farm.Status.REGISTERED, Farm.Status.SUSPENDED}
MAX_PHOTOS = 20
DEFAULT_ACTION_DAYS = 30


def _check_inspector(farm: Farm, inspector: User) -> None:
    if inspector.role != Role.INSPECTOR or inspector.organisation_id != farm.branch_id:
        raise DomainError(format_lazy(INSPECTOR_NOT_OF_BRANCH, inspector=inspector), field="inspector")


def _check_supervised(farm: Farm) -> None:
    if farm.status not in SUPERVISED:
        raise DomainError(format_lazy(NOT_SUPERVISED, status=farm.get_status_display()), field="farm")


@transaction.atomic
def visit_plan_create(
    *, actor: User, farm: Farm, inspector: User, planned_on: dt.date, purpose: str = ""
) -> VisitPlan:
    """Plan a supervision visit of a registered farm."""
    _check_supervised(farm)
    _check_inspector(farm, inspector)
    if planned_on < timezone.localdate():
        raise DomainError(format_lazy(PLAN_IN_PAST, date=planned_on), field="planned_on")
    if VisitPlan.objects.filter(farm=farm, planned_on=planned_on).exists():
        raise DomainError(format_lazy(PLAN_DUPLICATE, date=planned_on), field="planned_on")
    return VisitPlan.objects.create(
        farm=farm, inspector=inspector, planned_on=planned_on, purpose=purpose.strip(), created_by=actor
    )


def _check_visit(farm, template, visited_on, plan, findings, photos, today) -> None:
    _check_supervised(farm)
    if template.species != farm.species:
        raise DomainError(format_lazy(WRONG_TEMPLATE, template=template), field="template")
    if visited_on > today:
        raise DomainError(format_lazy(VISIT_IN_FUTURE, date=visited_on), field="visited_on")
    if plan is not None:
        if plan.farm_id != farm.pk:
            raise DomainError(PLAN_OTHER_FARM, field="plan")
        if Visit.objects.filter(plan=plan).exists():
            raise DomainError(format_lazy(PLAN_ALREADY_VISITED, date=plan.planned_on), field="plan")
    for number, f in enumerate(findings, start=1):
        if f.get("severity") not in Finding.Severity.values or not (f.get("description") or "").strip():
            raise DomainError(
                format_lazy(FINDING_INCOMPLETE, number=number), field="findings", items=[number - 1]
            )
        if f.get("action") and f.get("deadline") and f["deadline"] < today:
            raise DomainError(
                format_lazy(DEADLINE_PAST, date=f["deadline"]), field="deadline", items=[number - 1]
            )
    if len(photos) > MAX_PHOTOS:
        raise DomainError(format_lazy(TOO_MANY_PHOTOS, limit=MAX_PHOTOS, count=len(photos)), field="photos")


@transaction.atomic
def visit_record(
    *,
    actor: User,
    farm: Farm,
    template: ChecklistTemplate,
    visited_on: dt.date,
    answers: dict[int, tuple[str, str]],
    findings: list[dict],
    summary: str = "",
    plan: VisitPlan | None = None,
    photos=(),
) -> Visit:
    """Record a visit: every checklist answer, the findings with their corrective actions, photos.

    ``answers`` maps each item id to (result, note); each finding is a dict with severity,
    description, optional item (id), and optional action (text) with its deadline. Findings
    count against the enterprise's credit, and so does each non-compliant answer that no
    finding names (as a minor finding), so that a "not compliant" is never without weight.
    """
    today = timezone.localdate()
    photos = list(photos)
    _check_visit(farm, template, visited_on, plan, findings, photos, today)
    items = {item.pk: item for item in template.items.all()}
    valid = set(VisitAnswer.Result.values)
    if missing := [str(items[pk]) for pk in items if answers.get(pk, ("", ""))[0] not in valid]:
        raise DomainError(
            format_lazy(ANSWERS_INCOMPLETE, items="; ".join(missing)), field="answers", items=missing
        )
    checked = [(photo, upload_check(photo, allowed=IMAGES)) for photo in photos]

    visit = Visit(
        farm=farm,
        plan=plan,
        inspector=actor,
        template=template,
        visited_on=visited_on,
        summary=summary.strip(),
    )
    save_audited(visit, actor=actor, reason=gettext_noop("Supervision visit"))
    VisitAnswer.objects.bulk_create(
        VisitAnswer(
            visit=visit, item=items[pk], result=answers[pk][0], note=(answers[pk][1] or "").strip()[:300]
        )
        for pk in items
    )
    for photo, info in checked:
        VisitPhoto.objects.create(
            visit=visit,
            file=photo,
            original_name=photo.name[:200],
            content_type=info.content_type,
            size=info.size,
        )
    named = {f.get("item") for f in findings}
    unlinked = [
        {
            "severity": Finding.Severity.MINOR,
            "item": pk,
            "description": UNLINKED_NOT_OK.format(item=items[pk].text_zh)
            + (f"（{answers[pk][1].strip()}）" if (answers[pk][1] or "").strip() else ""),
        }
        for pk in items
        if answers[pk][0] == VisitAnswer.Result.NOT_OK and pk not in named
    ]
    for f in [*findings, *unlinked]:
        _finding_create(actor=actor, visit=visit, item=items.get(f.get("item")), data=f, today=today)
    if findings or unlinked:
        credit_rating_compute(enterprise=farm.enterprise, today=today)
    return visit


def _finding_create(*, actor, visit: Visit, item, data: dict, today: dt.date) -> Finding:
    finding = Finding(
        visit=visit,
        farm=visit.farm,
        item=item,
        severity=data["severity"],
        description=data["description"].strip(),
    )
    save_audited(finding, actor=actor, reason=gettext_noop("Supervision finding"))
    if (data.get("action") or "").strip():
        action = CorrectiveAction(
            finding=finding,
            description=data["action"].strip(),
            deadline=data.get("deadline") or today + dt.timedelta(days=DEFAULT_ACTION_DAYS),
        )
        save_audited(action, actor=actor, reason=gettext_noop("Corrective action required"))
    credit_event_record(
        enterprise=visit.farm.enterprise,
        farm=visit.farm,
        kind="finding",
        points=settings.CREDIT_FINDING_POINTS[finding.severity],
        reason=finding.description,
        source=f"finding:{finding.pk}",
        occurred_on=visit.visited_on,
        rerate=False,
    )
    return finding


def _action_move(action: CorrectiveAction, to: str, label) -> None:
    if to not in CorrectiveAction.TRANSITIONS[CorrectiveAction.Status(action.status)]:
        raise DomainError(format_lazy(ACTION_REFUSED, status=action.get_status_display(), action=label))
    action.status = to


@transaction.atomic
def corrective_action_report_done(
    *, actor: User, action: CorrectiveAction, response: str
) -> CorrectiveAction:
    """The enterprise reports a corrective action done, saying what it did."""
    if not (response or "").strip():
        raise DomainError(RESPONSE_REQUIRED, field="response")
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    _action_move(action, CorrectiveAction.Status.DONE, _("reported done"))
    action.response, action.done_at = response.strip(), timezone.now()
    save_audited(action, actor=actor, reason=gettext_noop("Reported done"))
    return action


@transaction.atomic
def corrective_action_verify(
    *, actor: User, action: CorrectiveAction, accepted: bool, note: str = ""
) -> CorrectiveAction:
    """The inspector accepts the work (verified) or sends the action back (open again)."""
    note = (note or "").strip()
    if not accepted and not note:
        raise DomainError(REOPEN_NOTE_REQUIRED, field="note")
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if accepted:
        _action_move(action, CorrectiveAction.Status.VERIFIED, _("verified"))
        action.verified_at, action.verified_by = timezone.now(), actor
    else:
        _action_move(action, CorrectiveAction.Status.OPEN, _("reopened"))
    save_audited(action, actor=actor, reason=note or gettext_noop("Verified"))
    return action


def corrective_actions_overdue(*, today: dt.date | None = None) -> int:
    """Count each open action past its deadline against the enterprise's credit (once); return how many."""
    today = today or timezone.localdate()
    overdue = CorrectiveAction.objects.overdue(today)
    count = 0
    for action in overdue.select_related("finding__farm__enterprise"):
        farm = action.finding.farm
        if credit_event_record(
            enterprise=farm.enterprise,
            farm=farm,
            kind="overdue_action",
            points=settings.CREDIT_OVERDUE_ACTION_POINTS,
            reason=action.description,
            source=f"action:{action.pk}:overdue",
            occurred_on=action.deadline,
        ):
            count += 1
    return count
