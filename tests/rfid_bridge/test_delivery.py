"""Real delivery ends: a small stdlib HTTP server, and Celery on a throw-away redis-server with the
bridge's restricted Redis user (the ACL of docs/rfid_bridge.md)."""

import re
from pathlib import Path

import pytest

from rfid_bridge import protocol
from rfid_bridge.delivery import CeleryDelivery, DeliveryError, HttpDelivery

from .conftest import SECRET, AckingWorker, decode_message, make_settings, tag_lines, wait_until

DOC = Path(__file__).resolve().parents[2] / "docs" / "rfid_bridge.md"


def test_http_503_then_accepted(tmp_path, cable, run_bridge, sink):
    sink.status, sink.answer = 503, b"<html>maintenance</html>"
    delivery = HttpDelivery(sink.url, timeout=5)
    bridge = run_bridge(make_settings(tmp_path, str(cable.path), heartbeat=0.3), delivery)
    wait_until(lambda: bridge.connected, what="the port")
    lines, tags = tag_lines(900)
    for start in range(0, 900, 300):
        cable.lines(lines[start : start + 300])
        wait_until(lambda n=start + 300: bridge.spool.pending == n, what="the spool to grow")
    wait_until(lambda: bridge.alarm(), what="the alarm")  # (the sink counts a refusal before answering)
    assert sink.refused >= 1 and not sink.reads
    assert bridge.alarm().startswith("DELIVERY FAILING") and "503" in bridge.alarm()
    with sink.lock:
        sink.status, sink.answer = 200, b'{"accepted": true}'
    wait_until(lambda: len(sink.reads) == 900, what="the spool to drain")
    assert sorted(r["tag"] for r in sink.reads) == sorted(tags)
    assert [r["seq"] for r in sink.reads] == list(range(1, 901))
    wait_until(lambda: bridge.spool.pending == 0 and bridge.alarm() is None, what="a clean state")
    wait_until(lambda: any(h["state"]["raw_reads"] == 900 for h in sink.heartbeats), what="a heartbeat")


def test_http_refusal_keeps_the_reads(tmp_path, cable, run_bridge, sink):
    sink.status, sink.answer = 403, b'{"error": "device gate-1 is revoked"}'
    delivery = HttpDelivery(sink.url, timeout=5)
    bridge = run_bridge(make_settings(tmp_path, str(cable.path), refused_retry=0.3), delivery)
    wait_until(lambda: bridge.connected, what="the port")
    lines, tags = tag_lines(10)
    cable.lines(lines)
    wait_until(lambda: bridge.delivery_alarm, what="the refusal")
    assert bridge.alarm().startswith("DELIVERY REFUSED") and "revoked" in bridge.alarm()
    assert bridge.spool.pending == 10  # a revoked device keeps its evidence
    with sink.lock:
        sink.status, sink.answer = 200, b"{}"
    wait_until(lambda: len(sink.reads) == 10, what="delivery once the server accepts")
    assert sorted(r["tag"] for r in sink.reads) == sorted(tags)


def test_http_error_kinds(sink):
    delivery = HttpDelivery(sink.url, timeout=5)
    payload = protocol.reads_payload(
        "gate-1",
        [{"seq": 1, "tag": "156000000000001", "at": protocol.iso_ms(), "rep": False, "raw": ""}],
        SECRET,
    )
    delivery.send_reads(payload)
    assert len(sink.reads) == 1
    for status, answer, refused, words in [
        (400, b'{"problems": ["reads[0].tag must be 15 digits"]}', True, "refused"),
        (404, b"<html>not found</html>", False, "404"),
        (500, b"oops", False, "500"),
        (302, b"", False, "redirected"),
    ]:
        sink.status, sink.answer = status, answer
        with pytest.raises(DeliveryError, match=words) as error:
            delivery.send_reads(payload)
        assert error.value.refused is refused
    sink.status = 200
    sink.shutdown()
    sink.server_close()
    with pytest.raises(DeliveryError, match="server"):
        HttpDelivery(sink.url, timeout=1).send_reads(payload)


# --- Celery on Redis --------------------------------------------------------------------------


def documented_acl() -> str:
    """The ACL rules for a bridge's Redis user, as docs/rfid_bridge.md gives them."""
    found = re.search(r"^user rfid-gate-1 (.+)$", DOC.read_text(), re.MULTILINE)
    assert found, "docs/rfid_bridge.md must give the bridge user's ACL line"
    return found.group(1).replace(">PASSWORD", ">pw")


def add_bridge_user(port: int) -> None:
    import redis

    redis.Redis(port=port).execute_command("ACL", "SETUSER", "rfid-gate-1", *documented_acl().split())


def queued_payloads(port: int, queue: str = protocol.QUEUE) -> list[tuple[str, dict]]:
    """(task name, payload) of every message in the queue, oldest first, read as a worker would."""
    import redis

    messages = redis.Redis(port=port).lrange(queue, 0, -1)
    # kombu LPUSHes, workers BRPOP: the oldest is at the right.
    return [decode_message(raw) for raw in reversed(messages)]


def test_celery_delivery_with_the_restricted_user(tmp_path, cable, run_bridge, redis_server):
    add_bridge_user(redis_server.port)
    broker = f"redis://rfid-gate-1:pw@127.0.0.1:{redis_server.port}/0"
    bridge = run_bridge(make_settings(tmp_path, str(cable.path)), CeleryDelivery(broker, timeout=5))
    wait_until(lambda: bridge.connected, what="the port")
    lines, tags = tag_lines(1100)
    cable.lines(lines)
    wait_until(lambda: bridge.delivered == 1100, what="the reads published")
    messages = queued_payloads(redis_server.port)
    heartbeats = [p for task, p in messages if task == protocol.TASK_HEARTBEAT]
    reads_payloads = [p for task, p in messages if task == protocol.TASK_INGEST]
    assert len(heartbeats) == 1 and protocol.validate_heartbeat(heartbeats[0]) == []
    for payload in [*reads_payloads, *heartbeats]:
        assert protocol.verify(payload, SECRET)
    for payload in reads_payloads:
        assert protocol.validate_reads(payload) == []
    reads = [r for p in reads_payloads for r in p["reads"]]
    assert [r["seq"] for r in reads] == list(range(1, 1101))
    assert sorted(r["tag"] for r in reads) == sorted(tags)
    # Published is not stored: the reads stay in the spool until a worker acknowledges them.
    assert bridge.spool.pending == 1100 and bridge.awaiting_ack == 1100
    worker = AckingWorker(redis_server.port)
    try:
        wait_until(lambda: bridge.spool.pending == 0, what="the acknowledgements")
    finally:
        worker.stop()
    assert bridge.acknowledged == 1100 and bridge.awaiting_ack == 0
    assert sorted(worker.seqs) == list(range(1, 1101))


def test_bridge_user_can_do_nothing_else(redis_server):
    import redis

    add_bridge_user(redis_server.port)
    admin = redis.Redis(port=redis_server.port)
    admin.set("secret-key", "x")
    user = redis.Redis(port=redis_server.port, username="rfid-gate-1", password="pw")
    assert user.lpush("rfid", "a message") == 1
    admin.rpush("rfid:acks:gate-1", "1-5")
    assert user.lpop("rfid:acks:gate-1", 10) == [b"1-5"]  # its own acknowledgements
    for attempt in (
        lambda: user.lpop("rfid:acks:gate-2"),  # another reader's
        lambda: user.lpop("rfid"),
        lambda: user.lpush("celery", "x"),
        lambda: user.lpush("rfidx", "x"),
        lambda: user.rpop("rfid"),
        lambda: user.lrange("rfid", 0, -1),
        lambda: user.get("secret-key"),
        lambda: user.keys("*"),
        lambda: user.delete("rfid"),
        lambda: user.publish("channel", "x"),
        lambda: user.flushall(),
        lambda: user.config_get("*"),
    ):
        with pytest.raises(redis.exceptions.NoPermissionError):
            attempt()
    # Through Celery, only the rfid queue is reachable.
    other = CeleryDelivery(
        f"redis://rfid-gate-1:pw@127.0.0.1:{redis_server.port}/0", queue="celery", timeout=5
    )
    with pytest.raises(DeliveryError, match="permission"):
        other.send_reads({"v": 1})
    other.close()
    assert admin.llen("celery") == 0 and admin.llen("rfid") == 1


def test_broker_down_then_up(tmp_path, cable, run_bridge, redis_server):
    """Redis stopped and started again without its data: what it lost is sent again."""
    broker = f"redis://127.0.0.1:{redis_server.port}/0"
    settings = make_settings(tmp_path, str(cable.path), ack_timeout=1.0)
    bridge = run_bridge(settings, CeleryDelivery(broker, timeout=2))
    wait_until(lambda: bridge.connected, what="the port")
    lines, tags = tag_lines(200)
    cable.lines(lines[:100])
    wait_until(lambda: bridge.delivered == 100, what="the first reads published")
    redis_server.stop()  # no worker took them, and this redis-server keeps nothing on disk
    cable.lines(lines[100:])
    wait_until(lambda: bridge.spool.pending == 200 and bridge.delivery_alarm, what="the broker to be missed")
    redis_server.start()
    worker = AckingWorker(redis_server.port)
    try:
        wait_until(lambda: bridge.spool.pending == 0, timeout=20, what="every read acknowledged")
    finally:
        worker.stop()
    assert sorted(set(worker.seqs)) == list(range(1, 201))  # the lost 100 were sent again
    received = {r["seq"]: r["tag"] for p in worker.payloads for r in p["reads"]}
    assert sorted(received.values()) == sorted(tags)
    assert bridge.delivery_alarm is None


def test_a_message_lost_by_a_worker_is_sent_again(tmp_path, cable, run_bridge, redis_server, caplog):
    broker = f"redis://127.0.0.1:{redis_server.port}/0"
    worker = AckingWorker(redis_server.port)
    worker.lose = 1  # taken off the queue by a worker killed before it stored anything
    settings = make_settings(tmp_path, str(cable.path), ack_timeout=0.5)
    bridge = run_bridge(settings, CeleryDelivery(broker, timeout=2))
    try:
        wait_until(lambda: bridge.connected, what="the port")
        lines, tags = tag_lines(50)
        cable.lines(lines)
        wait_until(lambda: bridge.reads_spooled == 50 and bridge.spool.pending == 0, what="all acknowledged")
    finally:
        worker.stop()
    assert sorted(worker.seqs) == list(range(1, 51))
    assert bridge.delivered > 50  # the lost message went twice
    assert "were not acknowledged within" in caplog.text


def test_bench_publishes_without_a_worker(redis_server):
    """`python -m rfid_bridge bench --broker`: nobody acknowledges its queue, and it still ends."""
    from rfid_bridge.bench import BENCH_QUEUE, bench

    result = bench(count=3000, broker=f"redis://127.0.0.1:{redis_server.port}/0", batch=500)
    # Reads go out as soon as they are synced to disk: in batches of at most 500.
    assert result["delivered"] == 3000 and result["messages"] >= 6
    queued = [
        payload
        for task, payload in queued_payloads(redis_server.port, queue=BENCH_QUEUE)
        if task == protocol.TASK_INGEST
    ]
    assert len(queued) == result["messages"]
    seqs = [read["seq"] for payload in queued for read in payload["reads"]]
    assert sorted(seqs) == list(range(1, 3001)) and max(len(p["reads"]) for p in queued) <= 500
