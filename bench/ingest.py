"""Tag-read ingestion figures (issue 5), measured on a production-shaped stack of this machine.

The stack is the fault tests' (tests/faults/stack.py): its own PostgreSQL cluster (fsync on), its
own Redis (append-only, fsync on every write), a Celery worker with two processes on the ``rfid``
queue, and the real bridge reading a virtual serial cable. Nothing is mocked.

- ``ingest_reads_per_s``: lines written into the cable as fast as the simulator can, until the
  last read is in PostgreSQL: parse -> spool -> Celery -> ingestion task -> PostgreSQL.
- ``copy_floor_reads_per_s``: the same rows written with one ``COPY`` into the same table: the
  physical floor of the database on this machine.
- ``orm_naive_reads_per_s``: one Celery task and one ORM save per read (bench/naive_tasks.py).
- ``read_to_record_p95_ms``: under a steady background stream, an animal's tag written into the
  cable until its presence event is in its individual record; the 95th percentile.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import psycopg

from rfid_bridge import iso11784, profiles
from tests.faults.stack import ROOT, Cable, Stack, wait_until

ALLFLEX = profiles.get("allflex")
N_READS = 200_000
N_NAIVE = 1_500
N_LATENCY = 60


def _line(tag: str) -> bytes:
    return (ALLFLEX.format(iso11784.from_decimal(tag[:3], tag[3:])) + "\r\n").encode()


def _count(stack: Stack, code: str) -> int:
    with psycopg.connect(stack.pg.url()) as conn:
        return conn.execute(
            "SELECT count(*) FROM livestock_tagread r JOIN livestock_readerdevice d ON d.id = r.device_id "
            "WHERE d.code = %s",
            [code],
        ).fetchone()[0]


def _device_id(stack: Stack, code: str) -> int:
    with psycopg.connect(stack.pg.url()) as conn:
        return conn.execute("SELECT id FROM livestock_readerdevice WHERE code = %s", [code]).fetchone()[0]


def _writer(cable: Cable, data: bytes) -> None:
    view = memoryview(data)
    import os

    while view:
        written = os.write(cable.master, view[:65536])
        view = view[written:]


def ingest_throughput(stack: Stack) -> float:
    device = stack.world["devices"][0]
    cable = Cable(stack.base)
    cable.plug()
    stack.start_bridge(device, cable)
    data = b"".join(_line(f"999{7:03d}{i:09d}") for i in range(N_READS))
    start = time.monotonic()
    writer = threading.Thread(target=_writer, args=(cable, data))
    writer.start()
    wait_until(lambda: _count(stack, device["code"]) >= N_READS, 600, step=0.25, what="the reads")
    elapsed = time.monotonic() - start
    writer.join()
    stack.stop("bridge")
    cable.pull()
    return N_READS / elapsed


def copy_floor(stack: Stack) -> float:
    device_id = _device_id(stack, stack.world["devices"][1]["code"])
    now = datetime.now(UTC)
    rows = [(device_id, i, f"999008{i:09d}", now, now, False, "LA 999 ...") for i in range(N_READS)]
    with psycopg.connect(stack.pg.url()) as conn:
        start = time.monotonic()
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY livestock_tagread (device_id, seq, tag, read_at, received_at, repeat, raw) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return N_READS / (time.monotonic() - start)


def orm_naive(stack: Stack) -> float:
    from celery import Celery

    device_id = _device_id(stack, stack.world["devices"][2]["code"])
    app = Celery(broker=stack.redis.url)
    app.conf.task_serializer = "json"
    stack.stop("worker")
    stack._spawn(
        "naive",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "naive",
            "-c",
            "2",
            "-l",
            "warning",
            "--include",
            "bench.naive_tasks",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
    )
    at = datetime.now(UTC).isoformat()
    start = time.monotonic()
    for i in range(N_NAIVE):
        app.send_task("bench.naive_ingest_one", args=[device_id, i, f"999009{i:09d}", at], queue="naive")
    wait_until(
        lambda: _count(stack, stack.world["devices"][2]["code"]) >= N_NAIVE, 600, step=0.25, what="naive"
    )
    elapsed = time.monotonic() - start
    stack.stop("naive")
    stack.start_worker()
    return N_NAIVE / elapsed


def latency_p95(stack: Stack) -> float:
    """Milliseconds from a line on the cable to the animal's presence event, under load."""
    device = stack.world["devices"][3]
    animals = stack.world["rfids"][:N_LATENCY]
    cable = Cable(stack.base)
    cable.plug()
    stack.start_bridge(device, cable)
    stop = threading.Event()

    def background():  # a steady 2,000 reads/s of other tags
        i = 0
        while not stop.is_set():
            _writer(cable, b"".join(_line(f"999010{(i + k):09d}") for k in range(200)))
            i += 200
            time.sleep(0.1)

    loader = threading.Thread(target=background, daemon=True)
    loader.start()
    time.sleep(3)
    samples = []
    with psycopg.connect(stack.pg.url(), autocommit=True) as conn:
        for rfid in animals:
            t0 = time.monotonic()
            _writer(cable, _line(rfid))
            while True:
                found = conn.execute(
                    "SELECT 1 FROM livestock_event e JOIN livestock_animal a ON a.id = e.animal_id "
                    "WHERE a.rfid = %s AND e.kind = 'seen'",
                    [rfid],
                ).fetchone()
                if found:
                    break
                if time.monotonic() - t0 > 30:
                    raise TimeoutError(f"no presence event for {rfid}")
                time.sleep(0.005)
            samples.append((time.monotonic() - t0) * 1000)
            time.sleep(0.05)
    stop.set()
    loader.join()
    stack.stop("bridge")
    cable.pull()
    return statistics.quantiles(samples, n=20)[18]


def run() -> dict[str, float]:
    """All four figures, on one stack started and removed here."""
    stack = Stack.create()
    figures = {}
    try:
        stack.start_worker()
        for name, measure in (
            ("copy_floor_reads_per_s", copy_floor),
            ("ingest_reads_per_s", ingest_throughput),
            ("read_to_record_p95_ms", latency_p95),
            ("orm_naive_reads_per_s", orm_naive),
        ):
            figures[name] = measure(stack)
            print(f"{name}: {figures[name]:.1f}", file=sys.stderr, flush=True)
        return figures
    finally:
        stack.close()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    import json

    print(json.dumps(run(), indent=1))
    subprocess.run(["true"])
