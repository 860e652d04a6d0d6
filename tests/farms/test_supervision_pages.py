"""The supervision pages of both portals: calendar, visit form, follow-up, and their refusals."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from farms.models import CorrectiveAction, Visit, VisitPlan
from farms.selectors_supervision import checklist_template_for
from farms.services import supervision as sv
from farms.supervision_defaults import checklist_templates_ensure, grade_policies_ensure

from .factories import registered_farm
from .test_supervision import png_bytes


@pytest.fixture
def english_pages(client):
    """Ask for English pages: the assertions read the English messages (Chinese: test_i18n)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


TODAY = dt.date.today()
CALENDAR = reverse("portal_ciq:supervision_calendar")
PLAN = reverse("portal_ciq:visit_plan_create")
VISIT = reverse("portal_ciq:visit_create")


@pytest.fixture
def farm(world):
    checklist_templates_ensure()
    grade_policies_ensure()
    return registered_farm(world)


def visit_post(template, *, skip=(), not_ok=(), **extra) -> dict:
    data = {
        "visit-visited_on": TODAY.isoformat(),
        "visit-summary": "检查完毕",
        "findings-TOTAL_FORMS": "4",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "20",
    }
    for n, item in enumerate(template.items.all()):
        if n not in skip:
            data[f"visit-answer_{item.pk}"] = "not_ok" if n in not_ok else "ok"
    data.update(extra)
    return data


def test_calendar_shows_the_months_plans(world, farm, client_for):
    sv.visit_plan_create(
        actor=world.insp_a, farm=farm, inspector=world.insp_a, planned_on=TODAY, purpose="例行"
    )
    client = client_for(world.insp_a)
    html = client.get(CALENDAR, {"month": TODAY.strftime("%Y-%m")}).content.decode()
    assert 'data-testid="plan-chip"' in html and farm.name_zh in html
    assert client.get(CALENDAR, {"month": "rubbish"}).status_code == 200
    # Another branch's inspector does not see the plan, nor may plan for the farm.
    other = client_for(world.insp_b)
    assert farm.name_zh not in other.get(CALENDAR).content.decode()
    response = other.post(
        PLAN, {"farm": farm.pk, "inspector": world.insp_b.pk, "planned_on": TODAY.isoformat()}
    )
    assert response.status_code == 200 and not VisitPlan.objects.filter(inspector=world.insp_b).exists()


@pytest.mark.usefixtures("english_pages")
def test_plan_form_plans_and_refuses_with_messages(world, farm, client_for):
    client = client_for(world.insp_a)
    day = TODAY + dt.timedelta(days=5)
    response = client.post(
        PLAN,
        {"farm": farm.pk, "inspector": world.insp_a.pk, "planned_on": day.isoformat(), "purpose": "复查"},
    )
    assert response.status_code == 302 and f"month={day:%Y-%m}" in response["Location"]
    assert VisitPlan.objects.get().planned_on == day
    response = client.post(PLAN, {"farm": farm.pk, "inspector": world.insp_a.pk, "planned_on": "2001-01-01"})
    assert "past date" in response.content.decode() and VisitPlan.objects.count() == 1


def test_visit_form_records_a_visit(world, farm, client_for):
    template = checklist_template_for(farm=farm)
    client = client_for(world.insp_a)
    page = client.get(VISIT, {"farm": farm.pk}).content.decode()
    assert all(item.text_zh in page for item in template.items.all())
    first = template.items.first()
    data = visit_post(
        template,
        not_ok=[0],
        **{
            "findings-0-severity": "major",
            "findings-0-item": str(first.pk),
            "findings-0-description": "消毒池干涸",
            "findings-0-action": "更换消毒液",
            "findings-0-deadline": (TODAY + dt.timedelta(days=7)).isoformat(),
            "visit-photos": [
                SimpleUploadedFile("a.png", png_bytes()),
                SimpleUploadedFile("b.png", png_bytes()),
            ],
        },
    )
    response = client.post(f"{VISIT}?farm={farm.pk}", data)
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal_ciq:visit_detail", args=[visit.pk]
    )
    assert visit.photos.count() == 2 and visit.findings.get().actions.count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "消毒池干涸" in detail and "更换消毒液" in detail
    photo = client.get(reverse("portal_ciq:visit_photo", args=[visit.photos.first().pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"


@pytest.mark.usefixtures("english_pages")
@pytest.mark.parametrize(
    "change, message",
    [
        ({"visit-visited_on": (TODAY + dt.timedelta(days=2)).isoformat()}, "future date"),
        (
            {
                "findings-0-severity": "minor",
                "findings-0-description": "d",
                "findings-0-action": "a",
                "findings-0-deadline": "2001-01-01",
            },
            "already passed",
        ),
        ({"findings-0-description": "没有严重程度"}, "Choose the severity"),
        ({"visit-photos": [SimpleUploadedFile("report.png", b"%PDF-1.4 not a photo")]}, "report.png"),
    ],
)
def test_visit_form_refuses_bad_input(world, farm, client_for, change, message):
    template = checklist_template_for(farm=farm)
    response = client_for(world.insp_a).post(f"{VISIT}?farm={farm.pk}", visit_post(template, **change))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.usefixtures("english_pages")
def test_visit_form_names_the_unanswered_questions(world, farm, client_for):
    template = checklist_template_for(farm=farm)
    items = list(template.items.all())
    response = client_for(world.insp_a).post(f"{VISIT}?farm={farm.pk}", visit_post(template, skip=[1, 4]))
    html = response.content.decode()
    assert (
        "Answer every question" in html
        and items[1].text_en in html
        and html.count("check-row is-missing") == 2
    )
    assert not Visit.objects.exists()


def test_visit_form_of_another_branch_is_not_found(world, farm, client_for):
    client = client_for(world.insp_b)
    assert client.get(VISIT, {"farm": farm.pk}).status_code == 404
    template = checklist_template_for(farm=farm)
    assert client.post(f"{VISIT}?farm={farm.pk}", visit_post(template)).status_code == 404
    assert not Visit.objects.exists()


@pytest.mark.usefixtures("english_pages")
def test_follow_up_between_enterprise_and_inspector(world, farm, client_for):
    template = checklist_template_for(farm=farm)
    visit = sv.visit_record(
        actor=world.insp_a,
        farm=farm,
        template=template,
        visited_on=TODAY,
        answers={i.pk: ("ok", "") for i in template.items.all()},
        findings=[{"severity": "major", "description": "隔离舍破损", "action": "修复隔离舍"}],
    )
    action = visit.findings.get().actions.get()
    staff = client_for(world.ent_a_staff)
    assert "修复隔离舍" in staff.get(reverse("portal_enterprise:corrective_actions")).content.decode()
    done = reverse("portal_enterprise:corrective_action_done", args=[action.pk])
    staff.post(done, {"response": ""})
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.OPEN
    assert staff.post(done, {"response": "已修复并拍照"}).status_code == 302
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.DONE
    assert client_for(world.ent_b_admin).post(done, {"response": "x"}).status_code == 404

    inspector = client_for(world.insp_a)
    assert "已修复并拍照" in inspector.get(reverse("portal_ciq:action_list")).content.decode()
    verify = reverse("portal_ciq:action_verify", args=[action.pk])
    page = inspector.post(verify, {"decision": "reopen"}, follow=True).content.decode()
    assert "Say why" in page
    inspector.post(verify, {"decision": "verify"})
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.VERIFIED
    closed = inspector.get(reverse("portal_ciq:action_list"), {"show": "closed"}).content.decode()
    assert "修复隔离舍" in closed


def test_a_recorded_plan_opens_its_visit_and_an_application_is_not_supervised(world, farm, client_for):
    from .factories import submitted_farm
    from .test_supervision import nearby

    plan = sv.visit_plan_create(actor=world.insp_a, farm=farm, inspector=world.insp_a, planned_on=TODAY)
    template = checklist_template_for(farm=farm)
    visit = sv.visit_record(
        actor=world.insp_a,
        farm=farm,
        template=template,
        visited_on=TODAY,
        plan=plan,
        answers={i.pk: ("ok", "") for i in template.items.all()},
        findings=[],
    )
    client = client_for(world.insp_a)
    response = client.get(VISIT, {"farm": farm.pk, "plan": plan.pk})
    assert response["Location"] == reverse("portal_ciq:visit_detail", args=[visit.pk])
    application = submitted_farm(world, **nearby(1))
    assert 'data-testid="not-supervised"' in client.get(VISIT, {"farm": application.pk}).content.decode()


def test_manager_narrows_the_calendar_to_a_branch(world, farm, client_for):
    sv.visit_plan_create(actor=world.manager, farm=farm, inspector=world.insp_a, planned_on=TODAY)
    client = client_for(world.manager)
    assert farm.name_zh in client.get(CALENDAR, {"branch": world.branch_a.pk}).content.decode()
    html = client.get(CALENDAR, {"branch": world.branch_b.pk}).content.decode()
    assert 'data-testid="plan-chip"' not in html


def _visit_with_actions(world, farm, count: int):
    template = checklist_template_for(farm=farm)
    return sv.visit_record(
        actor=world.insp_a,
        farm=farm,
        template=template,
        visited_on=TODAY,
        answers={i.pk: ("ok", "") for i in template.items.all()},
        findings=[
            {"severity": "minor", "description": f"问题{n}", "action": f"整改{n}"} for n in range(count)
        ],
    )


def test_overdue_is_one_rule_on_every_page(world, farm, client_for):
    """Open past the deadline is overdue; reported done past the deadline is not: everywhere."""
    visit = _visit_with_actions(world, farm, 3)
    late, done_late, in_time = visit.findings.order_by("pk").values_list("actions", flat=True)
    past = TODAY - dt.timedelta(days=3)
    CorrectiveAction.objects.filter(pk__in=[late, done_late]).update(deadline=past)
    CorrectiveAction.objects.filter(pk=done_late).update(status=CorrectiveAction.Status.DONE)
    assert list(CorrectiveAction.objects.overdue().values_list("pk", flat=True)) == [late]
    flags = dict(CorrectiveAction.objects.with_overdue().values_list("pk", "overdue"))
    assert flags == {late: True, done_late: False, in_time: False}

    inspector = client_for(world.insp_a)
    html = inspector.get(reverse("portal_ciq:action_list")).content.decode()
    assert html.count('data-status="overdue"') == 1 and f'data-action="{late}"' in html
    response = inspector.get(reverse("portal_ciq:action_list"))
    assert response.context["counts"] == {"overdue": 1, "done": 1, "open": 2}
    detail = inspector.get(reverse("portal_ciq:visit_detail", args=[visit.pk])).content.decode()
    assert detail.count('data-status="overdue"') == 1
    mine = client_for(world.ent_a_staff).get(reverse("portal_enterprise:corrective_actions")).content.decode()
    assert mine.count('data-status="overdue"') == 1


def test_corrective_actions_are_paged(world, farm, client_for, django_assert_max_num_queries):
    visit = _visit_with_actions(world, farm, 1)
    finding = visit.findings.get()
    CorrectiveAction.objects.bulk_create(
        CorrectiveAction(finding=finding, description=f"补充整改{n}", deadline=TODAY + dt.timedelta(days=n))
        for n in range(60)
    )
    inspector = client_for(world.insp_a)
    url = reverse("portal_ciq:action_list")
    with django_assert_max_num_queries(14):
        first = inspector.get(url)
    assert first.content.decode().count('data-testid="verify-form"') == 50
    assert first.context["counts"]["open"] == 61
    second = inspector.get(url, {"page": "2"}).content.decode()
    assert second.count('data-testid="verify-form"') == 11
    # A page past the end, or not a number, shows the nearest page rather than an error.
    assert inspector.get(url, {"page": "999"}).content.decode().count('data-testid="verify-form"') == 11
    assert inspector.get(url, {"page": "x"}).status_code == 200

    CorrectiveAction.objects.filter(finding=finding).update(
        status=CorrectiveAction.Status.VERIFIED, verified_by=world.insp_a
    )
    staff = client_for(world.ent_a_staff)
    mine = staff.get(reverse("portal_enterprise:corrective_actions")).content.decode()
    assert mine.count("补充整改") == 25 and "page=2" in mine
