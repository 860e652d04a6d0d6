"""What the bureau sees of refused tag reads, in the browser, in both languages, desktop and phone.

A reader whose bridge's clock is wrong: its batches are acknowledged, the reads dated a year ahead
are refused and listed on its page; an old heartbeat from the future (stored before times were
checked) shows the reader offline, dated and marked, rather than online forever or a 500. The
head office also sees the requests the API refused without storing anything. The screenshots are
for a human to look at.
"""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from livestock import reference as livestock_reference
from livestock.models import ReaderDevice
from livestock.services import devices
from livestock.services.ingest import reads_ingest
from rfid_bridge import protocol
from tests.farms.factories import registered_farm
from tests.livestock.factories import herd

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def snap(shot, page, step):
    page.evaluate("window.scrollTo(0, 0)")
    return shot(page, step)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_refused_reads_and_a_clock_from_the_future(new_context, login, demo_world, shot, locale, live_server):
    livestock_reference.ensure()
    farm = registered_farm(demo_world)
    (animal,) = herd(demo_world.ent_a_staff, farm, [1])
    device = devices.device_register(
        actor=demo_world.insp_a, code="hf-clock-1", name="华丰一场装猪台", farm=farm
    )
    ReaderDevice.objects.filter(pk=device.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    ahead = timezone.now() + dt.timedelta(days=365)
    reads = [
        {"seq": n, "tag": animal.rfid, "at": protocol.iso_ms(when), "rep": False, "raw": "LA"}
        for n, when in enumerate([timezone.now(), ahead, ahead], start=1)
    ]
    assert reads_ingest(protocol.reads_payload(device.code, reads, device.secret)).refused_reads == 2
    ReaderDevice.objects.filter(pk=device.pk).update(
        heartbeat_at=dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
        heartbeat={"connected": True, "spool": 3},
    )

    page = new_context(locale).new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    # Anyone may post to the API: this request is refused, stored nowhere, and counted.
    forged = page.request.post(
        live_server.url + protocol.READS_PATH,
        data=json.dumps(protocol.reads_payload("nobody", reads, "a guess")),
        headers={"Content-Type": "application/json"},
    )
    assert forged.status == 403 and forged.json()["error"] == "unknown device"

    login(page, "manager")
    page.goto(reverse("portal_ciq:reader_list"))
    row = page.locator(f"tr[data-reader='{device.pk}']")
    expect(row.get_by_test_id("reader-state")).to_have_attribute("data-state", "offline")
    expect(row.get_by_test_id("clock-ahead")).to_contain_text("9999-12-31 23:59:00 UTC")
    counts = page.get_by_test_id("bridge-refusals")
    expect(counts.locator("tr[data-reason=unknown_device] [data-count=today]")).not_to_have_text("0")
    snap(shot, page, "list")

    page.goto(reverse("portal_ciq:reader_detail", args=[device.pk]))
    refused = page.get_by_test_id("reader-refused")
    expect(refused.locator("[data-kind=reads]")).to_contain_text("2 of 3 reads refused")
    expect(page.get_by_test_id("reads").locator("tr[data-read]")).to_have_count(1)
    snap(shot, page, "detail")
    page.set_viewport_size(PHONE)
    snap(shot, page, "detail-phone")
    page.goto(reverse("portal_ciq:animal_detail", args=[animal.pk]))
    expect(page.locator("h1").first).to_be_visible()
    assert errors == [], errors
