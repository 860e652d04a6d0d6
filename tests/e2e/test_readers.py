"""The live reader page in the browser: reads appear as the bridge delivers them, without reloading.

A manager opens a farm's loading-chute reader from the navigation; while the page is open, the
test delivers signed batches of reads (as the bridge's worker would) and a heartbeat, and the
rows, the counts and the status card update by themselves. An inspector registers a reader and
sees its secret and the bridge's command line once. The screenshots are for a human to look at.
"""

import re

import pytest
from playwright.sync_api import expect

from livestock import reference as livestock_reference
from livestock.services import devices
from livestock.services.ingest import heartbeat_record, reads_ingest
from rfid_bridge import protocol
from tests.farms.factories import registered_farm
from tests.livestock.factories import herd

pytestmark = pytest.mark.browser

UNKNOWN_TAG = "999000000000042"


def snap(shot, page, step):
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky top bar lands mid-page in a full-page shot
    return shot(page, step)


def read(seq, tag, rep=False):
    return {"seq": seq, "tag": tag, "at": protocol.iso_ms(), "rep": rep, "raw": f"LA {tag[:3]} {tag[3:]}"}


def deliver(device, reads):
    return reads_ingest(protocol.reads_payload(device.code, reads, device.secret))


def heartbeat(device, **state):
    state = {
        "connected": True,
        "port": "/dev/ttyUSB0",
        "spool": 0,
        "last_read_at": None,
        "raw_reads": 0,
        "sightings": 0,
        "non_tags": 0,
        "alarm": None,
        "version": "1.0.0",
        **state,
    }
    heartbeat_record(protocol.heartbeat_payload(device.code, state, device.secret))


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_reads_appear_on_the_readers_page_while_it_is_open(new_context, login, demo_world, shot, locale):
    livestock_reference.ensure()  # the live-server tests empty the database
    farm = registered_farm(demo_world)
    animals = herd(demo_world.ent_a_staff, farm, range(1, 6))
    device = devices.device_register(
        actor=demo_world.insp_a, code="hf-chute-1", name="华丰一场装猪台", farm=farm
    )
    deliver(device, [read(1, animals[0].rfid)])
    heartbeat(device)

    page = new_context(locale).new_page()
    failed, errors = [], []
    # A request the browser cancels because the page moved on (ERR_ABORTED) is not a missing file.
    page.on(
        "requestfailed",
        lambda request: "ERR_ABORTED" in (request.failure or "") or failed.append(request.url),
    )
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, "manager")
    page.locator("[data-nav=readers]").click()
    expect(page).to_have_url(re.compile(r"/bureau/readers/$"))
    row = page.locator(f"tr[data-reader='{device.pk}']")
    expect(row.get_by_test_id("reader-state")).to_have_attribute("data-state", "online")
    page.evaluate("window.__stillTheSamePage = true")
    # The table refreshes itself (every 5 s): the bridge's alarm shows up without a reload.
    heartbeat(device, connected=False, alarm="串口无响应 / no answer on /dev/ttyUSB0")
    expect(row.get_by_test_id("reader-alarm")).to_contain_text("no answer on /dev/ttyUSB0", timeout=12_000)
    expect(row).to_have_class(re.compile("reader-alarm"))
    assert page.evaluate("window.__stillTheSamePage") is True, "the list was reloaded"
    snap(shot, page, "reader-list")
    row.get_by_test_id("reader-link").click()
    expect(page).to_have_url(re.compile(rf"/bureau/readers/{device.pk}/$"))

    rows = page.get_by_test_id("reads").locator("tr[data-read]")
    expect(rows).to_have_count(1)
    page.evaluate("window.__stillTheSamePage = true")

    # The bridge delivers while the page is open: two known pigs, a re-read and a stranger.
    deliver(
        device,
        [
            read(2, animals[1].rfid),
            read(3, animals[2].rfid),
            read(4, animals[2].rfid, rep=True),
            read(5, UNKNOWN_TAG),
        ],
    )
    heartbeat(device, spool=12, alarm="天线信号弱 / weak antenna signal")  # the reader is back, weakly
    expect(rows).to_have_count(5)
    expect(rows.first).to_have_attribute("data-tag", UNKNOWN_TAG)
    expect(rows.first.get_by_test_id("unknown-tag")).to_be_visible()
    expect(rows.nth(1).get_by_test_id("re-read")).to_be_visible()
    expect(page.get_by_test_id("reads")).to_contain_text(animals[1].national_code[7:])
    counts = page.get_by_test_id("read-counts")
    expect(counts.locator("[data-count=reads]")).to_have_text("5")
    expect(counts.locator("[data-count=tags]")).to_have_text("4")
    status = page.get_by_test_id("reader-status")
    expect(status.get_by_test_id("reader-alarm")).to_contain_text("weak antenna signal")
    expect(status.get_by_test_id("reader-backlog")).to_have_attribute("data-backlog", "12")
    expect(status.get_by_test_id("reader-total")).to_have_text("5")
    assert page.evaluate("window.__stillTheSamePage") is True, "the page was reloaded"

    deliver(device, [read(6, animals[3].rfid)])
    expect(rows).to_have_count(6)
    expect(rows.first).to_have_attribute("data-tag", animals[3].rfid)
    snap(shot, page, "reader-live")
    assert failed == [], failed
    assert errors == [], errors


def test_an_inspector_registers_a_reader_and_sees_its_secret_once(new_context, login, demo_world, shot):
    livestock_reference.ensure()
    farm = registered_farm(demo_world)
    page = new_context("en-US").new_page()
    login(page, "insp_huizhou")
    page.goto("/bureau/readers/")
    page.get_by_test_id("reader-create").click()
    page.fill("#id_code", "hf-chute-1")
    page.fill("#id_name", "Loading chute")
    page.select_option("#id_farm", str(farm.pk))
    with page.expect_navigation():
        page.get_by_test_id("register").click()
    setup = page.get_by_test_id("reader-setup")
    expect(setup).to_be_visible()
    secret = page.get_by_test_id("reader-secret").input_value()
    assert len(secret) >= 40
    expect(page.get_by_test_id("reader-command")).to_contain_text(
        "python -m rfid_bridge run --port /dev/ttyUSB0 --device hf-chute-1 --server http"
    )
    expect(page.get_by_test_id("reader-env")).to_contain_text(f"RFID_BRIDGE_SECRET={secret}")
    expect(page.get_by_test_id("reader-state")).to_have_attribute("data-state", "silent")
    snap(shot, page, "reader-registered")
    page.reload()
    expect(page.get_by_test_id("reader-setup")).to_have_count(0)
    assert secret not in page.content()

    # A second reader with the same device ID: the form says so.
    page.goto("/bureau/readers/new/")
    page.fill("#id_code", "hf-chute-1")
    page.fill("#id_name", "Another")
    page.select_option("#id_farm", str(farm.pk))
    with page.expect_navigation():
        page.get_by_test_id("register").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("hf-chute-1")

    # Revoke it, with a reason (the browser asks to confirm first).
    page.goto("/bureau/readers/")
    page.locator("[data-testid=reader-link]").first.click()
    page.fill("textarea[name=reason]", "Bridge stolen")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_test_id("revoke").click()
    expect(page.locator(".alert-warning")).to_contain_text("Bridge stolen")
    expect(page.get_by_test_id("reader-state")).to_have_attribute("data-state", "revoked")
    snap(shot, page, "reader-revoked")
