"""Tag-read ingestion figures (issues 5 and 9), measured on a production-shaped stack of this machine.

The stack is the fault tests' (tests/faults/stack.py): its own PostgreSQL cluster (fsync on), its
own Redis (append-only, fsync on every write), a Celery worker with two processes on the ``rfid``
queue, and the real bridge reading a virtual serial cable. Nothing is mocked. Its database holds,
besides the fault tests' world, a registered farm with a herd of ``HERD`` animals imported through
the services (bench/ingest_world.py).

- ``ingest_reads_per_s``: the real path. The herd passes a chute: each animal's tag is read in a
  burst of ``BURST`` lines (a tag held in the reader's field), one animal after the other, written
  into the cable as fast as the bridge takes them, until the last read is in PostgreSQL: parse ->
  spool -> Celery -> ingestion task -> PostgreSQL. Every batch matches registered animals, moves
  their last-seen place and writes their presence events (checked at the end: one per animal).
- ``ingest_unknown_reads_per_s``: the same bursts of tags nobody registered (stored, flagged).
- ``copy_floor_reads_per_s``: the herd's rows (with their animal) written with one ``COPY`` into
  the same table: the physical floor of the database on this machine;
  ``ingest_share_of_copy_floor`` is the real path's figure over it, in the same run.
- ``orm_naive_reads_per_s``: one Celery task and one ORM save per read (bench/naive_tasks.py).
- ``read_to_record_p95_ms``: under a steady background stream, an animal's tag written into the
  cable until its presence event is in its individual record; the 95th percentile.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from rfid_bridge import iso11784, profiles
from tests.faults.stack import ROOT, Cable, Stack, _children, wait_until

ALLFLEX = profiles.get("allflex")
HERD = 25_000
BURST = 8
N_READS = HERD * BURST
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


class Arrivals:
    """Whether every read of a device's run (seqs 1..n, a new spool) is in PostgreSQL, cheaply.

    Counting the device's rows on every look cost PostgreSQL a quarter of what the ingestion
    itself spent (pg_stat_statements): the benchmark slowed what it measured. This counts only
    the rows above the highest seq below which none is missing, through the (device, seq) index.
    """

    def __init__(self, stack: Stack, code: str):
        self.conn = psycopg.connect(stack.pg.url(), autocommit=True)
        self.device_id = _device_id(stack, code)
        self.complete = 0  # every seq up to this one is stored

    def upto(self, n: int) -> bool:
        count, top = self.conn.execute(
            "SELECT count(*), max(seq) FROM livestock_tagread WHERE device_id = %s AND seq > %s",
            [self.device_id, self.complete],
        ).fetchone()
        if count and top == self.complete + count:  # no gap: every seq up to ``top`` is there
            self.complete = top
        return self.complete >= n

    def close(self) -> None:
        self.conn.close()


def _device_id(stack: Stack, code: str) -> int:
    with psycopg.connect(stack.pg.url()) as conn:
        return conn.execute("SELECT id FROM livestock_readerdevice WHERE code = %s", [code]).fetchone()[0]


def _writer(cable: Cable, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(cable.master, view[:65536])
        view = view[written:]


def _cpu(pid: int) -> float:
    """CPU seconds used by ``pid``, its waited-for children and its live descendants."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    own = sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
    return own + sum(_cpu(child) for child in _children(pid))


def stack_cpu(stack: Stack) -> dict[str, float]:
    """CPU seconds used so far by each part of the stack: what a run costs whatever the load."""
    parts = {"postgres": stack.pg.postmaster_pid(), "redis": stack.redis.proc.pid}
    parts.update({name: proc.pid for name, proc in stack.procs.items() if proc.poll() is None})
    return {name: _cpu(pid) for name, pid in parts.items()}


def _bursts(tags: list[str]) -> bytes:
    """Each tag read ``BURST`` times in a row, as a reader reads an animal passing it."""
    return b"".join(_line(tag) * BURST for tag in tags)


def ingest_throughput(stack: Stack, device: dict, tags: list[str]) -> dict:
    """Reads a second through the whole path, and the CPU seconds each part spent per 100,000
    reads (the machine's load slows the first, not the second: 2 cores give at most 200 s/s)."""
    cable = Cable(stack.base)
    cable.plug()
    # The bridge's own acknowledgement timeout (60 s), as deployed: the fault tests' 5 s sends a
    # batch again while it still waits in the queue behind the others (counted below).
    stack.start_bridge(device, cable, ack_timeout=60)
    log = stack.base / "bridge.log"
    resent_before = _resent(log)
    data = _bursts(tags)
    count = len(tags) * BURST
    before = stack_cpu(stack)
    start = time.monotonic()
    writer = threading.Thread(target=_writer, args=(cable, data))
    writer.start()
    arrivals = Arrivals(stack, device["code"])
    wait_until(lambda: arrivals.upto(count), 600, step=0.05, what="the reads")
    elapsed = time.monotonic() - start
    arrivals.close()
    after = stack_cpu(stack)
    writer.join()
    stack.stop("bridge")
    cable.pull()
    per = 100_000 / count
    cpu = {f"cpu_s_per_100k_{name}": round((after[name] - before.get(name, 0)) * per, 2) for name in after}
    return {
        "value": count / elapsed,
        "load_1m": round(os.getloadavg()[0], 2),
        "batches_sent_again": _resent(log) - resent_before,
        **cpu,
    }


def _resent(log: Path) -> int:
    """Batches the bridge has sent again so far, for want of an acknowledgement (its log)."""
    try:
        return log.read_bytes().count(b"were not acknowledged within")
    except FileNotFoundError:
        return 0


def herd_checked(stack: Stack, device: dict) -> dict:
    """What the herd's pass left: every read matched, one presence event and a new place each."""
    with psycopg.connect(stack.pg.url()) as conn:
        device_id = _device_id(stack, device["code"])
        matched, unmatched = conn.execute(
            "SELECT count(animal_id), count(*) - count(animal_id) FROM livestock_tagread "
            "WHERE device_id = %s",
            [device_id],
        ).fetchone()
        events = conn.execute(
            "SELECT count(*), count(DISTINCT animal_id) FROM livestock_event "
            "WHERE kind = 'seen' AND source = %s",
            [f"livestock.readerdevice:{device_id}"],
        ).fetchone()
        moved = conn.execute(
            "SELECT count(*) FROM livestock_animal a JOIN livestock_readerdevice d ON d.farm_id = a.farm_id "
            "WHERE d.id = %s AND a.last_seen_where <> ''",
            [device_id],
        ).fetchone()[0]
    found = {
        "reads_matched": matched,
        "reads_unmatched": unmatched,
        "presence_events": events[0],
        "moved": moved,
    }
    if unmatched or events != (HERD, HERD) or moved != HERD:
        raise AssertionError(f"the herd's pass did not take the real path: {found}")
    return found


def copy_floor(stack: Stack, herd: list[str]) -> float:
    """The herd's reads, with their animals, written into the same table with one COPY."""
    device_id = _device_id(stack, stack.world["devices"][1]["code"])
    with psycopg.connect(stack.pg.url()) as conn:
        animals = dict(conn.execute("SELECT rfid, id FROM livestock_animal WHERE rfid = ANY(%s)", [herd]))
    now = datetime.now(UTC)
    rows = [
        (device_id, i * BURST + k, tag, now, now, k > 0, _line(tag)[:-2].decode(), animals[tag])
        for i, tag in enumerate(herd)
        for k in range(BURST)
    ]
    with psycopg.connect(stack.pg.url()) as conn:
        start = time.monotonic()
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY livestock_tagread (device_id, seq, tag, read_at, received_at, repeat, raw, animal_id) "
                "FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return len(rows) / (time.monotonic() - start)


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
    stack.start_bridge(device, cable, ack_timeout=60)
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
                if time.monotonic() - t0 > 120:  # a loaded machine: measured, not refused
                    raise TimeoutError(f"no presence event for {rfid}")
                time.sleep(0.005)
            samples.append((time.monotonic() - t0) * 1000)
            time.sleep(0.05)
    stop.set()
    loader.join()
    stack.stop("bridge")
    cable.pull()
    return statistics.quantiles(samples, n=20)[18]


def _herd(stack: Stack) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.ingest_world", str(HERD)],
        cwd=ROOT,
        env=stack.env(),
        capture_output=True,
    )
    if out.returncode:
        raise RuntimeError(f"registering the benchmark's herd failed:\n{out.stderr.decode()[-3000:]}")
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def run() -> dict:
    """Every figure, on one stack started and removed here."""
    stack = Stack.create()
    figures = {}

    def note(name):
        value = figures[name]["value"] if isinstance(figures[name], dict) else figures[name]
        print(f"   {name}: {value:.1f}", file=sys.stderr, flush=True)

    try:
        world = _herd(stack)
        herd, devices = world["rfids"], world["devices"]
        strangers = [f"999011{i:09d}" for i in range(HERD)]
        stack.start_worker()
        figures["copy_floor_reads_per_s"] = copy_floor(stack, herd)
        note("copy_floor_reads_per_s")
        real = ingest_throughput(stack, devices["herd"], herd)
        figures["ingest_reads_per_s"] = {
            **real,
            "herd": HERD,
            "burst": BURST,
            **herd_checked(stack, devices["herd"]),
        }
        note("ingest_reads_per_s")
        figures["ingest_share_of_copy_floor"] = real["value"] / figures["copy_floor_reads_per_s"]
        note("ingest_share_of_copy_floor")
        figures["ingest_unknown_reads_per_s"] = ingest_throughput(stack, devices["unknown"], strangers)
        note("ingest_unknown_reads_per_s")
        figures["read_to_record_p95_ms"] = latency_p95(stack)
        note("read_to_record_p95_ms")
        figures["orm_naive_reads_per_s"] = orm_naive(stack)
        note("orm_naive_reads_per_s")
        return figures
    finally:
        stack.close()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(run(), indent=1))
    subprocess.run(["true"])
