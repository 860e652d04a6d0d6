"""The worker's acknowledgement: after its commit, and only then, the bridge may forget the reads.

On a throw-away redis-server of its own (the broker the task acknowledges through).
"""

import logging

import pytest
import redis
from django.utils import timezone

from livestock import tasks
from livestock.models import RejectedPayload, TagRead
from livestock.services import devices
from rfid_bridge import protocol
from tests.farms.factories import registered_farm
from tests.rfid_bridge.conftest import RedisServer, free_port, need_binary

pytestmark = pytest.mark.django_db


@pytest.fixture
def device(world):
    return devices.device_register(actor=world.insp_a, code="ack-1", name="x", farm=registered_farm(world))


@pytest.fixture
def broker(tmp_path, settings):
    need_binary("redis-server")
    server = RedisServer(free_port(), tmp_path)
    server.start()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{server.port}/0"
    tasks._ack_client.cache_clear()
    yield redis.Redis(port=server.port)
    tasks._ack_client.cache_clear()
    server.stop()


def payload(device, seqs, secret=None):
    at = protocol.iso_ms(timezone.now())
    reads = [{"seq": s, "tag": f"156000000000{s:03d}", "at": at, "rep": False, "raw": ""} for s in seqs]
    return protocol.reads_payload(device.code, reads, secret or device.secret)


def test_stored_reads_are_acknowledged_each_time(device, broker):
    body = payload(device, [5, 6, 7])
    assert tasks.ingest_reads(body)["stored"] == 3
    key = protocol.ack_key("ack-1")
    assert broker.lrange(key, 0, -1) == [b"5-7"]
    assert 0 < broker.ttl(key) <= protocol.ACK_TTL
    # Delivered again (the bridge missed the first acknowledgement): stored once, acknowledged again.
    assert tasks.ingest_reads(body)["duplicates"] == 3
    assert broker.lrange(key, 0, -1) == [b"5-7", b"5-7"]
    assert TagRead.objects.count() == 3


def test_a_batch_with_reads_refused_one_by_one_is_acknowledged_whole(device, broker):
    # The refused reads are kept as evidence: the bridge must forget them, not send them forever.
    body = payload(device, [5, 6, 7])
    body["reads"][1]["at"] = "9999-12-31T23:59:59.000Z"
    body = protocol.reads_payload(device.code, body["reads"], device.secret)
    result = tasks.ingest_reads(body)
    assert (result["stored"], result["refused_reads"]) == (2, 1)
    assert broker.lrange(protocol.ack_key("ack-1"), 0, -1) == [b"5-7"]
    assert RejectedPayload.objects.get().kind == "reads"


def test_a_refused_payload_is_never_acknowledged(device, broker):
    # A forged acknowledgement would make the bridge forget reads: none for a bad signature.
    assert "refused" in tasks.ingest_reads(payload(device, [1, 2], secret="guess"))
    assert not broker.exists(protocol.ack_key("ack-1")) and not TagRead.objects.exists()


def test_stored_but_not_acknowledged_when_redis_is_gone(device, settings, caplog):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    tasks._ack_client.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="livestock.tasks"):
            assert tasks.ingest_reads(payload(device, [1]))["stored"] == 1
    finally:
        tasks._ack_client.cache_clear()
    assert "stored but not acknowledged" in caplog.text  # the bridge sends them again: harmless
    assert TagRead.objects.count() == 1


def test_the_http_api_stores_before_it_answers(client, device, settings):
    # Even with a broker: a 2xx is the bridge's signal to forget the reads.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.post(protocol.READS_PATH, payload(device, [1, 2]), content_type="application/json")
    assert response.status_code == 200 and response.json()["stored"] == 2
    assert TagRead.objects.count() == 2
