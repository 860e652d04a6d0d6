"""The inspector's view of a farm's herd in the browser: counts, withdrawals, deaths, the chart, alerts.

The Huizhou inspector opens a farm's herd from the navigation, sees the coverage table, the open
withdrawals and the deaths, checks that the mortality chart was drawn (by the vendored Chart.js,
offline), and follows the banned-substance attempt the farm raised to its alert in the alerts
centre, where it closes it with a note. The screenshots are for a
human to look at.
"""

import re

import pytest
from playwright.sync_api import expect

from livestock import reference as livestock_reference
from tests.portals.test_bureau_livestock import BANNED_PRODUCT, DRUG, PEN_1, build_herd

pytestmark = pytest.mark.browser

# Pixels of the chart's canvas that are not transparent: a drawn chart has thousands.
PAINTED = """canvas => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) n++; }
  return n;
}"""


def snap(shot, page, step):
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky top bar lands mid-page in a full-page shot
    return shot(page, step)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_inspector_reads_a_farms_herd_and_handles_its_alert(new_context, login, demo_world, shot, locale):
    livestock_reference.ensure()  # the live-server tests empty the database: banned list, programme
    herd = build_herd(demo_world)
    page = new_context(locale).new_page()
    failed = []
    # A request the browser cancels because the page moved on (ERR_ABORTED) is not a missing file.
    page.on(
        "requestfailed",
        lambda request: "ERR_ABORTED" in (request.failure or "") or failed.append(request.url),
    )
    login(page, "insp_huizhou")

    badge = page.get_by_test_id("alert-badge")
    expect(badge).to_have_text("1")
    page.locator("[data-nav=herds]").click()
    expect(page).to_have_url(re.compile(r"/bureau/herds/$"))
    row = page.locator(f"tr[data-farm='{herd.farm.pk}']")
    expect(row).to_contain_text("18")
    snap(shot, page, "herd-list")
    row.get_by_test_id("herd-link").click()
    expect(page).to_have_url(re.compile(rf"/bureau/herds/{herd.farm.pk}/$"))

    expect(page.locator("[data-count=on_farm]")).to_have_text("18")
    expect(page.locator("[data-count=withdrawing]")).to_have_text("3")
    coverage = page.get_by_test_id("coverage")
    expect(coverage.locator(f"tr[data-pen='{PEN_1}'] [data-percent='100']")).to_be_visible()
    withdrawals = page.get_by_test_id("withdrawals")
    expect(withdrawals.locator("tbody tr")).to_have_count(3)
    expect(withdrawals).to_contain_text(DRUG)
    deaths = page.get_by_test_id("deaths")
    expect(deaths).to_contain_text("腹泻")
    expect(deaths).to_contain_text(herd.pen_2[-1].national_code)

    canvas = page.get_by_test_id("mortality-chart")
    expect(canvas).to_have_attribute("data-drawn", "12")
    chart = page.evaluate(
        """() => {
          const chart = Chart.getChart(document.getElementById("mortality-chart"));
          return chart && {type: chart.config.type, sets: chart.data.datasets.map(d => d.data)};
        }"""
    )
    assert chart is not None, "no Chart.js instance on the canvas"
    assert chart["sets"][0][-1] == 2 and chart["sets"][1][-1] == 10  # deaths, rate % this month
    assert canvas.evaluate(PAINTED) > 2000, "the chart's canvas is blank"
    snap(shot, page, "herd-farm")

    alerts = page.get_by_test_id("farm-alerts")
    item = alerts.locator(f"[data-alert='{herd.alert.alert_id}']")
    expect(item).to_contain_text(BANNED_PRODUCT)
    expect(item.get_by_test_id("alert-state")).to_have_class(re.compile("text-bg-danger"))
    # The attempt's alert is answered in the alerts centre.
    item.get_by_test_id("alert-state").click()
    expect(page).to_have_url(re.compile(rf"/bureau/alerts/{herd.alert.alert_id}/$"))
    expect(page.get_by_test_id("evidence-list")).to_contain_text(BANNED_PRODUCT)
    # An empty note is refused, and the alert stays open.
    with page.expect_navigation():
        page.get_by_test_id("close").click()
    expect(page.locator(".alert-danger")).to_be_visible()
    expect(page.get_by_test_id("alert-state")).to_have_class(re.compile("state-badge-new"))
    expect(badge).to_have_text("1")

    page.locator("textarea[name=note]").fill("已到场核查，采样送检，立案调查")
    with page.expect_navigation():
        page.get_by_test_id("close").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.get_by_test_id("alert-state")).to_have_class(re.compile("state-badge-closed"))
    expect(page.get_by_test_id("trail")).to_contain_text("已到场核查")
    expect(badge).to_have_count(0)
    snap(shot, page, "alert-handled")

    page.goto(f"/bureau/herds/{herd.farm.pk}/")
    item = page.get_by_test_id("farm-alerts").locator(f"[data-alert='{herd.alert.alert_id}']")
    expect(item.get_by_test_id("alert-state")).to_have_class(re.compile("text-bg-success"))
    expect(item).to_contain_text("已到场核查")
    expect(page.locator("[data-count=alerts]")).to_have_text("0")

    page.locator("[data-nav=alert_centre]").click()
    page.goto("/bureau/alerts/?state=closed")
    expect(page.locator(f"#alert-{herd.alert.alert_id}")).to_contain_text("已到场核查")
    snap(shot, page, "alert-list")
    assert failed == [], failed
