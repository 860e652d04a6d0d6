"""The HTTP ingestion API, as a bridge in the embedded mode uses it, and as anyone else might.

A request that is not a payload signed by a registered reader stores nothing (it is counted per
reason and held against its address); a signed one refused all the same is kept, bounded.
"""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from livestock import tasks
from livestock.models import ReaderDevice, RejectedPayload, TagRead
from livestock.services import devices, refusals
from rfid_bridge import protocol
from tests.farms.factories import registered_farm

pytestmark = pytest.mark.django_db

STATE = {
    "connected": True,
    "port": "/dev/ttyUSB0",
    "spool": 0,
    "last_read_at": None,
    "raw_reads": 0,
    "sightings": 0,
    "non_tags": 0,
    "alarm": None,
    "version": "1",
}


@pytest.fixture
def device(world):
    device = devices.device_register(actor=world.insp_a, code="hf-1", name="x", farm=registered_farm(world))
    # Registered a while ago, so that reads of the last hour are within its time window.
    ReaderDevice.objects.filter(pk=device.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    device.refresh_from_db()
    return device


@pytest.fixture
def address():
    """An address of its own for each test: the lock-out counts live in the shared cache."""
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def post(client, path, body, address="127.0.0.1"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(path, data, content_type="application/json", REMOTE_ADDR=address)


def read(seq, at=None, tag="156000000000001", raw="x"):
    return {"seq": seq, "tag": tag, "at": protocol.iso_ms(at or timezone.now()), "rep": False, "raw": raw}


def counts() -> dict[str, int]:
    return {row["reason"]: row["today"] for row in refusals.refusal_counts()}


def test_signed_reads_are_ingested_once(client, device):
    body = protocol.reads_payload(device.code, [read(1)], device.secret)
    first = post(client, protocol.READS_PATH, body)
    assert first.status_code == 200 and first.json()["stored"] == 1
    assert post(client, protocol.READS_PATH, body).json()["duplicates"] == 1
    assert TagRead.objects.count() == 1


DEEP = "[" * 50 + "]" * 50


@pytest.mark.parametrize(
    ("name", "body", "status", "reason"),
    [
        ("not JSON", b"not json", 400, "malformed"),
        ("not UTF-8", b'{"v": "\xff"}', 400, "malformed"),
        ("NaN", '{"v": NaN, "device": "hf-1"}', 400, "malformed"),
        ("Infinity", '{"v": 1, "reads": [{"seq": Infinity}]}', 400, "malformed"),
        ("a huge number", '{"v": 1e999}', 400, "malformed"),
        ("nested too deep", '{"v": ' + DEEP + "}", 400, "malformed"),
        ("nested without end", "[" * 100_000, 400, "malformed"),
        ("NUL", '{"device": "hf-1", "x": "\\u0000"}', 400, "malformed"),
        ("not an object", "[1, 2]", 400, "malformed"),
        ("no device", '{"v": 1}', 400, "malformed"),
        (
            "unsigned",
            {"v": 1, "device": "hf-1", "sent_at": "2026-01-01T00:00:00Z", "reads": []},
            403,
            "unsigned",
        ),
        ("unknown device", "unknown", 403, "unknown_device"),
        ("bad signature", "forged", 403, "bad_signature"),
    ],
)
def test_an_unauthenticated_request_stores_nothing_and_is_counted(
    client, device, address, name, body, status, reason
):
    if body == "unknown":
        body = protocol.reads_payload("nobody", [read(1)], "a guess")
    elif body == "forged":
        body = protocol.reads_payload(device.code, [read(1)], "a guess")
    before = counts()
    for path in (protocol.READS_PATH, protocol.HEARTBEAT_PATH):
        response = post(client, path, body, address)
        assert response.status_code == status, name
        assert response["Content-Type"] == "application/json" and response.json()["error"]
    assert counts()[reason] == before[reason] + 2
    assert not TagRead.objects.exists() and not RejectedPayload.objects.exists()
    device.refresh_from_db()
    assert device.heartbeat_at is None


def test_too_large_a_body_is_refused_as_json(client, device, address):
    response = post(client, protocol.READS_PATH, b" " * (5 * 1024 * 1024 + 1), address)
    assert response.status_code == 413 and response.json()["error"] == "payload too large"


def test_an_address_that_keeps_failing_is_held_off(client, device, address, settings):
    settings.LIVESTOCK_API_FAILURE_LIMIT = 3
    good = protocol.reads_payload(device.code, [read(1)], device.secret)
    for _ in range(3):
        assert post(client, protocol.READS_PATH, b"junk", address).status_code == 400
    before = counts()["rate_limited"]
    held = post(client, protocol.READS_PATH, good, address)
    assert held.status_code == 429 and held.json()["error"] and int(held["Retry-After"]) > 0
    assert counts()["rate_limited"] == before + 1
    assert not TagRead.objects.exists()  # not even looked at
    # Another address is not concerned.
    assert post(client, protocol.READS_PATH, good, address + "9").status_code == 200


def test_a_misconfigured_bridge_does_not_hold_off_its_neighbours(client, world, device, address, settings):
    settings.LIVESTOCK_API_FAILURE_LIMIT = 2
    neighbour = devices.device_register(actor=world.insp_a, code="hf-2", name="y", farm=device.farm)
    wrong_secret = protocol.reads_payload(device.code, [read(1)], "an old secret")
    for _ in range(2):
        assert post(client, protocol.READS_PATH, wrong_secret, address).status_code == 403
    assert post(client, protocol.READS_PATH, wrong_secret, address).status_code == 429
    good = protocol.reads_payload(neighbour.code, [read(1)], neighbour.secret)
    assert post(client, protocol.READS_PATH, good, address).status_code == 200


def test_get_is_not_allowed(client):
    assert client.get(protocol.READS_PATH).status_code == 405


def test_a_signed_but_refused_payload_is_kept(client, device, address):
    bad = protocol.reads_payload(device.code, [{**read(1), "tag": "12AB"}], device.secret)
    response = post(client, protocol.READS_PATH, bad, address)
    assert response.status_code == 400 and "tag must be 15 digits" in response.json()["error"]
    kept = RejectedPayload.objects.get()
    assert (
        kept.device_code == "hf-1"
        and kept.kind == "invalid"
        and json.loads(kept.body)["reads"][0]["tag"] == "12AB"
    )
    assert kept.size == len(kept.body) and not kept.truncated
    devices.device_revoke(actor=device.created_by, device=device, reason="stolen")
    revoked = post(
        client, protocol.READS_PATH, protocol.reads_payload(device.code, [read(2)], device.secret), address
    )
    assert revoked.status_code == 403 and revoked.json()["error"] == "device revoked"
    assert RejectedPayload.objects.filter(kind="revoked").count() == 1 and not TagRead.objects.exists()


def test_what_is_kept_is_cut_capped_and_purged(client, device, address, settings):
    settings.LIVESTOCK_REJECTED_MAX_BYTES = 300
    settings.LIVESTOCK_REJECTED_PER_DEVICE = 3
    devices.device_revoke(actor=device.created_by, device=device, reason="stolen")
    for seq in range(1, 6):
        reads = [read(seq * 100 + n) for n in range(10)]
        assert (
            post(
                client,
                protocol.READS_PATH,
                protocol.reads_payload(device.code, reads, device.secret),
                address,
            ).status_code
            == 403
        )
    kept = list(RejectedPayload.objects.order_by("pk"))
    assert len(kept) == 3  # the newest three
    assert '"seq":300' in kept[0].body and '"seq":500' in kept[-1].body
    assert all(len(k.body) == 300 and k.size > 300 and k.truncated for k in kept)
    # The beat task purges what is past the retention period.
    settings.LIVESTOCK_REJECTED_RETENTION_DAYS = 30
    RejectedPayload.objects.filter(pk=kept[0].pk).update(received_at=timezone.now() - dt.timedelta(days=31))
    assert tasks.rejected_payloads_purge() == 1
    assert RejectedPayload.objects.count() == 2


def test_a_heartbeat(client, device):
    body = protocol.heartbeat_payload(device.code, {**STATE, "alarm": "port missing"}, device.secret)
    assert post(client, protocol.HEARTBEAT_PATH, body).status_code == 202
    device.refresh_from_db()
    assert device.heartbeat["alarm"] == "port missing" and device.heartbeat_at
