"""Daily supervision in the browser: plan, visit, finding, credit falls, the enterprise answers, verified.

Run in Chinese and in English; the screenshots of the calendar, the visit form, the credit
table and the enterprise's corrective actions are for a human to look at.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from farms.models import CorrectiveAction, VisitAnswer
from farms.selectors_supervision import checklist_template_for
from farms.services.supervision import visit_record
from farms.supervision_defaults import checklist_templates_ensure, grade_policies_ensure
from tests.farms.factories import registered_farm
from tests.farms.test_supervision import png_bytes

pytestmark = pytest.mark.browser


def _farm_with_history(world):
    """A registered farm of enterprise A, visited a week ago with one minor finding (score 98, grade A)."""
    checklist_templates_ensure()
    grade_policies_ensure()
    farm = registered_farm(world)
    template = checklist_template_for(farm=farm)
    visit_record(
        actor=world.insp_a,
        farm=farm,
        template=template,
        visited_on=dt.date.today() - dt.timedelta(days=7),
        answers={item.pk: (VisitAnswer.Result.OK, "") for item in template.items.all()},
        findings=[{"severity": "minor", "description": "饲料记录缺一页"}],
    )
    return farm, template


def _grade(page, world) -> str:
    page.goto("/bureau/supervision/credit/")
    badge = page.locator(f"tr[data-enterprise='{world.ent_a.code}'] [data-grade]")
    expect(badge).to_be_visible()
    return badge.get_attribute("data-grade")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_visit_finding_credit_and_follow_up(new_context, login, demo_world, shot, locale):
    def snap(page, step):
        page.evaluate("window.scrollTo(0, 0)")  # else the sticky top bar lands mid-page in a full-page shot
        shot(page, step)

    world = demo_world
    farm, template = _farm_with_history(world)
    today = dt.date.today()
    inspector = new_context(locale).new_page()
    login(inspector, "insp_huizhou")
    before = _grade(inspector, world)
    assert before == "A"

    # Plan the visit on the calendar.
    inspector.goto("/bureau/supervision/calendar/")
    inspector.select_option("#id_farm", str(farm.pk))
    inspector.fill("#id_planned_on", today.isoformat())
    inspector.fill("#id_purpose", "季度例行检查")
    inspector.get_by_test_id("plan-submit").click()
    chip = inspector.locator(f"[data-date='{today.isoformat()}'] [data-testid=plan-chip]")
    expect(chip).to_have_attribute("data-state", "planned")
    expect(inspector.get_by_test_id("month")).to_be_visible()
    snap(inspector, "calendar")

    # Record it: the first question not compliant, a major finding with its corrective action.
    chip.click()
    expect(inspector).to_have_url(re.compile(r"/visits/new/\?farm=\d+&plan=\d+"))
    first = template.items.first()
    # Sent with nothing answered: refused, each question named and marked.
    inspector.get_by_test_id("visit-submit").click()
    question = first.text_en if locale.startswith("en") else first.text_zh
    expect(inspector.get_by_test_id("form-errors")).to_contain_text(question)
    expect(inspector.locator(".check-row.is-missing")).to_have_count(template.items.count())
    snap(inspector, "visit-form-refused")
    inspector.locator(f"label[for=id_visit-answer_{first.pk}_1]").click()
    inspector.fill(f"#id_visit-note_{first.pk}", "消毒池无消毒液")
    inspector.get_by_test_id("all-ok").click()
    inspector.select_option("#id_findings-0-severity", "major")
    inspector.select_option("#id_findings-0-item", str(first.pk))
    inspector.fill("#id_findings-0-description", "消毒池干涸，车辆未经消毒进出")
    inspector.fill("#id_findings-0-action", "立即更换消毒液，建立每日更换记录")
    inspector.fill("#id_findings-0-deadline", (today + dt.timedelta(days=7)).isoformat())
    inspector.set_input_files(
        "#id_visit-photos", files=[{"name": "pool.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    inspector.fill("#id_visit-summary", "场长陪同检查，已当场告知整改要求。")
    snap(inspector, "visit-form")
    inspector.get_by_test_id("visit-submit").click()
    expect(inspector).to_have_url(re.compile(r"/bureau/supervision/visits/\d+/$"))
    expect(inspector.get_by_test_id("not-ok-count")).to_be_visible()
    expect(inspector.get_by_test_id("photos").locator("img")).to_have_count(1)
    snap(inspector, "visit-detail")

    after = _grade(inspector, world)
    assert after > before, f"grade {before} → {after}"
    snap(inspector, "credit-table")
    inspector.locator(f"tr[data-enterprise='{world.ent_a.code}'] a").first.click()
    expect(inspector.get_by_test_id("reasons").locator("tbody tr")).to_have_count(2)
    snap(inspector, "credit-detail")

    # The enterprise sees the action and reports it done.
    action = CorrectiveAction.objects.get(finding__severity="major", finding__farm=farm)
    staff = new_context(locale).new_page()
    login(staff, "ent_a_staff")
    staff.goto("/enterprise/supervision/actions/")
    row = staff.locator(f"[data-testid=current-actions] [data-action='{action.pk}']")
    expect(row.get_by_test_id("action-text")).to_have_text("立即更换消毒液，建立每日更换记录")
    row.locator("textarea").fill("已更换消毒液并建立每日记录，附照片。")
    snap(staff, "enterprise-actions")
    row.get_by_test_id("report-done").click()
    expect(row.locator("[data-status=done]")).to_be_visible()
    staff.goto("/enterprise/supervision/credit/")
    expect(staff.get_by_test_id("rating").locator("[data-grade]")).to_have_attribute("data-grade", after)
    snap(staff, "enterprise-credit")

    # The inspector verifies it; it leaves the follow-up list.
    inspector.goto("/bureau/supervision/actions/")
    line = inspector.locator(f"[data-action='{action.pk}']")
    expect(line.locator("[data-status=done]")).to_be_visible()
    snap(inspector, "action-list")
    line.get_by_test_id("verify").click()
    expect(inspector.locator(f"[data-action='{action.pk}']")).to_have_count(0)
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.VERIFIED
