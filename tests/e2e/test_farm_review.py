"""The issue's "done when", bureau side: the branch reviews and registers an application in Chromium.

An application of enterprise A is filed through the services (the enterprise's own form has its
own browser test); the Huizhou inspector takes it from the queue, records a passing site
inspection and approves it; the registry and the map then show it with its registration number.
The Hunan inspector finds it nowhere. Screenshots in Chinese and English go to
test-artifacts/screenshots/ for a human to look at.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NUMBER = re.compile(r"GK44P-\d{4}-\d{4}")
MARKERS_DRAWN = re.compile(r"^[1-9]\d*$")


def open_map(page, find: str):
    page.goto(reverse("portal_ciq:farm_map"))
    expect(page.locator("#farmsmap")).to_have_attribute("data-markers", MARKERS_DRAWN)
    search = page.get_by_test_id("map-search")
    search.locator("input").fill(find)
    search.locator("button").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(find)
    return popup


def test_branch_registers_an_application_and_the_other_branch_never_sees_it(
    new_context, login, demo_world, shot
):
    from tests.farms.factories import submitted_farm

    farm = submitted_farm(demo_world, name_zh="华丰示范场", name_en="Huafeng Model Farm")
    detail_url = reverse("portal_ciq:farm_detail", args=[farm.pk])
    queue_url = reverse("portal_ciq:farm_queue")
    list_url = reverse("portal_ciq:farm_list")

    # The same queue in English, before anyone has taken the application.
    english = new_context("en-US").new_page()
    login(english, "insp_huizhou")
    english.goto(queue_url)
    expect(english.get_by_test_id("queue")).to_contain_text("Huafeng Model Farm")
    shot(english, "queue-en")

    page = new_context("zh-CN").new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    english.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, "insp_huizhou")
    page.goto(queue_url)
    row = page.locator(f"tr[data-farm='{farm.pk}']")
    expect(row).to_contain_text("华丰示范场")
    expect(row.locator(".farm-status")).to_have_attribute("data-status", "submitted")
    shot(page, "queue-zh")

    row.get_by_test_id("take").click()
    expect(page).to_have_url(re.compile(rf"{detail_url}$"))
    expect(page.get_by_test_id("farm-status").locator(".farm-status")).to_have_attribute(
        "data-status", "under_review"
    )
    expect(page.get_by_test_id("assigned-inspector")).not_to_have_text("—")

    form = page.get_by_test_id("inspect-form")
    form.locator("select[name=conclusion]").select_option("pass")
    form.locator("textarea[name=notes]").fill("猪舍、隔离舍、消毒池与粪污处理设施齐全，符合要求。")
    form.get_by_test_id("action-inspect").click()
    expect(page.get_by_test_id("inspections")).to_contain_text("猪舍、隔离舍")

    page.get_by_test_id("action-approve").click()
    expect(page.get_by_test_id("farm-status").locator(".farm-status")).to_have_attribute(
        "data-status", "registered"
    )
    number = page.get_by_test_id("registration-number").inner_text().strip()
    assert NUMBER.fullmatch(number), number
    expect(page.locator("#farmmap")).to_have_attribute("data-layout", "1")
    shot(page, "detail-zh")

    page.goto(f"{list_url}?q={number}")
    table = page.get_by_test_id("farm-table")
    expect(table).to_contain_text(number)
    expect(table.get_by_role("link", name="华丰示范场")).to_be_visible()
    page.goto(list_url)
    shot(page, "registry-zh")

    popup = open_map(page, number)
    expect(popup).to_contain_text("华丰示范场")
    shot(page, "map-zh")
    page.locator("label[for=colour-grade]").click()
    expect(page.locator("#farmsmap")).to_have_attribute("data-colour", "grade")
    shot(page, "map-grade-zh")

    english.goto(detail_url)
    expect(english.get_by_test_id("registration-number")).to_have_text(number)
    shot(english, "detail-en")
    english.goto(list_url)
    expect(english.get_by_test_id("farm-table")).to_contain_text(number)
    shot(english, "registry-en")
    open_map(english, number)
    shot(english, "map-en")

    assert errors == [], errors

    # The other branch: not on the farm's page, not in its queue, not in its registry or map.
    other = new_context("zh-CN").new_page()
    login(other, "insp_hunan")
    response = other.goto(detail_url)
    assert response.status == 404
    expect(other.locator("body")).not_to_contain_text("华丰示范场")
    other.goto(queue_url)
    expect(other.get_by_test_id("queue")).not_to_contain_text("华丰示范场")
    other.goto(f"{list_url}?q={number}")
    expect(other.locator("body")).not_to_contain_text("华丰示范场")
    data = other.request.get(reverse("portal_ciq:farm_map_data")).json()
    assert farm.pk not in {row[0] for row in data["farms"]}
    shot(other, "other-branch-queue")
