"""Daily supervision: plans, visits with their checklist, findings, corrective actions, and the pages."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.errors import DomainError
from farms.models import (
    ChecklistTemplate,
    CorrectiveAction,
    CreditGradePolicy,
    Finding,
    Visit,
    VisitAnswer,
    VisitPlan,
)
from farms.selectors_supervision import checklist_template_for
from farms.services import supervision as sv
from farms.supervision_defaults import checklist_templates_ensure, grade_policies_ensure

from .factories import BOLUO, registered_farm, submitted_farm


@pytest.fixture(autouse=True)
def english():
    """The assertions read the services' English messages (their Chinese: tests/test_i18n.py)."""
    from django.utils import translation

    with translation.override("en"):
        yield


TODAY = dt.date.today()
OK, NOT_OK, NA = VisitAnswer.Result.OK, VisitAnswer.Result.NOT_OK, VisitAnswer.Result.NA


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 110)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def farm(world):
    checklist_templates_ensure()
    grade_policies_ensure()
    return registered_farm(world)


def nearby(n: int) -> dict:
    """Return the location of another farm, a few hundred metres from the first (not a duplicate)."""
    return {"latitude": BOLUO["latitude"] + Decimal("0.003") * n, "name_zh": f"华丰{n + 1}场"}


def all_ok(template, overrides=None):
    answers = {item.pk: (OK, "") for item in template.items.all()}
    answers.update(overrides or {})
    return answers


def record(world, farm, **kw):
    template = checklist_template_for(farm=farm)
    args = {
        "actor": world.insp_a,
        "farm": farm,
        "template": template,
        "visited_on": TODAY,
        "answers": all_ok(template),
        "findings": [],
    }
    args.update(kw)
    return sv.visit_record(**args)


def test_defaults_are_idempotent_and_complete(db):
    checklist_templates_ensure()
    grade_policies_ensure()
    checklist_templates_ensure()
    grade_policies_ensure()
    assert ChecklistTemplate.objects.count() >= 3
    for species in "123":
        items = ChecklistTemplate.objects.get(species=species, name_zh__endswith="日常监管检查表").items.all()
        assert len(items) >= 8 and all(i.text_zh and i.text_en for i in items)
        assert any("消毒池" in i.text_zh for i in items) and any("违禁药物" in i.text_zh for i in items)
    table = {p.grade: (p.min_score, p.sampling_percent) for p in CreditGradePolicy.objects.all()}
    assert table == {"A": (90, 5), "B": (75, 10), "C": (60, 30), "D": (0, 100)}


def test_defaults_keep_the_bureaus_changes(db):
    grade_policies_ensure()
    CreditGradePolicy.objects.filter(grade="A").update(sampling_percent=3)
    grade_policies_ensure()
    assert CreditGradePolicy.objects.get(grade="A").sampling_percent == 3


def test_plan_a_visit_and_refusals(world, farm):
    plan = sv.visit_plan_create(
        actor=world.insp_a,
        farm=farm,
        inspector=world.insp_a,
        planned_on=TODAY + dt.timedelta(days=3),
        purpose="季度例行检查",
    )
    assert plan.created_by == world.insp_a
    with pytest.raises(DomainError, match="already planned"):
        sv.visit_plan_create(
            actor=world.insp_a, farm=farm, inspector=world.insp_a, planned_on=plan.planned_on
        )
    with pytest.raises(DomainError, match="past date"):
        sv.visit_plan_create(
            actor=world.insp_a, farm=farm, inspector=world.insp_a, planned_on=TODAY - dt.timedelta(1)
        )
    with pytest.raises(DomainError, match="not an inspector of the farm's branch"):
        sv.visit_plan_create(actor=world.manager, farm=farm, inspector=world.insp_b, planned_on=TODAY)
    application = submitted_farm(world, **nearby(1))
    with pytest.raises(DomainError, match="Only registered or suspended"):
        sv.visit_plan_create(actor=world.insp_a, farm=application, inspector=world.insp_a, planned_on=TODAY)
    assert VisitPlan.objects.count() == 1


def test_visit_with_findings_counts_against_credit(world, farm):
    template = checklist_template_for(farm=farm)
    first, second, third = list(template.items.all())[:3]
    plan = sv.visit_plan_create(actor=world.insp_a, farm=farm, inspector=world.insp_a, planned_on=TODAY)
    visit = record(
        world,
        farm,
        plan=plan,
        summary="  总体良好 ",
        answers=all_ok(
            template, {first.pk: (NOT_OK, "消毒液未更换"), second.pk: (NOT_OK, ""), third.pk: (NA, "")}
        ),
        findings=[
            {
                "severity": "major",
                "description": "消毒池干涸",
                "item": first.pk,
                "action": "三日内更换消毒液",
                "deadline": TODAY + dt.timedelta(days=3),
            }
        ],
        photos=[SimpleUploadedFile("pool.png", png_bytes(), content_type="image/png")],
    )
    assert visit.plan == plan and visit.summary == "总体良好" and visit.photos.count() == 1
    findings = {f.item_id: f for f in visit.findings.all()}
    # The non-compliant second question had no finding of its own: it is recorded as a minor one.
    assert findings[first.pk].severity == Finding.Severity.MAJOR
    assert findings[second.pk].severity == Finding.Severity.MINOR
    action = findings[first.pk].actions.get()
    assert action.status == CorrectiveAction.Status.OPEN and action.deadline == TODAY + dt.timedelta(days=3)
    rating = farm.enterprise.credit_ratings.order_by("-pk").first()
    assert rating.score == 100 - 10 - 2 and rating.grade == "B" and rating.sampling_percent == 10
    assert farm.enterprise.credit_ratings.count() == 1  # one rating for the whole visit, not one per finding
    with pytest.raises(DomainError, match="already been recorded"):
        record(world, farm, plan=plan)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"visited_on": TODAY + dt.timedelta(days=1)}, "future date"),
        (
            {
                "findings": [
                    {
                        "severity": "minor",
                        "description": "x",
                        "action": "y",
                        "deadline": TODAY - dt.timedelta(days=1),
                    }
                ]
            },
            "already passed",
        ),
        ({"findings": [{"severity": "", "description": "x"}]}, "Finding 1"),
        (
            {"photos": [SimpleUploadedFile("pool.jpg", b"not an image at all", content_type="image/jpeg")]},
            "pool.jpg",
        ),
    ],
)
def test_visit_refusals_change_nothing(world, farm, change, message):
    with pytest.raises(DomainError, match=message):
        record(world, farm, **change)
    assert not Visit.objects.exists() and not Finding.objects.exists()


def test_missing_answers_are_named(world, farm):
    template = checklist_template_for(farm=farm)
    answers = all_ok(template)
    missing = list(template.items.all())[-2:]
    for item in missing:
        del answers[item.pk]
    with pytest.raises(DomainError) as caught:
        record(world, farm, answers=answers)
    assert caught.value.items == [str(item) for item in missing]
    assert all(str(item) in str(caught.value) for item in missing)


def test_corrective_action_follow_up(world, farm):
    visit = record(
        world, farm, findings=[{"severity": "minor", "description": "记录不全", "action": "补齐记录"}]
    )
    action = visit.findings.get().actions.get()
    assert action.deadline == TODAY + dt.timedelta(days=30)
    with pytest.raises(DomainError, match="Say what was done"):
        sv.corrective_action_report_done(actor=world.ent_a_staff, action=action, response="  ")
    action = sv.corrective_action_report_done(actor=world.ent_a_staff, action=action, response="已补齐")
    assert action.status == CorrectiveAction.Status.DONE and action.done_at
    with pytest.raises(DomainError, match="Say why"):
        sv.corrective_action_verify(actor=world.insp_a, action=action, accepted=False)
    action = sv.corrective_action_verify(actor=world.insp_a, action=action, accepted=False, note="缺少照片")
    assert action.status == CorrectiveAction.Status.OPEN
    sv.corrective_action_report_done(actor=world.ent_a_staff, action=action, response="已补拍照片")
    action = sv.corrective_action_verify(actor=world.insp_a, action=action, accepted=True)
    assert action.status == CorrectiveAction.Status.VERIFIED and action.verified_by == world.insp_a
    with pytest.raises(DomainError, match="cannot be"):
        sv.corrective_action_report_done(actor=world.ent_a_staff, action=action, response="again")


def test_overdue_actions_count_once(world, farm):
    visit = record(
        world, farm, findings=[{"severity": "minor", "description": "d", "action": "a", "deadline": TODAY}]
    )
    assert sv.corrective_actions_overdue(today=TODAY + dt.timedelta(days=1)) == 1
    assert sv.corrective_actions_overdue(today=TODAY + dt.timedelta(days=2)) == 0
    assert visit.farm.enterprise.credit_events.filter(kind="overdue_action").count() == 1


def test_query_counts_of_the_lists_are_capped(world, farm, client_for):
    for n in range(4):
        other = registered_farm(world, **nearby(n + 1))
        sv.visit_plan_create(actor=world.insp_a, farm=other, inspector=world.insp_a, planned_on=TODAY)
        record(world, other, findings=[{"severity": "minor", "description": "d", "action": "a"}])
    pages = [
        (world.insp_a, reverse("portal_ciq:supervision_calendar")),
        (world.insp_a, reverse("portal_ciq:action_list")),
        (world.ent_a_staff, reverse("portal_enterprise:corrective_actions")),
    ]
    for user, url in pages:
        client = client_for(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= 15, f"{url}: {len(queries)} queries"
