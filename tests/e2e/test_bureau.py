"""Bureau portal in the browser: the map, and an inspector's scope (their branch's enterprises)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MARKERS_DRAWN = re.compile(r"^[1-9]\d*$")
OUTLINE = ".leaflet-overlay-pane svg path[stroke='#94a3b8']"  # orgmap.js: province outlines
MARKER = ".leaflet-overlay-pane svg path[stroke='#fff']"  # orgmap.js: circle markers


def test_inspector_sees_map_and_only_own_branch_enterprises(page, login, demo_world, shot):
    login(page, "insp_huizhou")
    expect(page).to_have_url(re.compile(r"/bureau/$"))
    expect(page.get_by_test_id("organisation-name")).to_have_text("惠州出入境检验检疫局")

    orgmap = page.locator("#orgmap")
    expect(orgmap).to_have_attribute("data-markers", MARKERS_DRAWN)
    markers = int(orgmap.get_attribute("data-markers"))
    expect(page.locator(MARKER)).to_have_count(markers)
    expect(page.locator(OUTLINE).filter(visible=True).first).to_be_visible()
    expect(page.locator(".map-legend")).to_be_visible()
    shot(page, "home")

    page.locator("[data-nav=organisations]").click()
    expect(page).to_have_url(re.compile(r"/bureau/organisations/"))
    table = page.locator(".table-card table")
    expect(table.get_by_role("link", name="惠州市华丰生猪养殖有限公司")).to_be_visible()
    expect(table).not_to_contain_text("湖南湘润供港活猪有限公司")
    shot(page, "organisations")

    response = page.goto(f"/bureau/organisations/{demo_world.ent_b.pk}/")
    assert response.status == 404
    expect(page.get_by_test_id("error-page")).to_contain_text("404")
    expect(page.locator("body")).not_to_contain_text("湘润")
    shot(page, "other-enterprise-404")
