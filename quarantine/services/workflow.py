"""The consignment's way from declaration to certificate, through Consignment.ACTIONS only.

Every step writes a status-change row (actor, time, reason), a history row of the consignment,
and an event on each of its animals' individual records.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.audit import save_audited
from accounts.errors import DomainError
from accounts.models import Role, User
from farms.services import credit_event_record, credit_sampling_percent, farm_consignment_recorded
from livestock.services.events import Happening, Where, events_append
from livestock.services.export import animals_export_block, animals_move
from surveillance.models import Alert
from surveillance.services import AlertScope, AlertSpec, alerts_raise

from .. import sampling
from ..models import (
    Analyte,
    Consignment,
    ConsignmentAnimal,
    ConsignmentStatusChange,
    ExamChecklistItem,
    Examination,
    ExportRule,
    LabResult,
    Sample,
)
from ..tasks import consignment_notify

S = Consignment.Status

TRANSITION_REFUSED = _(
    "Consignment {number} is “{status}”: it cannot be {action} now. "
    "Reload the page to see its current status."
)
NOT_YOUR_CONSIGNMENT = _("This consignment belongs to another enterprise.")
NOT_YOUR_BRANCH = _(
    "Consignment {number} is handled by {branch}; only its inspectors or a manager may act on it."
)
LAB_ONLY = _("Only the laboratory or a manager may enter lab results.")
NOT_YOUR_LAB = _("Consignment {number} is {branch}'s; your laboratory tests the samples of {own} only.")
REASON_REQUIRED = _("Give a reason; the enterprise will read it.")
ANSWERS_MISSING = _("Answer every point of the examination; missing: {items}.")
EXAM_FAILED = _(
    "Not every point of the examination is met ({items}): "
    "reject the consignment instead, giving these as the reason."
)
EXAM_IN_FUTURE = _("The examination cannot be recorded for {date}, a day still to come.")
UNKNOWN_SAMPLES = _("Not samples of consignment {number}: {samples}.")
UNKNOWN_ANALYTES = _("Not analytes the lab tests for: {codes}.")
BAD_VALUES = _("Not a result (a number, or positive / negative): {cells}.")
RESULTS_MISSING = _("Results missing for: {cells}.")
POSITIVE_REASON = gettext_noop("Positive lab result: {results}")
POSITIVE_ALERT = _(
    "Positive lab result in consignment {number} of {farm}: {results}. Its {count} animals are blocked."
)
POSITIVE_CREDIT_POINTS = -30
ACTION_WORDS = {
    "accept": _("accepted"),
    "withdraw": _("withdrawn"),
    "examine": _("examined"),
    "sample": _("sampled"),
    "results": _("given its results"),
    "approve": _("approved"),
    "reject": _("rejected"),
    "cancel": _("cancelled"),
    "export": _("exported"),
}
# The event each action appends to every animal of the consignment.
EVENT_OF = {
    "accept": "quarantine_accepted",
    "examine": "examined",
    "sample": "sampled",
    "results": "lab_results",
    "approve": "certified",
    "reject": "quarantine_rejected",
    "withdraw": "declaration_released",
    "cancel": "declaration_released",
    # The port's release appends its own event to each animal (transit.services.port).
    "export": None,
}
# Actions after which the consignment lets its animals go (back on the farm, free to declare).
RELEASING = {"reject", "withdraw", "cancel"}
POSITIVE_WORDS = {"positive", "pos", "+", "阳性", "detected", "检出"}
NEGATIVE_WORDS = {"negative", "neg", "-", "阴性", "not detected", "未检出"}


def _locked(consignment: Consignment) -> Consignment:
    return (
        Consignment.objects.select_for_update()
        .select_related("farm", "branch", "enterprise")
        .get(pk=consignment.pk)
    )


def lab_require(actor: User, consignment: Consignment) -> None:
    """Refuse ``actor`` unless they may record ``consignment``'s results: a manager, or a lab
    analyst of a laboratory that serves its branch (a laboratory attached to one branch tests
    that branch's samples only; one attached to none, like the technical centre, every branch's)."""
    if actor.role == Role.MANAGER:
        return
    if actor.role != Role.LAB_ANALYST:
        raise DomainError(LAB_ONLY)
    served = actor.organisation.branch_id
    if served and served != consignment.branch_id:
        raise DomainError(
            format_lazy(
                NOT_YOUR_LAB,
                number=consignment.number,
                branch=consignment.branch,
                own=actor.organisation.branch,
            )
        )


def _require_branch(actor: User, consignment: Consignment) -> None:
    if actor.role == Role.MANAGER:
        return
    if actor.role != Role.INSPECTOR or actor.organisation_id != consignment.branch_id:
        raise DomainError(format_lazy(NOT_YOUR_BRANCH, number=consignment.number, branch=consignment.branch))


def _require_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise DomainError(REASON_REQUIRED, field="reason")
    return reason.strip()


def _animal_ids(consignment: Consignment) -> list[int]:
    return list(consignment.items.values_list("animal_id", flat=True))


def _move(
    consignment: Consignment,
    *,
    action: str,
    actor: User,
    reason: str = "",
    data: dict | None = None,
    per_animal: dict | None = None,
) -> None:
    """Take ``action`` of Consignment.ACTIONS: status row, history row, and an event per animal."""
    if not consignment.can(action):
        raise DomainError(
            format_lazy(
                TRANSITION_REFUSED,
                number=consignment.number,
                status=consignment.get_status_display(),
                action=ACTION_WORDS[action],
            )
        )
    to = Consignment.ACTIONS[action][1]
    ConsignmentStatusChange.objects.create(
        consignment=consignment,
        action=action,
        from_status=consignment.status,
        to_status=to,
        actor=actor,
        reason=reason,
    )
    consignment.status = to
    save_audited(consignment, actor=actor, reason=reason or action)
    happening = Happening(
        kind=EVENT_OF[action],
        when=timezone.now(),
        where=Where(farm_id=consignment.farm_id),
        actor=actor,
        source=consignment,
        data={"consignment": consignment.number, **({"reason": reason} if reason else {}), **(data or {})},
    )
    ids = _animal_ids(consignment)
    if action == "export":
        # The animals have left: the consignment no longer holds them.
        ConsignmentAnimal.objects.filter(consignment=consignment).update(holding=False)
    elif action in RELEASING:
        ConsignmentAnimal.objects.filter(consignment=consignment).update(holding=False)
        animals_move(action="undeclare", animal_ids=ids, happening=happening)
    else:
        events_append(happening=happening, animal_ids=ids, per_animal=per_animal)
    # The enterprise is told of every step, once the step is committed (never of one rolled back).
    transaction.on_commit(
        partial(consignment_notify.delay, consignment_id=consignment.pk, status=to, reason=str(reason))
    )


@transaction.atomic
def consignment_withdraw(*, actor: User, consignment: Consignment, reason: str = "") -> Consignment:
    """Withdraw a declaration the bureau has not accepted yet (the enterprise)."""
    consignment = _locked(consignment)
    if not actor.is_enterprise_user or actor.organisation_id != consignment.enterprise_id:
        raise DomainError(NOT_YOUR_CONSIGNMENT)
    _move(consignment, action="withdraw", actor=actor, reason=(reason or "").strip())
    return consignment


@transaction.atomic
def consignment_accept(*, actor: User, consignment: Consignment) -> Consignment:
    """Accept a declaration for inspection (the branch's inspector)."""
    consignment = _locked(consignment)
    _require_branch(actor, consignment)
    _move(consignment, action="accept", actor=actor)
    return consignment


@transaction.atomic
def consignment_examine(
    *,
    actor: User,
    consignment: Consignment,
    answers: dict[int, bool],
    notes: str = "",
    examined_on: dt.date | None = None,
) -> Examination:
    """Record the clinical examination by the species' checklist; every point must be met."""
    consignment = _locked(consignment)
    _require_branch(actor, consignment)
    if not consignment.can("examine"):
        _move(consignment, action="examine", actor=actor)  # raises the out-of-order message
    today = timezone.localdate()
    examined_on = examined_on or today
    if examined_on > today:
        raise DomainError(format_lazy(EXAM_IN_FUTURE, date=examined_on.isoformat()), field="examined_on")
    items = list(ExamChecklistItem.objects.filter(species=consignment.species, is_active=True))
    missing = [i.text for i in items if i.pk not in answers]
    if missing:
        raise DomainError(format_lazy(ANSWERS_MISSING, items="；".join(missing)))
    failed = [i.text for i in items if not answers[i.pk]]
    if failed:
        raise DomainError(format_lazy(EXAM_FAILED, items="；".join(failed)))
    examination = Examination(
        consignment=consignment,
        inspector=actor,
        examined_on=examined_on,
        answers=[{"item": i.pk, "text_zh": i.text_zh, "text_en": i.text_en, "ok": True} for i in items],
        notes=notes.strip(),
    )
    save_audited(examination, actor=actor, reason=gettext_noop("Examined"))
    _move(consignment, action="examine", actor=actor, data={"examined_on": examined_on.isoformat()})
    return examination


@transaction.atomic
def consignment_sample(*, actor: User, consignment: Consignment, seed: str | None = None) -> list[Sample]:
    """Draw the animals to sample (as many as the enterprise's credit rating asks) and number the samples."""
    consignment = _locked(consignment)
    _require_branch(actor, consignment)
    if not consignment.can("sample"):
        _move(consignment, action="sample", actor=actor)
    items = list(consignment.items.order_by("national_code"))
    rule = ExportRule.objects.filter(species=consignment.species).first()
    percent = credit_sampling_percent(enterprise=consignment.enterprise)
    count = sampling.sample_count(
        head_count=len(items), percent=percent, minimum=rule.min_samples if rule else 1
    )
    seed = seed or sampling.new_seed()
    drawn = sampling.draw(tags=[i.national_code for i in items], count=count, seed=seed)
    by_code = {i.national_code: i for i in items}
    now = timezone.now()
    samples = Sample.objects.bulk_create(
        [
            Sample(
                consignment=consignment,
                number=f"{consignment.number}-S{n:03d}",
                animal_id=by_code[code].animal_id,
                national_code=code,
                taken_by=actor,
                taken_at=now,
            )
            for n, code in enumerate(drawn, start=1)
        ]
    )
    consignment.sampling_percent = percent
    consignment.sampling_seed = seed
    per_animal = {s.animal_id: {"sample": s.number} for s in samples}
    _move(
        consignment,
        action="sample",
        actor=actor,
        data={"samples": len(samples), "seed": seed, "percent": percent},
        per_animal=per_animal,
    )
    return samples


def _parse_result(value, analyte: Analyte) -> tuple[Decimal | None, bool] | None:
    text = str(value).strip().lower()
    if text in POSITIVE_WORDS:
        return None, True
    if text in NEGATIVE_WORDS:
        return None, False
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0:
        return None
    if analyte.limit is None:
        return None  # a qualitative analyte takes positive / negative only
    return number, number > analyte.limit


def lab_results_check(
    *, consignment: Consignment, rows: list[dict]
) -> list[tuple[Sample, Analyte, Decimal | None, bool]]:
    """Check result rows ``{"sample": number, "analyte": code, "result": value}`` against the consignment.

    Every sample needs a result for every analyte tested for its species. All problems are named
    at once; nothing is written.
    """
    samples = {s.number: s for s in consignment.samples.all()}
    analytes = {
        a.code: a
        for a in Analyte.objects.filter(is_active=True)
        if not a.species or a.species == consignment.species
    }
    unknown_samples = sorted({str(r.get("sample", "")).strip() for r in rows} - set(samples))
    unknown_analytes = sorted({str(r.get("analyte", "")).strip() for r in rows} - set(analytes))
    parsed, bad = {}, []
    for r in rows:
        number, code = str(r.get("sample", "")).strip(), str(r.get("analyte", "")).strip()
        if number not in samples or code not in analytes:
            continue
        result = _parse_result(r.get("result", ""), analytes[code])
        if result is None:
            bad.append(f"{number} {code} “{r.get('result', '')}”")
            continue
        parsed[(number, code)] = result
    missing = [f"{n} {c}" for n in sorted(samples) for c in sorted(analytes) if (n, c) not in parsed]
    problems = []
    if unknown_samples:
        problems.append(
            format_lazy(UNKNOWN_SAMPLES, number=consignment.number, samples="、".join(unknown_samples))
        )
    if unknown_analytes:
        problems.append(format_lazy(UNKNOWN_ANALYTES, codes="、".join(unknown_analytes)))
    if bad:
        problems.append(format_lazy(BAD_VALUES, cells="、".join(bad)))
    if missing and not (unknown_samples or bad):
        problems.append(format_lazy(RESULTS_MISSING, cells="、".join(missing[:30])))
    if problems:
        raise DomainError(problems[0], items=problems)
    return [(samples[n], analytes[c], value, positive) for (n, c), (value, positive) in parsed.items()]


@transaction.atomic
def lab_results_record(
    *, actor: User, consignment: Consignment, rows: list[dict], source: str = LabResult.Source.ENTERED
) -> Consignment:
    """Record the lab's results; a positive one rejects the consignment and blocks its animals."""
    consignment = _locked(consignment)
    lab_require(actor, consignment)
    if not consignment.can("results"):
        _move(consignment, action="results", actor=actor)
    checked = lab_results_check(consignment=consignment, rows=rows)
    results = [
        LabResult(sample=s, analyte=a, value=v, positive=p, source=source, entered_by=actor)
        for s, a, v, p in checked
    ]
    for result in results:
        save_audited(result, actor=actor, reason=gettext_noop("Lab result"))
    positives = [r for r in results if r.positive]
    per_animal = {}
    for r in positives:
        per_animal.setdefault(r.sample.animal_id, {"positive": []})["positive"].append(r.analyte.code)
    _move(
        consignment,
        action="results",
        actor=actor,
        data={"positive": len(positives)},
        per_animal=per_animal,
    )
    if positives:
        _positive(consignment, positives, actor=actor)
    return consignment


def _positive(consignment: Consignment, positives: list[LabResult], *, actor: User) -> None:
    """Reject, count against the farm's credit, block the animals, and alert the branch and managers."""
    listed = "; ".join(
        f"{r.sample.number} ({r.sample.national_code}) {r.analyte.name_en}"
        + (f" {r.value}" if r.value else "")
        for r in positives
    )
    reason = POSITIVE_REASON.format(results=listed)
    ids = _animal_ids(consignment)
    _move(consignment, action="reject", actor=actor, reason=reason)
    credit_event_record(
        enterprise=consignment.enterprise,
        farm=consignment.farm,
        kind="lab_failure",
        points=POSITIVE_CREDIT_POINTS,
        reason=reason,
        source=f"quarantine.consignment:{consignment.pk}:lab",
        occurred_on=timezone.localdate(),
    )
    animals_export_block(
        actor=actor,
        animal_ids=ids,
        reason=reason,
        happening=Happening(
            kind="export_blocked",
            when=timezone.now(),
            where=Where(farm_id=consignment.farm_id),
            actor=actor,
            source=consignment,
            data={"consignment": consignment.number, "reason": reason},
        ),
    )
    farm = consignment.farm

    def text():
        names = "、".join(f"{r.sample.national_code} {r.analyte.name}" for r in positives)
        return format_lazy(
            POSITIVE_ALERT, number=consignment.number, farm=farm.name, results=names, count=len(ids)
        )

    alerts_raise(
        specs=[
            AlertSpec(
                kind=Alert.Kind.LAB_POSITIVE,
                severity=Alert.Severity.HIGH,
                key=f"lab_positive:{consignment.pk}:{scope_name}",
                scope=scope,
                text=text,
                subject=consignment,
                data={"consignment": consignment.number, "animals": len(ids)},
            )
            for scope_name, scope in (
                ("branch", AlertScope.farm_branch(farm)),
                ("managers", AlertScope.managers(farm=farm)),
            )
        ]
    )


@transaction.atomic
def consignment_reject(*, actor: User, consignment: Consignment, reason: str) -> Consignment:
    """Refuse the consignment (the examination or anything else found); its animals go back to the farm."""
    consignment = _locked(consignment)
    _require_branch(actor, consignment)
    _move(consignment, action="reject", actor=actor, reason=_require_reason(reason))
    return consignment


@transaction.atomic
def consignment_cancel(*, actor: User, consignment: Consignment, reason: str) -> Consignment:
    """Cancel a consignment before approval (the bureau: declared in error, the truck will not come…)."""
    consignment = _locked(consignment)
    _require_branch(actor, consignment)
    _move(consignment, action="cancel", actor=actor, reason=_require_reason(reason))
    return consignment


@transaction.atomic
def consignment_approve(*, actor: User, consignment: Consignment, capacity: str = ""):
    """Approve a consignment whose results are all negative and issue its signed health certificate."""
    from .certificates import certificate_issue

    consignment = _locked(consignment)
    _require_branch(actor, consignment)
    if not consignment.can("approve"):
        _move(consignment, action="approve", actor=actor)
    certificate = certificate_issue(actor=actor, consignment=consignment, capacity=capacity)
    _move(consignment, action="approve", actor=actor, data={"certificate": certificate.number})
    farm_consignment_recorded(farm=consignment.farm, on=timezone.localdate())
    return certificate


PORT_ONLY = _("Only a port officer or a manager may close a consignment as exported.")


@transaction.atomic
def consignment_export(*, actor: User, consignment: Consignment, reason: str = "") -> Consignment:
    """Close a certified consignment as exported (its truck was released at the exit port)."""
    if actor.role not in (Role.PORT_OFFICER, Role.MANAGER):
        raise DomainError(PORT_ONLY)
    consignment = _locked(consignment)
    _move(consignment, action="export", actor=actor, reason=(reason or "").strip())
    return consignment
