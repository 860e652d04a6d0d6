"""The bridge alone on a virtual serial cable (a pty), delivering to a local HTTP end: what a SIGKILL
costs it, and how soon a read leaves it.

- ``reads_lost_per_bridge_kill``: the bridge (``python -m rfid_bridge run``, its own process) is
  killed with SIGKILL ten times, at random moments, while a reader writes 150 distinct lines a
  second (the fault tests' rate) and goes on writing while it is down. The lines lost at each kill
  are counted exactly (tests/faults/kills.py): those the bridge had taken from the port and not yet
  committed to its spool. The figure is the worst kill; the goal is 50 ms of lines at that rate.
- ``bridge_cable_to_delivery_ms``: a reader reading 20 lines a second (a tag held in range); from
  each line written into the cable until its read is delivered (parsed, spooled, synced to disk,
  sent and answered); the median of 300 (the 95th percentile and the worst beside it).
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rfid_bridge import protocol
from rfid_bridge.bridge import Bridge, Settings
from rfid_bridge.profiles import ALLFLEX
from rfid_bridge.spool import inspect
from tests.faults.kills import Kill, Writer, account, loss_bound
from tests.faults.stack import ROOT, Cable, wait_until

RATE = 150  # lines a second, as in tests/faults
KILLS = 10
SECRET = "bench-secret"
LATENCY_RATE = 20
LATENCY_LINES = 300


def _tags(count: int) -> list[str]:
    return [f"999007{i:09d}" for i in range(count)]


def _line(tag: str) -> str:
    return f"LA {tag[:3]} {tag[3:]}"


class _Sink(ThreadingHTTPServer):
    """The server's reads API as the bridge sees it: answers 200 and keeps the reads."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.reads: list[dict] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == protocol.READS_PATH:
            with self.server.lock:
                self.server.reads.extend(payload["reads"])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def _start_bridge(cable: Cable, sink: _Sink, spool: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RFID_BRIDGE_")}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rfid_bridge",
            "run",
            "--device",
            "bench-kill",
            "--port",
            str(cable.path),
            "--server",
            sink.url,
            "--spool",
            str(spool),
            "--profile",
            "allflex",
            "--heartbeat",
            "3600",
            "--backoff-max",
            "0.2",
            "--log-level",
            "WARNING",
        ],  # fmt: skip
        cwd=ROOT,
        env={**env, "RFID_BRIDGE_SECRET": SECRET, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kills(count: int = KILLS, rate: int = RATE, seed: int = 9) -> dict:
    """Kill the bridge ``count`` times; the lines lost at each kill, exactly."""
    sink = _Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="bench-kill-") as tmp:
        base = Path(tmp)
        spool = base / "spool.sqlite3"
        cable = Cable(base)
        cable.plug()
        tags = _tags(rate * count * 10)
        writer = Writer(lambda tag: cable.write(_line(tag)), tags, rate)
        process = _start_bridge(cable, sink, spool)
        done: list[Kill] = []
        try:
            writer.start()
            for _ in range(count):
                wait_until(lambda: sink.reads, 60, step=0.01, what="the bridge to deliver")
                wait_until(lambda: cable.pending() < 64, 60, step=0.01, what="the bridge to catch up")
                due = writer.written + rng.randrange(rate // 2, 2 * rate)
                wait_until(lambda d=due: writer.written >= d, 60, step=0.002, what="lines")
                process.send_signal(signal.SIGKILL)
                process.wait(30)
                done.append(Kill(written=writer.written, spool_last_seq=inspect(spool)["last_seq"]))
                down = writer.written + rng.randrange(rate // 10, rate)
                wait_until(lambda d=down: writer.written >= d, 60, step=0.01, what="lines while it is down")
                process = _start_bridge(cable, sink, spool)
            wait_until(lambda: cable.pending() < 64, 60, step=0.01, what="the bridge to catch up")
        finally:
            writer.stop()
        try:
            wait_until(lambda: cable.pending() == 0, 60, step=0.01, what="the last lines to be read")
            process.send_signal(signal.SIGTERM)
            process.wait(30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)
            cable.pull()
            sink.shutdown()
            sink.server_close()
        by_seq = {read["seq"]: read["tag"] for read in sink.reads}
        unexplained = account(tags[: writer.written], sorted(by_seq.items()), done)
        if unexplained:
            raise AssertionError(f"lines lost away from any kill: {unexplained[:10]}")
    lost = [len(kill.lost) for kill in done]
    return {"lost": lost, "rate": rate, "bound": loss_bound(rate), "lines": writer.written}


class _Timed:
    """A delivery end in this process that notes when each read arrived."""

    name = "timed"

    def __init__(self):
        self.arrived: dict[int, float] = {}

    def send_reads(self, payload: dict) -> None:
        now = time.monotonic()
        for read in payload["reads"]:
            self.arrived.setdefault(read["seq"], now)

    def send_heartbeat(self, payload: dict) -> None:
        pass

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return "timed"


def latency(count: int = LATENCY_LINES, rate: int = LATENCY_RATE) -> list[float]:
    """Milliseconds from each line written into the cable to its read delivered."""
    delivery = _Timed()
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        base = Path(tmp)
        cable = Cable(base)
        cable.plug()
        settings = Settings(
            device="bench-latency",
            port=str(cable.path),
            profile=ALLFLEX,
            spool=base / "spool.sqlite3",
            secret=SECRET.encode(),
            heartbeat=3600,
        )
        bridge = Bridge(settings, delivery)
        runner = threading.Thread(target=bridge.run, daemon=True)
        runner.start()
        try:
            wait_until(lambda: bridge.connected, 30, step=0.01, what="the port")
            written: list[float] = []
            start = time.monotonic()
            for i, tag in enumerate(_tags(count)):
                written.append(time.monotonic())
                cable.write(_line(tag))
                time.sleep(max(0.0, start + (i + 1) / rate - time.monotonic()))
            wait_until(lambda: len(delivery.arrived) >= count, 60, step=0.01, what="every read")
        finally:
            bridge.stop()
            runner.join(30)
            cable.pull()
    return [(delivery.arrived[seq] - written[seq - 1]) * 1000 for seq in range(1, count + 1)]


def run() -> dict:
    killed = kills()
    times = sorted(latency())
    return {
        "reads_lost_per_bridge_kill": {"value": max(killed["lost"]), **killed},
        "bridge_cable_to_delivery_ms": {
            "value": round(statistics.median(times), 2),
            "p95": round(times[int(len(times) * 0.95) - 1], 2),
            "max": round(times[-1], 2),
            "rate": LATENCY_RATE,
            "lines": len(times),
        },
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
