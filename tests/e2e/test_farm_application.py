"""An enterprise clerk applies for a farm in the browser: map point, a drawn pen, save, submit."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


def rules():
    from farms.models import SurroundingRule

    for kind, metres in {"residential": 500, "road": 200, "other_farm": 1000, "slaughterhouse": 3000}.items():
        SurroundingRule.objects.update_or_create(kind=kind, defaults={"min_distance_m": metres})


def declare_remaining_surroundings(page, metres="5000"):
    """Give a distance to every surroundings row left empty: the bureau wants each kind declared."""
    rows = page.get_by_test_id("surroundings").locator("tbody tr")
    for i in range(rows.count()):
        distance = rows.nth(i).locator("input[name$='distance_m']")
        if not distance.input_value():
            distance.fill(metres)


def click_map(page, selector, fx, fy):
    """Click a map at a fraction (fx, fy) of its width and height, as a mouse would."""
    page.locator(selector).scroll_into_view_if_needed()
    box = page.locator(selector).bounding_box()
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


def draw_polygon(page, selector, points):
    """Draw a polygon with Leaflet.draw's tool by mouse clicks, and close it on its first vertex.

    Leaflet.draw ignores a mouse-down within 50 ms of the previous click (its double-click guard),
    so each vertex waits for the one before to be on the map and then a little longer; a click on
    the first vertex closes the polygon.
    """
    page.locator(f"{selector} .leaflet-draw-draw-polygon").click()
    vertices = page.locator(f"{selector} .leaflet-editing-icon")
    for i, (fx, fy) in enumerate(points, start=1):
        click_map(page, selector, fx, fy)
        expect(vertices).to_have_count(i)
        page.wait_for_timeout(150)
    click_map(page, selector, *points[0])


def top_shot(shot, page, step):
    """Screenshot the whole page from its top (a sticky header would otherwise land mid-page)."""
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    return shot(page, step)


def test_clerk_applies_for_a_farm(new_context, login, demo_world, shot):
    from farms.models import Farm
    from tests.farms.factories import registered_farm

    rules()
    registered_farm(demo_world)  # the enterprise's registered farm, for the list
    page = new_context("zh-CN").new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, "ent_a_staff")
    page.goto("/enterprise/farms/")
    page.get_by_test_id("farm-create").click()
    expect(page).to_have_url(re.compile(r"/enterprise/farms/new/$"))

    # Basic data; the supervising branch defaults to the enterprise's own.
    page.fill("#id_name_zh", "华丰三场")
    page.fill("#id_name_en", "Huafeng Farm No. 3")
    page.select_option("#id_species", "1")
    page.fill("#id_capacity", "3000")
    page.fill("#id_area_m2", "42000")
    expect(page.locator("#id_branch")).to_have_value(str(demo_world.branch_a.pk))

    # The county, found by name; the map shows it, and a click inside sets the point.
    page.get_by_test_id("county-search").fill("博罗")
    page.locator("[data-county='441322']").click()
    expect(page.locator("#id_province")).to_have_value("440000")
    expect(page.locator("#id_county_code")).to_have_value("441322")
    page.fill("#id_address", "惠州市博罗县石湾镇华丰三场")
    expect(page.locator("#farm-location")).to_have_attribute("data-ready", "1")
    page.wait_for_timeout(800)  # the county outline is fetched, then the map fits it
    click_map(page, "#farm-location", 0.5, 0.5)
    expect(page.locator("#id_latitude")).not_to_have_value("")
    lat, lng = float(page.input_value("#id_latitude")), float(page.input_value("#id_longitude"))
    assert 22.8 < lat < 23.9 and 113.9 < lng < 114.7, (lat, lng)

    # One pen, drawn with Leaflet.draw's polygon tool by mouse clicks, then named a pen.
    layout = "#farm-layout"
    draw_polygon(page, layout, [(0.35, 0.35), (0.65, 0.35), (0.65, 0.65), (0.35, 0.65)])
    expect(page.locator(".layout-kind-chooser")).to_be_visible()
    page.locator("#section-layout").screenshot(
        path=str(SCREENSHOTS / "test_clerk_applies_for_a_farm-drawn.png")
    )
    page.locator(".layout-kind-chooser [data-kind='pen']").click()
    expect(page.get_by_test_id("pen-count")).to_have_text("1")
    expect(page.get_by_test_id("layout-list").locator("tbody tr")).to_have_count(1)
    page.get_by_test_id("layout-list").locator("[data-layout-name]").fill("1号猪舍")
    page.get_by_test_id("layout-list").locator("[data-layout-name]").press("Tab")

    # Surroundings: a row too close is named at once; corrected, the warning goes.
    rows = page.get_by_test_id("surroundings").locator("tbody tr")
    first = rows.filter(has=page.locator("option[value='residential']:checked")).first
    first.locator("input[name$='distance_m']").fill("300")
    expect(page.get_by_test_id("shortfalls")).to_be_visible()
    first.locator("input[name$='distance_m']").fill("2500")
    first.locator("input[name$='description']").fill("石湾镇居民区")
    expect(page.get_by_test_id("shortfalls")).to_be_hidden()
    declare_remaining_surroundings(page)

    page.fill("#id_disease_history", "近三年无重大动物疫情")
    page.fill("#id_immunisation_programme", "猪瘟：21日龄首免，60日龄二免；口蹄疫：每4个月一次")
    page.fill("#id_vet_name", "李兽医")
    page.fill("#id_vet_licence", "GD-VET-2019-0007")
    page.fill("#id_vet_phone", "13900000007")
    top_shot(shot, page, "form-zh")

    page.get_by_test_id("save-draft").click()
    expect(page).to_have_url(re.compile(r"/enterprise/farms/\d+/$"))
    expect(page.locator("[data-testid=farm-status] [data-status]")).to_have_attribute("data-status", "draft")
    farm = Farm.objects.get(name_zh="华丰三场")
    assert farm.county_code == "441322" and farm.branch_id == demo_world.branch_a.pk
    pens = [f for f in farm.layout["features"] if f["properties"]["kind"] == "pen"]
    assert len(pens) == 1 and pens[0]["properties"]["name"] == "1号猪舍"
    declared = dict(farm.surroundings.values_list("kind", "distance_m"))
    assert declared == {"residential": 2500, "road": 5000, "other_farm": 5000, "slaughterhouse": 5000}

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("farm-submit").click()
    expect(page.locator("[data-testid=farm-status] [data-status]")).to_have_attribute(
        "data-status", "submitted"
    )
    expect(page.get_by_test_id("timeline").locator("li")).to_have_count(2)
    expect(page.locator("#farm-detail-map")).to_have_attribute("data-ready", "1")
    expect(page.locator("#farm-detail-map path.leaflet-interactive")).to_have_count(1)  # the pen
    top_shot(shot, page, "detail-zh")

    page.goto("/enterprise/farms/")
    expect(page.get_by_test_id("farms")).to_contain_text("华丰三场")
    expect(page.get_by_test_id("farms")).to_contain_text("GK44P-")
    shot(page, "list-zh")
    assert errors == []


def test_the_form_in_english_with_an_error(new_context, login, demo_world, shot):
    rules()
    page = new_context("en-GB").new_page()
    login(page, "ent_a_staff")
    page.goto("/enterprise/farms/new/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.fill("#id_name_zh", "华丰四场")
    page.fill("#id_capacity", "2000")
    page.select_option("#id_province", "440000")
    expect(page.locator("#id_county_code option[value='441322']")).to_have_count(1)
    page.select_option("#id_county_code", "441322")
    page.fill("#id_address", "Shiwan, Boluo")
    page.fill("#id_latitude", "28.2")  # in Hunan, not in Boluo
    page.fill("#id_longitude", "113.1")
    page.fill("#id_vet_name", "Li")
    page.fill("#id_vet_licence", "GD-1")
    page.fill("#id_immunisation_programme", "CSF, FMD")
    page.get_by_test_id("save-draft").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.locator("[data-error-for=latitude]")).to_contain_text("is not in")
    top_shot(shot, page, "form-en-error")

    # Corrected, it saves; the farm's page speaks English too.
    page.fill("#id_latitude", "23.172771")
    page.fill("#id_longitude", "114.289528")
    page.get_by_test_id("save-draft").click()
    expect(page).to_have_url(re.compile(r"/enterprise/farms/\d+/$"))
    expect(page.locator("[data-testid=farm-status] [data-status]")).to_have_attribute("data-status", "draft")
    expect(page.get_by_test_id("farm-submit")).to_be_visible()
    expect(page.get_by_test_id("attachment-form")).to_be_visible()
    expect(page.locator("#farm-detail-map")).to_have_attribute("data-ready", "1")
    top_shot(shot, page, "detail-en")
    page.goto("/enterprise/farms/")
    top_shot(shot, page, "list-en")
