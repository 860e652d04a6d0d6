"""Supervised loading on a tablet: an inspector opens a loading on the farm's chute reader, the
reader's reads arrive (delivered as the bridge would) and the screen's counts and lists update by
themselves; a tag is typed, a seal used elsewhere is refused, the loading closes with a reason
for the missing pig. The screenshots (tablet-sized, both languages) are for a human to look at.
"""

import re

import pytest
from playwright.sync_api import expect

from livestock import reference as livestock_reference
from quarantine import reference as quarantine_reference
from tests.livestock.factories import rfid
from tests.transit.loading_factories import certified, deliver, driver, reader, vehicle
from transit.models import Loading, Trip

pytestmark = pytest.mark.browser

TABLET = {"width": 1024, "height": 1366}
UNKNOWN_TAG = "999000000000042"


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_loading_follows_the_reader_and_closes_sealed(
    browser, live_server, demo_world, shot, login, locale
):
    livestock_reference.ensure()  # the live-server tests empty the database
    quarantine_reference.ensure()
    world = demo_world
    consignment, certificate, animals = certified(world, serials=range(1, 5))
    truck = vehicle(world, plate="粤L66001", hk_plate="HK1234")
    person = driver(world)
    device = reader(consignment.farm)

    context = browser.new_context(base_url=live_server.url, locale=locale, viewport=TABLET)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, "insp_huizhou")
    page.locator("[data-nav=loading]").click()
    page.locator(f"[data-consignment='{consignment.pk}']").click()
    expect(page).to_have_url(re.compile(rf"/loading/new/{consignment.pk}/$"))
    form = page.get_by_test_id("open-form")
    form.locator("#id_vehicle").select_option(str(truck.pk))
    form.locator("#id_driver").select_option(str(person.pk))
    form.locator("#id_device").select_option(str(device.pk))
    shot(page, "open")
    page.get_by_test_id("open").click()
    loading = Loading.objects.get(consignment=consignment)
    expect(page).to_have_url(re.compile(rf"/loading/{loading.pk}/$"))
    expect(page.get_by_test_id("head-matched")).to_contain_text("0")
    page.evaluate("window.__stillTheSamePage = true")

    # The reader reads two pigs of the certificate, one twice, and a stranger: the screen follows.
    deliver(device, [rfid(1), rfid(2), rfid(2), UNKNOWN_TAG])
    expect(page.get_by_test_id("head-matched")).to_contain_text("2", timeout=8_000)
    expect(page.get_by_test_id("head-missing")).to_have_text("2")
    expect(page.get_by_test_id("unexpected")).to_contain_text(UNKNOWN_TAG)
    assert page.evaluate("window.__stillTheSamePage") is True, "the screen was reloaded"
    shot(page, "reading")

    # A third pig by typing its tag; a stranger's tag is refused, named.
    page.get_by_test_id("tag-input").fill(animals[2].national_code)
    page.get_by_test_id("tag-add").click()
    expect(page.get_by_test_id("head-matched")).to_contain_text("3")
    page.get_by_test_id("tag-input").fill("144132200009999")
    page.get_by_test_id("tag-add").click()
    expect(page.locator(".alert-danger, .alert-error").first).to_contain_text("144132200009999")

    page.get_by_test_id("seal-input").fill("SZ900001")
    page.get_by_test_id("seal-add").click()
    expect(page.get_by_test_id("seal")).to_have_text("SZ900001")
    page.get_by_test_id("seal-input").fill("SZ900001")
    page.get_by_test_id("seal-add").click()
    expect(page.locator(".alert-danger, .alert-error").first).to_contain_text("SZ900001")
    shot(page, "sealed")

    page.get_by_test_id("close-reason").fill("1头跛行留场 / one lame pig left on the farm")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("addendum")).to_be_visible()
    expect(page.get_by_test_id("loading-status")).to_have_text(re.compile("已装车施封|Loaded and sealed"))
    shot(page, "closed")
    loading.refresh_from_db()
    assert loading.status == Loading.Status.CLOSED and loading.head_loaded == 3
    assert loading.unexpected == [UNKNOWN_TAG]
    assert Trip.objects.filter(loading=loading, vehicle=truck).exists()
    assert errors == [], errors
    context.close()
