"""Faults the tag-read path must survive: every read arrives, once.

A stream of uniquely numbered reads goes through a virtual serial cable into the real bridge,
through Redis to a real Celery worker and into PostgreSQL — each a process of its own (see
stack.py) — while one part is killed, restarted or cut off. Each test ends with a reconciliation
of every read id (device, seq): none missing, none twice, and every line written into the cable
stored exactly once. Among the reads are animals of the herd, each read once: each must get
exactly one presence event however often its batch was delivered.
"""

import contextlib
import random
import time
from datetime import UTC, datetime

import pytest

from rfid_bridge import iso11784, profiles, protocol

from .stack import Cable, free_port, wait_until

pytestmark = pytest.mark.faults

ALLFLEX = profiles.get("allflex")
RATE = 150  # lines per second into the cable
DRAIN_S = 120


def scenario(stack, n: int):
    device = stack.world["devices"][n]
    per = stack.world["per_scenario"]
    animals = stack.world["rfids"][n * per : (n + 1) * per]
    return device, animals


def tags_for(n: int, count: int, animals: list[str]) -> list[str]:
    """``count`` unique tags: test tags numbered by scenario, with the animals spread among them."""
    tags = [f"999{n:03d}{i:09d}" for i in range(count - len(animals))]
    rng = random.Random(n)
    for rfid in animals:
        tags.insert(rng.randrange(len(tags) + 1), rfid)
    return tags


def stream(cable: Cable, tags: list[str], actions: dict[int, object] | None = None, rate: float = RATE):
    """Write one line per tag at ``rate``; before line i, run actions[i] if there is one."""
    actions = actions or {}
    start = time.monotonic()
    for i, tag in enumerate(tags):
        if i in actions:
            actions[i]()
        cable.write(ALLFLEX.format(iso11784.from_decimal(tag[:3], tag[3:])))
        delay = start + (i + 1) / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def reconcile(stack, device, tags, animals, cable, *, kills=()):
    """Wait until the bridge has nothing left to deliver, then check every read id and every line.

    The bridge forgets a read only when a worker acknowledged it as committed, so an empty spool
    means every read id it handed out is in PostgreSQL. With ``kills`` (the line numbers at which
    the bridge was SIGKILLed), a line may be missing only if it was written shortly before a kill:
    the bridge had read it from the port and was making it durable (an fsync of its spool) when it
    was killed. Nothing else may be lost.
    """
    # Lines written in the 2.5 s before a kill: the spool's fsync takes tens of ms on a quiet
    # machine, but over a second when CI loads it (the kills below are 4 s apart).
    window = int(RATE * 2.5)
    with contextlib.suppress(TimeoutError):  # the checks below say what is missing
        wait_until(lambda: cable.pending() == 0, 30, step=0.1, what="the bridge to read the cable")
    emptied = datetime.now(UTC)

    def drained():
        status = stack.status_file(device)
        written = protocol.parse_iso(status.get("at"))
        if not written or written <= emptied or status["state"]["spool"] != 0:
            return None  # a status from before the last line was read says nothing
        rows = stack.stored(device)
        return rows if len(rows) >= status["detail"]["spool_last_seq"] else None

    with contextlib.suppress(TimeoutError):  # the checks below say what is missing
        wait_until(drained, DRAIN_S, step=0.5, what=f"the reads of {device['code']} to be stored")
    time.sleep(1)  # anything late or doubled would show now
    rows = stack.stored(device)
    seqs = [seq for seq, _tag in rows]
    stored_tags = [tag for _seq, tag in rows]
    # Read ids: the bridge numbers reads 1, 2, 3...: none missing, none twice.
    assert seqs == list(range(1, len(seqs) + 1)), "read ids missing or doubled"
    # Lines: each line written is stored once (and nothing that was not written).
    assert len(stored_tags) == len(set(stored_tags)), "a line was stored twice"
    assert set(stored_tags) <= set(tags)
    position = {tag: i for i, tag in enumerate(tags)}
    lost = sorted(position[t] for t in set(tags) - set(stored_tags))
    unexplained = [i for i in lost if not any(k - window <= i < k for k in kills)]
    assert not unexplained, (
        f"lost {len(lost)} lines, {len(unexplained)} of them away from a kill: lines {unexplained[:10]} "
        f"(kills at {list(kills)}); logs in {stack.base}"
    )
    gone = {tags[i] for i in lost}
    events = stack.seen_events([a for a in animals if a not in gone])
    assert set(events.values()) == {1}, "an animal read once must have exactly one presence event"
    return rows


@pytest.fixture
def cable(stack):
    cable = Cable(stack.base)
    cable.plug()
    yield cable
    stack.stop("bridge")
    cable.pull()


@pytest.fixture
def worker(stack):
    stack.start_worker()
    yield
    stack.stop("worker")


def test_worker_killed_three_times_mid_stream(stack, cable, worker):
    device, animals = scenario(stack, 0)
    tags = tags_for(0, 900, animals)
    stack.start_bridge(device, cable)

    def kill_and_restart():
        stack.kill("worker")
        stack.start_worker()

    stream(cable, tags, {200: kill_and_restart, 450: kill_and_restart, 700: kill_and_restart})
    reconcile(stack, device, tags, animals, cable)


def test_redis_killed_and_restarted(stack, cable, worker):
    device, animals = scenario(stack, 1)
    tags = tags_for(1, 800, animals)
    stack.start_bridge(device, cable)

    stream(cable, tags, {200: stack.redis.kill, 500: stack.redis.start})
    reconcile(stack, device, tags, animals, cable)


def test_postgres_restarted(stack, cable, worker):
    device, animals = scenario(stack, 2)
    tags = tags_for(2, 800, animals)
    stack.start_bridge(device, cable)
    stream(cable, tags, {300: stack.pg.restart})
    reconcile(stack, device, tags, animals, cable)


def test_bridge_killed_at_random_points(stack, cable, worker):
    device, animals = scenario(stack, 3)
    tags = tags_for(3, 2200, animals)
    stack.start_bridge(device, cable)
    rng = random.Random(2026)
    # Three kills at random points, 4 s (600 lines) apart or more, the last 4 s before the end.
    kills = [600 * (k + 1) + rng.randrange(0, 100) for k in range(3)]

    def kill_and_restart():
        stack.kill("bridge")
        time.sleep(rng.uniform(0.1, 1.0))  # lines keep arriving in the cable meanwhile
        stack.start_bridge(device, cable)

    stream(cable, tags, dict.fromkeys(kills, kill_and_restart))
    # Lines the bridge had read from the port but not yet made durable in its spool when SIGKILL
    # hit die with the process (the port cannot be read twice): only those may be missing. Every
    # read that reached the spool, i.e. every read id, must arrive once.
    reconcile(stack, device, tags, animals, cable, kills=kills)


def test_cable_pulled_and_plugged_ten_times(stack, cable, worker):
    device, animals = scenario(stack, 4)
    tags = tags_for(4, 1000, animals)
    stack.start_bridge(device, cable)

    def pull_and_plug():
        # A reader sends nothing while unplugged: let the bridge take what is in the cable first.
        wait_until(lambda: cable.pending() == 0, 5, step=0.05, what="the cable to empty")
        time.sleep(0.05)
        cable.pull()
        time.sleep(0.3)
        cable.plug()
        # The bridge notices, backs off and opens the new terminal behind the same path.
        wait_until(
            lambda: stack.status(device).get("connected"), 15, step=0.1, what="the bridge to reconnect"
        )

    stream(cable, tags, dict.fromkeys(range(50, 1000, 95), pull_and_plug))
    reconcile(stack, device, tags, animals, cable)


def test_server_unreachable_spool_grows_then_drains(stack, cable):
    """HTTP delivery (a site that reaches only the web server), with the server down for a while."""
    device, animals = scenario(stack, 5)
    tags = tags_for(5, 600, animals)
    port = free_port()
    stack.start_bridge(device, cable, server=f"http://127.0.0.1:{port}")
    stream(cable, tags)
    grown = wait_until(
        lambda: stack.status(device).get("spool", 0) >= len(tags) - 10, 20, what="the spool to grow"
    )
    assert grown and not stack.stored(device)
    stack.start_web(port)
    try:
        reconcile(stack, device, tags, animals, cable)
    finally:
        stack.stop("web")
