"""Issue 3's "done when" as one story, in Chromium, with nothing filed behind the browser's back.

The enterprise clerk applies (map point, a pen drawn with Leaflet.draw), the Huizhou inspector
takes, inspects and approves it, the bureau map and registry show it under its registration
number, and the Hunan inspector finds it nowhere. The two sibling tests each fake one half through
the services; this one proves the halves fit. Screenshots (zh-CN at each step, the form, registry
and map in English too) go to test-artifacts/screenshots/ for a human to look at.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from .test_farm_application import click_map, declare_remaining_surroundings, draw_polygon, rules, top_shot
from .test_farm_review import open_map

pytestmark = pytest.mark.browser

NAME_ZH, NAME_EN = "华丰链测场", "Huafeng Chain Farm"


def fill_application(page):
    """Fill the new-farm form as the clerk would: basic data, map point, one drawn pen, the vet."""
    page.fill("#id_name_zh", NAME_ZH)
    page.fill("#id_name_en", NAME_EN)
    page.select_option("#id_species", "1")
    page.fill("#id_capacity", "2500")
    page.fill("#id_area_m2", "36000")
    page.get_by_test_id("county-search").fill("博罗")
    page.locator("[data-county='441322']").click()
    expect(page.locator("#id_county_code")).to_have_value("441322")
    page.fill("#id_address", "惠州市博罗县石湾镇链测路1号")
    expect(page.locator("#farm-location")).to_have_attribute("data-ready", "1")
    page.wait_for_timeout(800)  # the county outline is fetched, then the map fits it
    click_map(page, "#farm-location", 0.5, 0.5)
    expect(page.locator("#id_latitude")).not_to_have_value("")

    layout = "#farm-layout"
    draw_polygon(page, layout, [(0.3, 0.3), (0.6, 0.3), (0.6, 0.6), (0.3, 0.6)])
    page.locator(".layout-kind-chooser [data-kind='pen']").click()
    expect(page.get_by_test_id("pen-count")).to_have_text("1")
    page.get_by_test_id("layout-list").locator("[data-layout-name]").fill("1号猪舍")

    page.fill("#id_disease_history", "近三年无重大动物疫情")
    page.fill("#id_immunisation_programme", "猪瘟：21日龄首免，60日龄二免")
    page.fill("#id_vet_name", "陈兽医")
    page.fill("#id_vet_licence", "GD-VET-2020-0101")
    page.fill("#id_vet_phone", "13900000101")
    declare_remaining_surroundings(page)


def test_application_to_registration_in_one_story(new_context, login, demo_world, shot):
    from farms.models import Farm

    rules()
    errors = []

    def open_page(username, locale="zh-CN"):
        page = new_context(locale).new_page()
        page.on("pageerror", lambda exc: errors.append(f"{username}/{locale}: {exc}"))
        login(page, username)
        return page

    # 1. The clerk applies.
    clerk = open_page("ent_a_staff")
    clerk.goto(reverse("portal_enterprise:farm_create"))
    fill_application(clerk)
    top_shot(shot, clerk, "1-form-zh")
    clerk.get_by_test_id("save-draft").click()
    expect(clerk).to_have_url(re.compile(r"/enterprise/farms/\d+/$"))
    clerk.once("dialog", lambda dialog: dialog.accept())
    clerk.get_by_test_id("farm-submit").click()
    status = clerk.locator("[data-testid=farm-status] [data-status]")
    expect(status).to_have_attribute("data-status", "submitted")
    top_shot(shot, clerk, "1-submitted-zh")
    farm = Farm.objects.get(name_zh=NAME_ZH)
    assert sum(f["properties"]["kind"] == "pen" for f in farm.layout["features"]) == 1
    detail_url = reverse("portal_ciq:farm_detail", args=[farm.pk])

    # The same form in English, for the human who judges the screenshots.
    clerk_en = open_page("ent_a_staff", "en-US")
    clerk_en.goto(reverse("portal_enterprise:farm_create"))
    expect(clerk_en.locator("html")).to_have_attribute("lang", "en")
    top_shot(shot, clerk_en, "1-form-en")

    # 2. The Huizhou inspector takes it from the queue, inspects and approves.
    insp = open_page("insp_huizhou")
    insp.goto(reverse("portal_ciq:farm_queue"))
    row = insp.locator(f"tr[data-farm='{farm.pk}']")
    expect(row).to_contain_text(NAME_ZH)
    shot(insp, "2-queue-zh")
    row.get_by_test_id("take").click()
    expect(insp).to_have_url(re.compile(rf"{detail_url}$"))
    form = insp.get_by_test_id("inspect-form")
    form.locator("select[name=conclusion]").select_option("pass")
    form.locator("textarea[name=notes]").fill("猪舍与消毒设施齐全，符合要求。")
    form.get_by_test_id("action-inspect").click()
    expect(insp.get_by_test_id("inspections")).to_contain_text("消毒设施齐全")
    insp.get_by_test_id("action-approve").click()
    expect(insp.get_by_test_id("farm-status").locator(".farm-status")).to_have_attribute(
        "data-status", "registered"
    )
    number = insp.get_by_test_id("registration-number").inner_text().strip()
    assert re.fullmatch(rf"GK44P-{timezone.localdate().year}-\d{{4}}", number), number
    shot(insp, "2-approved-zh")

    # 3. The bureau map and the registry show it, under its number.
    data = insp.request.get(reverse("portal_ciq:farm_map_data")).json()
    assert [farm.pk, number] in [[row[0], row[5]] for row in data["farms"]]
    popup = open_map(insp, number)
    expect(popup).to_contain_text(NAME_ZH)
    shot(insp, "3-map-zh")
    insp.goto(reverse("portal_ciq:farm_list"))
    expect(insp.get_by_test_id("farm-table")).to_contain_text(number)
    shot(insp, "3-registry-zh")

    insp_en = open_page("insp_huizhou", "en-US")
    insp_en.goto(reverse("portal_ciq:farm_list"))
    expect(insp_en.get_by_test_id("farm-table")).to_contain_text(NAME_EN)
    shot(insp_en, "3-registry-en")
    expect(open_map(insp_en, number)).to_contain_text(NAME_EN)
    shot(insp_en, "3-map-en")
    assert errors == [], errors

    # 4. The Hunan inspector: not in the queue, not in the registry, and the farm's page is a 404.
    other = open_page("insp_hunan")
    other.goto(reverse("portal_ciq:farm_queue"))
    expect(other.get_by_test_id("queue")).not_to_contain_text(NAME_ZH)
    other.goto(f"{reverse('portal_ciq:farm_list')}?q={number}")
    expect(other.locator("body")).not_to_contain_text(NAME_ZH)
    shot(other, "4-registry-hunan")
    response = other.goto(detail_url)
    assert response.status == 404
    expect(other.locator("body")).not_to_contain_text(NAME_ZH)
    shot(other, "4-detail-404")
