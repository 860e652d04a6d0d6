"""Throughput of the whole pipe on this machine: line -> parse -> de-duplicate -> spool -> deliver.

The "reader" is an in-memory port that hands the bridge its lines as fast as it asks, so the
number is the bridge's own ceiling (a 9600-baud reader sends < 100 lines/s). With ``broker`` the
reads are published to the queue ``rfid_bench`` (never the real ``rfid`` queue: do not point this
at a live system's broker anyway); nobody acknowledges them, so this measures publishing.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from .bridge import Bridge, Settings
from .delivery import CeleryDelivery, NullDelivery
from .profiles import ALLFLEX
from .reader import READ_TIMEOUT
from .simulate import lines_for, tag_codes

BENCH_QUEUE = "rfid_bench"


class MemoryPort:
    """A serial port whose input is a prepared byte string, read in chunks like a real port."""

    def __init__(self, data: bytes, chunk: int = 4096):
        self._data, self._pos, self._chunk = data, 0, chunk

    @property
    def in_waiting(self) -> int:
        return min(self._chunk, len(self._data) - self._pos)

    def read(self, size: int = 1) -> bytes:
        if self._pos >= len(self._data):
            time.sleep(READ_TIMEOUT)
            return b""
        chunk = self._data[self._pos : self._pos + size]
        self._pos += len(chunk)
        return chunk

    def close(self) -> None:
        pass


def bench(
    count: int = 100_000, broker: str | None = None, spool_dir: str | None = None, batch: int = 500
) -> dict:
    codes = tag_codes(str(max(1, count // 2)), seed=7)
    lines = [line for line, _ in lines_for(codes, ALLFLEX, repeat=2)][:count]
    data = b"".join(line.encode() + b"\r\n" for line in lines)
    delivery = CeleryDelivery(broker, queue=BENCH_QUEUE) if broker else NullDelivery()
    with tempfile.TemporaryDirectory(dir=spool_dir) as tmp:
        settings = Settings(
            device="bench",
            port="memory://",
            profile=ALLFLEX,
            spool=Path(tmp) / "bench.sqlite3",
            secret=b"bench",
            batch=batch,
            heartbeat=3600,
            # No worker takes the bench queue, so nothing is ever acknowledged: measure publishing,
            # with every batch allowed out at once and none sent again (the spool is thrown away).
            inflight_max=count // batch + 1,
            ack_timeout=3600,
            drain_timeout=0.1,
        )
        bridge = Bridge(settings, delivery, opener=lambda url, **options: MemoryPort(data))
        start, cpu_start = time.perf_counter(), time.process_time()
        bridge.start()
        deadline = start + 600
        while bridge.delivered < len(lines) and time.perf_counter() < deadline:
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        spooled_last = bridge.spool.last_seq
        bridge.stop()
        bridge.shutdown()
    return {
        "reads": len(lines),
        "delivered": bridge.delivered,
        "spooled": spooled_last,
        "messages": bridge.payloads,
        "seconds": round(seconds, 3),
        "reads_per_second": round(bridge.delivered / seconds),
        # CPU time of all threads: less affected by other load on the machine than the wall clock.
        "cpu_seconds": round(cpu, 3),
        "reads_per_cpu_second": round(bridge.delivered / cpu),
        "delivery": delivery.describe() if broker else "no-op",
    }
