"""Outbreaks and the alerts centre in the browser.

A manager reports African swine fever near two farms of enterprise A; both are flagged at once
on the zone map and in the registry; the Huizhou inspector acknowledges one alert and closes it
with a note, in place; enterprise A sees the restriction on its farm's page; the Hunan inspector
sees neither the alerts nor what was done about them. Then a banned substance typed on the
enterprise's records page shows up in the alerts centre. A last test takes the screenshots of
the zone map and the alerts centre, over the demo registry, in both languages.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from farms.regions import KM_PER_DEGREE
from tests.farms.factories import BOLUO, registered_farm

pytestmark = pytest.mark.browser


def north(km: float) -> Decimal:
    return Decimal(f"{float(BOLUO['latitude']) + km / KM_PER_DEGREE:.6f}")


def snap(shot, page, step):
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky top bar lands mid-page in a full-page shot
    return shot(page, step)


def outlines_drawn(page):
    expect(page.locator(".leaflet-outlines-pane path").first).to_be_attached()


@pytest.fixture
def references(demo_world):
    from livestock import reference as livestock_reference
    from surveillance import reference

    reference.ensure()
    livestock_reference.ensure()  # the live-server tests empty the database: the banned list
    return demo_world


def test_an_outbreak_stops_two_farms_and_their_inspector_answers(new_context, login, references, shot):
    world = references
    near = registered_farm(world, name_zh="华丰一场", latitude=north(1.0))
    middle = registered_farm(world, name_zh="华丰二场", latitude=north(6.0))
    far = registered_farm(world, name_zh="华丰三场", latitude=north(16.0))

    # The manager reports the outbreak at a point 0.5 km north of the first farm.
    manager = new_context().new_page()
    failed, errors = [], []
    # A request the browser cancels because the page moved on (ERR_ABORTED) is not a missing file.
    manager.on(
        "requestfailed",
        lambda request: "ERR_ABORTED" in (request.failure or "") or failed.append(request.url),
    )
    manager.on("pageerror", lambda error: errors.append(str(error)))
    login(manager, "manager")
    manager.goto("/bureau/surveillance/reports/new/")
    expect(manager.get_by_test_id("picker-map")).to_have_attribute("data-point", "")
    manager.fill("[name=latitude]", str(north(0.5)))
    manager.fill("[name=longitude]", str(BOLUO["longitude"]))
    manager.locator("[name=longitude]").dispatch_event("change")
    expect(manager.get_by_test_id("picker-map")).to_have_attribute("data-point", re.compile(r"^23\.17"))
    manager.fill("[name=place]", "博罗县石湾镇散养户")
    manager.fill("[name=source_reference]", "农业农村部疫情通报〔2026〕第9号")
    snap(shot, manager, "report-form")
    with manager.expect_navigation():
        manager.get_by_test_id("submit-report").click()
    expect(manager).to_have_url(re.compile(r"/bureau/surveillance/reports/\d+/$"))
    expect(manager.locator(".alert-success")).to_contain_text("2")
    farms = manager.get_by_test_id("report-farms")
    expect(farms.locator(f"tr[data-farm='{near.pk}']")).to_contain_text("疫区")
    expect(farms.locator(f"tr[data-farm='{middle.pk}']")).to_contain_text("受威胁区")
    expect(farms.locator(f"tr[data-farm='{far.pk}']")).to_have_count(0)
    assert errors == []
    expect(manager.get_by_test_id("report-map")).to_have_attribute("data-zones", "2")

    # At once on the zone map and in the registry.
    manager.goto("/bureau/surveillance/zones/")
    expect(manager.get_by_test_id("zone-map")).to_have_attribute("data-flagged", "2")
    side = manager.get_by_test_id("flagged-farms")
    expect(side.locator(f"[data-farm='{near.pk}']")).to_be_visible()
    expect(side.locator(f"[data-farm='{middle.pk}']")).to_be_visible()
    expect(side.get_by_test_id("flagged-count")).to_have_text("2")
    outlines_drawn(manager)
    snap(shot, manager, "zone-map")
    manager.goto("/bureau/farms/")
    table = manager.get_by_test_id("farm-table")
    for farm in (near, middle):
        expect(table.locator(f"tr[data-farm='{farm.pk}']").get_by_test_id("restricted-badge")).to_be_visible()
    expect(table.locator(f"tr[data-farm='{far.pk}']").get_by_test_id("restricted-badge")).to_have_count(0)

    # The Huizhou inspector sees both alerts, acknowledges one and closes it with a note, in place.
    from surveillance.models import Alert

    alert = Alert.objects.get(farm=near)
    inspector = new_context().new_page()
    login(inspector, "insp_huizhou")
    expect(inspector.get_by_test_id("alert-badge")).to_have_text("2")
    inspector.locator("[data-nav=alert_centre]").click()
    expect(inspector).to_have_url(re.compile(r"/bureau/alerts/$"))
    row = inspector.locator(f"#alert-{alert.pk}")
    expect(row).to_contain_text("华丰一场")
    expect(inspector.get_by_test_id("alerts").get_by_test_id("alert-row")).to_have_count(2)
    snap(shot, inspector, "alerts-centre-inspector")
    row.get_by_test_id("acknowledge").click()
    row = inspector.locator(f"#alert-{alert.pk}")
    expect(row).to_have_attribute("data-state", "acknowledged")
    expect(row.get_by_test_id("done")).to_be_visible()
    row.get_by_test_id("close-toggle").click()
    row.get_by_test_id("close").click()  # no note: refused, nothing changed
    row = inspector.locator(f"#alert-{alert.pk}")
    expect(row.get_by_test_id("error")).to_contain_text("关闭预警前请填写处理情况")
    expect(row).to_have_attribute("data-state", "acknowledged")
    row.locator("textarea[name=note]").fill("已通知企业停止调运，现场核查存栏正常，已采样送检。")
    row.get_by_test_id("close").click()
    row = inspector.locator(f"#alert-{alert.pk}")
    expect(row).to_have_attribute("data-state", "closed")
    expect(row.get_by_test_id("closed")).to_contain_text("已采样送检")
    inspector.reload()
    expect(inspector.get_by_test_id("alert-badge")).to_have_text("1")
    inspector.goto(f"/bureau/alerts/{alert.pk}/")
    expect(inspector.get_by_test_id("trail").locator("[data-action]")).to_have_count(2)

    # The enterprise sees the restriction on its farm's page.
    enterprise = new_context().new_page()
    login(enterprise, "ent_a_admin")
    enterprise.goto(f"/enterprise/farms/{near.pk}/")
    expect(enterprise.get_by_test_id("farm-restriction")).to_contain_text("非洲猪瘟")
    enterprise.goto(f"/enterprise/farms/{far.pk}/")
    expect(enterprise.get_by_test_id("farm-restriction")).to_have_count(0)

    # The other branch's inspector sees neither the alerts nor what was done about them.
    other = new_context().new_page()
    login(other, "insp_hunan")
    expect(other.get_by_test_id("alert-badge")).to_have_count(0)
    other.goto("/bureau/alerts/?state=all")
    expect(other.get_by_test_id("no-alerts")).to_be_visible()
    response = other.goto(f"/bureau/alerts/{alert.pk}/")
    assert response.status == 404
    expect(other.locator("body")).not_to_contain_text("已采样送检")
    assert not [url for url in failed if "/static/" in url], failed


def test_a_banned_substance_typed_by_the_enterprise_is_in_the_alerts_centre(new_context, login, references):
    world = references
    farm = registered_farm(world, name_zh="华丰一场")
    clerk = new_context().new_page()
    login(clerk, "ent_a_staff")
    clerk.goto(f"/enterprise/herd/{farm.pk}/records/new/disinfection/")
    clerk.fill("[name=product]", "盐酸克仑特罗")
    clerk.fill("[name=area]", "1号猪舍")
    clerk.get_by_test_id("save").click()
    expect(clerk.get_by_test_id("error-product")).to_contain_text("违禁物质")

    inspector = new_context().new_page()
    login(inspector, "insp_huizhou")
    expect(inspector.get_by_test_id("alert-badge")).to_have_text("1")
    inspector.goto("/bureau/alerts/")
    row = inspector.get_by_test_id("alert-row")
    expect(row).to_contain_text("华丰一场")
    expect(row).to_contain_text("克仑特罗")
    row.locator(".alert-text").click()
    expect(inspector.get_by_test_id("evidence-list")).to_contain_text("盐酸克仑特罗")


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", "zh-hans"), ("en-US", "en")])
def test_screenshots_of_the_zone_map_and_the_alerts_centre(
    new_context, login, references, shot, locale, lang
):
    """Over the demo registry and its demo outbreaks, plus a few warnings of other kinds."""
    from farms import demo as farms_demo
    from farms.models import Farm
    from livestock.models import BannedSubstance, ReaderDevice
    from livestock.services.alerts import readers_silence_check, substance_attempt_record
    from livestock.services.devices import device_register
    from surveillance import demo

    farms_demo.seed()
    demo.seed()
    huizhou = list(Farm.objects.filter(branch__code="ciq-huizhou", status="registered").order_by("pk")[:3])
    clerk = world_user = references.ent_a_staff
    for farm, name in zip(huizhou[:2], ("Clenbuterol", "Ractopamine"), strict=False):
        substance_attempt_record(
            actor=clerk,
            farm=farm,
            kind="feed",
            substance=BannedSubstance.objects.get(name_en=name),
            entered="additives: 莱克多巴胺预混剂 20ppm" if name == "Ractopamine" else "product: 盐酸克仑特罗",
            count=48,
        )
    reader = device_register(
        actor=references.manager, code="wjd-gate-2", name="2号通道", site=references.port_wenjindu
    )
    ReaderDevice.objects.filter(pk=reader.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=3))
    readers_silence_check()
    assert world_user

    page = new_context(locale).new_page()
    login(page, "manager")
    page.goto("/bureau/surveillance/zones/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_test_id("zone-map")).to_have_attribute("data-zones", "2")
    outlines_drawn(page)
    page.wait_for_timeout(300)  # the county outlines of the zoomed-in view
    snap(shot, page, "zone-map")
    page.goto("/bureau/alerts/?state=all")
    expect(page.get_by_test_id("alert-row").first).to_be_visible()
    snap(shot, page, "alerts-centre")
    page.goto("/bureau/surveillance/reports/")
    expect(page.get_by_test_id("report-map")).to_have_attribute("data-zones", re.compile(r"^[1-9]"))
    outlines_drawn(page)
    snap(shot, page, "reports")
    page.goto("/bureau/")
    expect(page.locator("#orgmap")).to_have_attribute("data-zones", "2")
    snap(shot, page, "home")
    page.goto("/bureau/farms/map/")
    expect(page.locator("#farmsmap")).to_have_attribute("data-zones", "2")
    expect(page.locator("#farmsmap")).to_have_attribute("data-markers", re.compile(r"^[1-9]"))
    page.get_by_test_id("map-search").locator("input").fill("博罗县石湾镇东江第三养殖场")
    page.get_by_test_id("map-search").locator("button").click()
    page.wait_for_timeout(500)
    snap(shot, page, "farm-map")

    enterprise = new_context(locale).new_page()
    login(enterprise, "ent_a_admin")
    enterprise.goto("/enterprise/alerts/")
    expect(enterprise.get_by_test_id("restricted-farms").locator("tbody tr").first).to_be_visible()
    snap(shot, enterprise, "enterprise-alerts")
