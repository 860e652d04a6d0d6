"""What the bridge API refused, as the bureau sees it: the counts of requests that stored nothing
(head office only) and each reader's refused payloads kept as evidence."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from livestock.models import ReaderDevice
from livestock.services import devices
from livestock.services.ingest import reads_ingest
from rfid_bridge import protocol
from tests.farms.factories import registered_farm

pytestmark = pytest.mark.django_db


@pytest.fixture
def device(world):
    device = devices.device_register(
        actor=world.insp_a, code="hf-ref-1", name="装猪台", farm=registered_farm(world)
    )
    ReaderDevice.objects.filter(pk=device.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    device.refresh_from_db()
    return device


def today(html: str, reason: str) -> int:
    found = re.search(rf'<tr data-reason="{reason}">.*?data-count="today">(\d+)<', html, re.S)
    return int(found.group(1))


def test_the_head_office_sees_what_was_refused_without_storing(client, world, device):
    client.force_login(world.manager)
    before = today(client.get(reverse("portal_ciq:reader_list")).content.decode(), "unknown_device")
    forged = protocol.reads_payload("nobody", [], "x")
    assert client.post(protocol.READS_PATH, forged, content_type="application/json").status_code == 403
    client.cookies["django_language"] = "en"
    page = client.get(reverse("portal_ciq:reader_list")).content.decode()
    assert today(page, "unknown_device") == before + 1
    assert "Requests to the bridge API refused without storing anything" in page
    # Not in the 5-second refresh of the table, and not for an inspector (all sites together).
    assert (
        'data-testid="bridge-refusals"'
        not in client.get(reverse("portal_ciq:reader_list"), headers={"HX-Request": "true"}).content.decode()
    )
    client.force_login(world.insp_a)
    assert (
        'data-testid="bridge-refusals"' not in client.get(reverse("portal_ciq:reader_list")).content.decode()
    )


def test_a_readers_page_shows_what_was_refused_from_it(client, world, device):
    wrong_clock = timezone.now() + dt.timedelta(days=365)
    reads = [
        {"seq": 1, "tag": "156000000000001", "at": protocol.iso_ms(wrong_clock), "rep": False, "raw": ""}
    ]
    assert reads_ingest(protocol.reads_payload(device.code, reads, device.secret)).refused_reads == 1
    client.force_login(world.insp_a)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("portal_ciq:reader_detail", args=[device.pk])).content.decode()
    assert 'data-testid="reader-refused"' in page and 'data-kind="reads"' in page
    assert "1 of 1 reads refused" in page and "clock of the bridge’s computer is wrong" in page
