"""Names with markup in them are shown as text in our JavaScript, never run.

Before, the layout table of the farm form built its rows with innerHTML, so a pen named
``'><img src=x onerror=alert(1)>`` ran script on the farm edit page of everyone who opened it;
the maps' tooltips and popups did the same with farm and pen names. Here such names are typed
into the form and stored by the service, then every page that shows them is opened: the text
appears as typed, no element is made of it and no dialog fires.
"""

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TYPED = '"><img src=x onerror=alert(1)>'
STORED = "'><img src=x onerror=alert(2)>"
FARM = "华丰<img src=x onerror=alert(3)>场"


def layout_with(name: str) -> dict:
    from tests.farms.factories import PEN

    pen = json.loads(json.dumps(PEN))
    pen["features"][0]["properties"]["name"] = name
    return pen


def watch(page) -> list[str]:
    """Collect every dialog a page opens (and close it); the list must stay empty."""
    fired: list[str] = []

    def dismiss(dialog):
        fired.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return fired


def hover_shape(page, shape):
    """Move the mouse into a drawn shape (the test pen is a triangle: its box's centre is on an edge)."""
    shape.scroll_into_view_if_needed()
    box = shape.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.85, box["y"] + box["height"] * 0.8)


def no_injected_image(page):
    assert page.locator("img[src='x']").count() == 0


def test_a_pen_name_with_markup_stays_text(new_context, login, demo_world, shot):
    from farms.models import Farm
    from farms.services import farm_submit
    from tests.farms.factories import draft_farm

    farm = draft_farm(demo_world, name_zh=FARM, layout=layout_with(STORED))
    page = new_context("zh-CN").new_page()
    fired = watch(page)
    login(page, "ent_a_staff")

    # The edit page lists the stored name in its input, as text.
    page.goto(f"/enterprise/farms/{farm.pk}/edit/")
    expect(page.locator("#farm-layout")).to_have_attribute("data-ready", "1")
    names = page.get_by_test_id("layout-list").locator("[data-layout-name]")
    expect(names).to_have_count(1)
    expect(names.first).to_have_value(STORED)
    no_injected_image(page)

    # A name typed into the form: the list is built again from it, still as text.
    names.first.fill(TYPED)
    names.first.press("Tab")
    expect(names.first).to_have_value(TYPED)
    assert json.loads(page.input_value("#id_layout"))["features"][0]["properties"]["name"] == TYPED
    no_injected_image(page)
    shot(page, "edit")

    page.get_by_test_id("save-draft").click()
    expect(page).to_have_url(re.compile(rf"/enterprise/farms/{farm.pk}/$"))
    farm.refresh_from_db()
    assert farm.layout["features"][0]["properties"]["name"] == TYPED and farm.name_zh == FARM

    # The farm's own page: its map's tooltip says the name.
    expect(page.locator("#farm-detail-map")).to_have_attribute("data-ready", "1")
    hover_shape(page, page.locator("#farm-detail-map path.leaflet-interactive").first)
    expect(page.locator("#farm-detail-map .leaflet-tooltip")).to_contain_text(TYPED)
    expect(page.locator("h1").first).to_contain_text(FARM)
    no_injected_image(page)
    shot(page, "enterprise-detail")

    # The bureau: the farm's page (its layout) and the farm map (its popup).
    farm_submit(actor=demo_world.ent_a_staff, farm=Farm.objects.get(pk=farm.pk))
    bureau = new_context("zh-CN").new_page()
    fired += watch(bureau)
    login(bureau, "insp_huizhou")
    bureau.goto(f"/bureau/farms/{farm.pk}/")
    expect(bureau.locator("#farmmap")).to_have_attribute("data-layout", "1")
    hover_shape(
        bureau, bureau.locator("#farmmap path.leaflet-interactive").last
    )  # the pen; the point is first
    expect(bureau.locator("#farmmap .leaflet-tooltip")).to_contain_text(TYPED)
    no_injected_image(bureau)
    shot(bureau, "bureau-detail")
    bureau.goto("/bureau/farms/map/")
    expect(bureau.locator("#farmsmap")).not_to_have_attribute("data-markers", "0")
    bureau.get_by_test_id("map-search").locator("input").fill("华丰<img")
    bureau.get_by_test_id("map-search").locator("button").click()
    expect(bureau.locator("#farmsmap .leaflet-popup-content")).to_contain_text(FARM)
    no_injected_image(bureau)
    shot(bureau, "bureau-map")

    assert fired == [], fired
