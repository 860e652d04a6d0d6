"""The HTTP ingestion API, as a bridge in the embedded mode uses it."""

import json

import pytest
from django.utils import timezone

from livestock.models import RejectedPayload, TagRead
from livestock.services import devices
from rfid_bridge import protocol
from tests.farms.factories import registered_farm

pytestmark = pytest.mark.django_db


@pytest.fixture
def device(world):
    return devices.device_register(actor=world.insp_a, code="hf-1", name="x", farm=registered_farm(world))


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_signed_reads_are_ingested_once(client, device):
    reads = [
        {"seq": 1, "tag": "156000000000001", "at": protocol.iso_ms(timezone.now()), "rep": False, "raw": "x"}
    ]
    body = protocol.reads_payload(device.code, reads, device.secret)
    first = post(client, protocol.READS_PATH, body)
    assert first.status_code == 200 and first.json()["stored"] == 1
    assert post(client, protocol.READS_PATH, body).json()["duplicates"] == 1
    assert TagRead.objects.count() == 1


def test_unsigned_or_malformed_is_refused_and_kept(client, device):
    reads = [
        {"seq": 1, "tag": "156000000000001", "at": protocol.iso_ms(timezone.now()), "rep": False, "raw": "x"}
    ]
    forged = protocol.reads_payload(device.code, reads, "guess")
    assert post(client, protocol.READS_PATH, forged).status_code == 403
    assert client.post(protocol.READS_PATH, b"not json", content_type="application/json").status_code == 400
    assert client.get(protocol.READS_PATH).status_code == 405
    assert not TagRead.objects.exists() and RejectedPayload.objects.count() == 1


def test_heartbeat(client, device):
    state = {
        "connected": False,
        "port": "/dev/ttyUSB0",
        "spool": 5,
        "last_read_at": None,
        "raw_reads": 0,
        "sightings": 0,
        "non_tags": 0,
        "alarm": "port missing",
        "version": "1",
    }
    assert (
        post(
            client, protocol.HEARTBEAT_PATH, protocol.heartbeat_payload(device.code, state, device.secret)
        ).status_code
        == 202
    )
    device.refresh_from_db()
    assert device.heartbeat["alarm"] == "port missing" and device.heartbeat_at
