"""The running bridge on a virtual serial cable (a pty): reads, repeats, non-tags, a pulled cable,
a full disk, a clean stop. Delivery ends in memory; tests/rfid_bridge/test_delivery.py covers the
real HTTP and Celery ends."""

import json
import socket
import time

from rfid_bridge import protocol
from rfid_bridge.iso11784 import Code
from rfid_bridge.profiles import AUTO
from rfid_bridge.spool import Spool

from .conftest import MemoryDelivery, make_settings, tag_lines, wait_until


def assert_contiguous(reads):
    seqs = [r["seq"] for r in reads]
    assert seqs == list(range(1, len(seqs) + 1)), "seqs must be 1..n, in order, each once"


def test_lines_become_reads(tmp_path, cable, run_bridge):
    delivery = MemoryDelivery()
    status_file = tmp_path / "status.json"
    bridge = run_bridge(
        make_settings(tmp_path, str(cable.path), heartbeat=0.2, status_file=status_file), delivery
    )
    wait_until(lambda: bridge.connected, what="the bridge to open the port")
    lines, tags = tag_lines(3)
    cable.write("\x02\r\n")  # power-on line
    cable.lines([lines[0], lines[0], lines[1], "", "LR 0006 0000000018514243", lines[0], "garbage", lines[2]])
    wait_until(lambda: len(delivery.reads) == 5, what="5 reads delivered")
    reads = delivery.reads
    assert_contiguous(reads)
    assert [r["tag"] for r in reads] == [tags[0], tags[0], tags[1], tags[0], tags[2]]
    assert [r["rep"] for r in reads] == [False, True, False, True, False]
    assert reads[0]["raw"] == lines[0]
    assert all(protocol.parse_iso(r["at"]) for r in reads)
    assert (bridge.raw_reads, bridge.sightings, bridge.non_tags) == (5, 3, 4)
    assert dict(bridge.non_tag_kinds) == {"control": 1, "blank": 1, "non_animal": 1, "unrecognised": 1}
    assert {p["device"] for p in delivery.payloads} == {"gate-1"}

    def heartbeat_saw_everything():
        states = [h["state"] for h in delivery.heartbeats]
        return any(s["raw_reads"] == 5 and s["spool"] == 0 for s in states)

    wait_until(heartbeat_saw_everything, what="a heartbeat with the counters")
    state = delivery.heartbeats[-1]["state"]
    assert state["connected"] is True and state["port"] == str(cable.path) and state["alarm"] is None
    assert state["last_read_at"] == reads[-1]["at"]
    wait_until(lambda: json.loads(status_file.read_text())["state"]["sightings"] == 3, what="the status file")
    status = json.loads(status_file.read_text())
    assert status["detail"]["non_tag_kinds"]["control"] == 1
    assert status["detail"]["spool_last_seq"] == 5


def test_each_line_is_delivered_on_its_own(tmp_path, cable, run_bridge):
    """A read goes out as soon as it is spooled, without waiting for a batch to fill. (How soon is
    measured by `make bench`: bridge_cable_to_delivery_ms, bench/bridge_kill.py.)"""
    delivery = MemoryDelivery()
    bridge = run_bridge(make_settings(tmp_path, str(cable.path)), delivery)
    wait_until(lambda: bridge.connected, what="the port to open")
    lines, tags = tag_lines(20)
    for n, line in enumerate(lines, 1):
        cable.lines([line])
        wait_until(lambda n=n: len(delivery.reads) >= n, what=f"read {n}")
    assert [r["tag"] for r in delivery.reads] == tags
    assert len(delivery.payloads) == 20


def test_auto_profile_takes_the_allflex_template_with_every_separator(tmp_path, cable, run_bridge):
    from .test_profiles import TEMPLATE_PREFIXES, TEMPLATE_SEPARATORS, template_line

    delivery = MemoryDelivery()
    bridge = run_bridge(make_settings(tmp_path, str(cable.path), profile=AUTO), delivery)
    wait_until(lambda: bridge.connected, what="the port to open")
    codes = [Code(982, n) for n in range(1, 26)]
    pairs = [(p, s) for p in TEMPLATE_PREFIXES for s in TEMPLATE_SEPARATORS]
    cable.lines([template_line(p, s, code) for (p, s), code in zip(pairs, codes, strict=True)])
    wait_until(lambda: len(delivery.reads) == 25, what="25 reads")
    assert [r["tag"] for r in delivery.reads] == [code.tag for code in codes]
    assert bridge.non_tags == 0


def test_cable_pulled_and_plugged_again(tmp_path, cable, run_bridge):
    delivery = MemoryDelivery()
    bridge = run_bridge(make_settings(tmp_path, str(cable.path)), delivery)
    written = []
    for round_ in range(6):
        wait_until(lambda: bridge.connected, what=f"the port to open (round {round_})")
        lines, tags = tag_lines(40, start=round_ * 1000)
        cable.lines(lines)
        written += tags
        expected = len(written)
        wait_until(lambda n=expected: bridge.raw_reads == n, what="the lines to be read")
        before = bridge.bytes_read
        cable.write("LA 156 0000")  # half a line, then the cable goes
        # (bytes still in the pty would go with it: let the bridge take them first)
        wait_until(lambda b=before: bridge.bytes_read == b + 11, what="the half line to be read")
        cable.pull()
        wait_until(lambda: not bridge.connected, what="the bridge to notice the pulled cable")
        assert "READER DISCONNECTED" in (bridge.alarm() or "")
        time.sleep(0.1)  # the bridge retries a missing port
        cable.plug()
    wait_until(lambda: bridge.connected, what="the last plug")
    wait_until(lambda: len(delivery.reads) == len(written), what="every read delivered")
    time.sleep(0.2)
    reads = delivery.reads
    assert sorted(r["tag"] for r in reads) == sorted(written)  # 0 lost, 0 twice
    assert_contiguous(reads)
    assert bridge.non_tag_kinds["unrecognised"] == 6  # the half lines, counted, not stored
    assert bridge.alarm() is None


def test_disk_full_keeps_reading_and_catches_up(tmp_path, cable, run_bridge):
    delivery = MemoryDelivery()
    delivery.failing = "server down"
    # A 14-page spool holds a few hundred reads: the "disk" fills while the server is down.
    bridge = run_bridge(make_settings(tmp_path, str(cable.path), max_pages=14, backoff_max=0.1), delivery)
    wait_until(lambda: bridge.connected, what="the port")
    lines, tags = tag_lines(3000)
    for start in range(0, 3000, 500):
        cable.lines(lines[start : start + 500])
        time.sleep(0.02)
    wait_until(lambda: bridge.raw_reads == 3000, what="every line read while the disk is full")
    wait_until(lambda: bridge.spool_alarm, what="the spool alarm")
    state = bridge.state()
    assert state["alarm"].startswith("SPOOL FULL") and "DELIVERY FAILING" in state["alarm"]
    assert state["spool"] == 3000  # spooled + held in memory
    assert 0 < bridge.spool.pending < 3000
    assert all(thread.is_alive() for thread in bridge._threads)

    delivery.failing = None
    wait_until(lambda: len(delivery.reads) == 3000, timeout=20, what="the backlog to drain")
    reads = delivery.reads
    assert sorted(r["tag"] for r in reads) == sorted(tags)
    assert_contiguous(reads)
    wait_until(lambda: bridge.alarm() is None, what="the alarm to clear")


def test_server_down_then_up(tmp_path, cable, run_bridge):
    delivery = MemoryDelivery()
    delivery.failing = "connection refused"
    bridge = run_bridge(make_settings(tmp_path, str(cable.path), batch=500), delivery)
    wait_until(lambda: bridge.connected, what="the port")
    lines, tags = tag_lines(1200)
    cable.lines(lines)
    wait_until(lambda: bridge.spool.pending == 1200, what="the reads spooled")
    wait_until(lambda: delivery.attempts >= 1, what="a delivery attempt")
    assert bridge.state()["spool"] == 1200
    delivery.failing = None
    wait_until(lambda: len(delivery.reads) == 1200, what="the spool to drain")
    assert max(len(p["reads"]) for p in delivery.payloads) == 500  # batches of --batch reads
    assert_contiguous(delivery.reads)
    wait_until(lambda: bridge.spool.pending == 0, what="delivered reads deleted")


class AckedDelivery(MemoryDelivery):
    """A delivery whose sends are not storage (as Celery's): the test hands out the acks."""

    confirms = False

    def __init__(self):
        super().__init__()
        self.acks: list[tuple[int, int]] = []

    def take_acks(self, device, limit=1000):
        with self.lock:
            taken, self.acks = self.acks[:limit], self.acks[limit:]
        return taken

    def ack(self, payload):
        with self.lock:
            self.acks.append(tuple(map(int, protocol.ack_text(payload["reads"]).split("-"))))


def test_unacknowledged_batches_are_kept_limited_and_sent_again(tmp_path, cable, run_bridge, caplog):
    delivery = AckedDelivery()
    settings = make_settings(tmp_path, str(cable.path), batch=10, inflight_max=3, ack_timeout=0.3)
    bridge = run_bridge(settings, delivery)
    wait_until(lambda: bridge.connected, what="the port")
    lines, tags = tag_lines(100)
    cable.lines(lines)
    wait_until(lambda: bridge.raw_reads == 100, what="the lines read")
    # No acknowledgement: at most three batches are out, and the oldest goes again, and again.
    wait_until(lambda: bridge.delivery_alarm, what="the alarm", timeout=10)
    assert bridge.delivery_alarm.startswith("NOT ACKNOWLEDGED: reads ")
    firsts = {p["reads"][0]["seq"] for p in delivery.payloads}
    assert firsts == {1, 11, 21} and bridge.spool.pending == 100
    # The workers come back: each batch is acknowledged, and the spool empties.
    done = 0
    while bridge.spool.pending:
        with delivery.lock:
            fresh = delivery.payloads[done:]
            done = len(delivery.payloads)
        for payload in fresh:
            delivery.ack(payload)
        time.sleep(0.05)
        assert done < 1000
    assert bridge.acknowledged == 100 and bridge.awaiting_ack == 0 and bridge.delivery_alarm is None
    assert sorted({r["tag"] for r in delivery.reads}) == sorted(tags)
    assert (
        "reads 1-10 were not acknowledged within 0 s" in caplog.text or "reads 1-10 were not" in caplog.text
    )


def test_an_acknowledgement_from_before_a_restart_is_honoured(tmp_path, cable, run_bridge):
    """Reads a worker stored while the bridge was down are not sent again after its restart."""
    settings = make_settings(tmp_path, str(cable.path))
    with Spool(settings.spool, device="gate-1") as spool:
        spool.append(
            [{"tag": f"156{n:012d}", "at": protocol.iso_ms(), "rep": False, "raw": ""} for n in range(30)]
        )
    delivery = AckedDelivery()
    delivery.acks = [(1, 20)]  # the first 20 were stored; their acknowledgement waits in Redis
    bridge = run_bridge(settings, delivery)
    wait_until(lambda: delivery.payloads, what="the rest sent")
    assert [r["seq"] for r in delivery.reads] == list(range(21, 31))
    delivery.ack(delivery.payloads[0])
    wait_until(lambda: bridge.spool.pending == 0, what="the spool to empty")


def test_stop_spools_everything_read(tmp_path, cable, run_bridge):
    delivery = MemoryDelivery()
    delivery.failing = "down"
    settings = make_settings(tmp_path, str(cable.path), drain_timeout=0.5)
    bridge = run_bridge(settings, delivery)
    wait_until(lambda: bridge.connected, what="the port")
    lines, tags = tag_lines(2000)
    cable.lines(lines)
    wait_until(lambda: bridge.raw_reads == 2000, what="the lines read")
    bridge.stop()
    wait_until(lambda: all(not t.is_alive() for t in bridge._threads), what="threads to end")
    with Spool(settings.spool) as spool:
        assert spool.pending == 2000 and spool.last_seq == 2000
        assert sorted(r["tag"] for r in spool.fetch(limit=5000)) == sorted(tags)


def test_socket_url_reconnects(tmp_path, run_bridge):
    """A reader behind a serial-to-network box: socket://host:port, and the box restarts."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    port = listener.getsockname()[1]
    delivery = MemoryDelivery()
    bridge = run_bridge(make_settings(tmp_path, f"socket://127.0.0.1:{port}"), delivery)
    written = []
    try:
        for round_ in range(3):
            connection, _ = listener.accept()
            wait_until(lambda: bridge.connected, what="the connection")
            lines, tags = tag_lines(20, start=round_ * 100)
            connection.sendall(b"".join(line.encode() + b"\r\n" for line in lines))
            written += tags
            expected = len(written)
            wait_until(lambda n=expected: len(delivery.reads) == n, what="the reads")
            connection.close()
            wait_until(lambda: not bridge.connected, what="the bridge to notice")
    finally:
        listener.close()
    assert sorted(r["tag"] for r in delivery.reads) == sorted(written)


class BuggyDelivery(MemoryDelivery):
    """Fails once with an unexpected error (a bug, not a delivery failure)."""

    failed = False

    def send_reads(self, payload):
        if not self.failed:
            self.failed = True
            raise RuntimeError("a bug")
        super().send_reads(payload)


def test_a_failing_loop_is_started_again(tmp_path, cable, run_bridge):
    delivery = BuggyDelivery()
    bridge = run_bridge(make_settings(tmp_path, str(cable.path)), delivery)
    wait_until(lambda: bridge.connected, what="the port")
    lines, tags = tag_lines(5)
    cable.lines(lines)
    wait_until(lambda: len(delivery.reads) == 5, what="delivery after the sender was started again")
    assert delivery.failed and sorted(r["tag"] for r in delivery.reads) == sorted(tags)
