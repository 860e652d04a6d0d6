"""The running bridge: reader -> spool -> sender, plus heartbeats.

Four threads, each with one job, so a slow disk never stalls the serial port and a dead server
never stalls the disk:

* reader: serial lines -> profile -> de-duplication -> the intake queue (memory only);
* spooler: intake -> the spool, committed at once (a commit only writes, it does not wait for the
  disk: see spool.py), so that a bridge killed now loses only the reads of the last moment; when
  the spool cannot be written (disk full) the reads wait in a bounded memory buffer and the write
  is retried;
* syncer: makes what was committed safe from a power cut (fsync) and checkpoints the spool, away
  from the commits;
* sender: spool -> delivery, in order of seq, up to ``batch`` reads per message, as soon as they
  are synced; a read is deleted from the spool only once the server stored it: over HTTP when the
  server answered, through Celery when a worker acknowledged it (protocol, "Acknowledgements");
  a batch not acknowledged in time is sent again. It also sends the heartbeat.

What a SIGKILL costs is exactly the reads taken from the port and not yet committed: the status
file counts them (``detail.lines_taken``, ``detail.reads_spooled``, ``detail.in_memory``).

The main thread (``run``) writes the status file and waits for a stop (SIGTERM/SIGINT).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import queue
import tempfile
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__, protocol
from .dedupe import Deduplicator
from .delivery import DeliveryError
from .lines import Backoff
from .profiles import UNRECOGNISED, raw_text
from .reader import SerialLoop, open_port
from .spool import Spool, is_disk_full

log = logging.getLogger("rfid_bridge")

SPOOL_CHUNK = 5000  # reads per spool transaction at most
# What a kill may lose is the reads taken from the port and not yet committed. The reader takes
# no more while UNSPOOLED_MAX of them wait, unless the oldest waits for less than UNSPOOLED_AGE
# (then up to UNSPOOLED_CAP): a reader's fast stream is committed in fewer, larger transactions
# (make bench, ingest_reads_per_s: a commit every 32 reads cost the bridge more than its
# parsing), and a kill still loses at most UNSPOOLED_AGE of reads plus one commit's time. While
# the spool cannot be written the reads wait in memory (the alarm is raised). The port holds
# the rest, safe from a kill.
UNSPOOLED_MAX = 32
UNSPOOLED_AGE = 0.02  # seconds
UNSPOOLED_CAP = 2000
ACK_POLL = 0.1  # seconds between looks for acknowledgements while some are awaited


@dataclass
class _Sent:
    """A batch published and not yet acknowledged: its last seq, when it went, how often, how many."""

    last: int
    at: float
    tries: int
    count: int


@dataclass
class Settings:
    device: str
    port: str
    profile: object  # profiles.Profile or AutoProfile
    spool: Path
    secret: bytes
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1
    window: float = 3.0
    batch: int = 2000
    heartbeat: float = 30.0
    status_file: Path | None = None
    status_every: float = 5.0
    buffer_limit: int = 200_000  # reads held in memory while the spool cannot be written
    backoff_min: float = 0.5
    backoff_max: float = 30.0
    refused_retry: float = 60.0  # the server said no: ask again this seldom
    drain_timeout: float = 5.0  # on stop, how long to keep delivering what is spooled
    # A read is sent at once, unless a message went less than this before: then it waits for the
    # rest of the interval with the reads coming meanwhile, so that a reader's steady trickle is
    # not one message (one worker task, one database commit) per read.
    send_interval: float = 0.05
    ack_timeout: float = 60.0  # Celery: send a batch again when no worker acknowledged it by then
    inflight_max: int = 50  # Celery: batches published and not yet acknowledged, at most
    max_pages: int | None = None  # cap the spool (tests simulate a full disk with it)
    serial_options: dict = field(default_factory=dict)


class Bridge:
    def __init__(self, settings: Settings, delivery, opener=open_port):
        if not 1 <= settings.batch <= protocol.MAX_READS:
            raise ValueError(f"batch must be 1-{protocol.MAX_READS}")
        self.settings = settings
        self.delivery = delivery
        self.spool = Spool(settings.spool, device=settings.device, max_pages=settings.max_pages)
        self.dedupe = Deduplicator(settings.window)
        self._opener = opener

        self._intake: queue.SimpleQueue = queue.SimpleQueue()
        self._buffer: deque = deque()  # reads not yet written to the spool
        self._work = threading.Event()  # the spool has something new for the sender
        self._committed = threading.Event()  # the spool has something new for the syncer
        self._freed = threading.Event()  # reads left the spool: a full one may take more now
        self._spooled = threading.Event()  # a commit: the reader may take more from the port
        # Reads not yet committed all came in after this (monotonic; see _unspooled_ok).
        self._uncommitted_since = time.monotonic()
        self._taken_at = self._uncommitted_since  # when the spooler last emptied the intake
        self._stop_reader = threading.Event()
        self._stop_spooler = threading.Event()
        self._stop_syncer = threading.Event()
        self._stop_sender = threading.Event()
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []

        # Counters since start (the heartbeat reports them).
        self.lines_taken = 0  # lines the port gave, tags or not (a half line cut off included)
        self.reads_spooled = 0  # reads committed to the spool
        self.raw_reads = 0
        self.sightings = 0
        self.non_tags = 0
        self.non_tag_kinds: Counter = Counter()
        self.last_read_at: str | None = None
        self.delivered = 0
        self.acknowledged = 0  # reads the workers said they stored (Celery delivery)
        self.awaiting_ack = 0
        self.payloads = 0
        self._inflight: dict[int, _Sent] = {}  # first seq -> batch (sender thread only)
        self._next_ack_poll = 0.0
        self.dropped = 0  # reads lost because the memory buffer overflowed
        self.connected = False
        self._port_changed = False
        self.port_error: str | None = None
        self.spool_alarm: str | None = None
        self.sync_alarm: str | None = None
        self.delivery_alarm: str | None = None
        self.heartbeats_sent = 0
        self._non_tag_logged: dict[str, float] = {}
        self._next_heartbeat = 0.0  # the first heartbeat goes out at once
        self._spooler_deadline = float("inf")
        self._chunk = SPOOL_CHUNK  # reads per spool transaction; smaller while the disk is full
        self._loop: SerialLoop | None = None

    # --- reader thread ---------------------------------------------------------------------

    def _on_line(self, line: bytes, at: float) -> None:
        self.lines_taken += 1
        text = line.decode("latin-1")  # every byte maps to one character: decoding cannot fail
        result = self.settings.profile.parse(text)
        if result.ok:
            rep = self.dedupe.is_repeat(result.tag, time.monotonic())
            stamp = protocol.iso_ms(at)
            self._intake.put({"tag": result.tag, "at": stamp, "rep": rep, "raw": raw_text(text)})
            self.raw_reads += 1
            self.sightings += not rep
            self.last_read_at = stamp
        else:
            self._non_tag(result.kind, result.error, text)

    def _ready(self) -> bool:
        """May the reader take more from the port? Not while too many, or too old, reads wait
        for their commit (UNSPOOLED_MAX)."""
        if self.spool_alarm or self._unspooled_ok():
            return True
        self._spooled.clear()
        if self._unspooled_ok():
            return True
        self._spooled.wait(0.05)
        return False

    def _unspooled_ok(self) -> bool:
        waiting = self._intake.qsize() + len(self._buffer)
        if waiting < UNSPOOLED_MAX:
            return True
        # Every read not yet committed came in after ``_uncommitted_since`` (set by the spooler:
        # an upper bound on the oldest one's age, never an underestimate).
        return waiting < UNSPOOLED_CAP and time.monotonic() - self._uncommitted_since < UNSPOOLED_AGE

    def _on_partial(self, line: bytes) -> None:
        self.lines_taken += 1
        self._non_tag(UNRECOGNISED, "half line cut off when the port was lost", line.decode("latin-1"))

    def _non_tag(self, kind: str, error: str | None, text: str) -> None:
        self.non_tags += 1
        self.non_tag_kinds[kind] += 1
        # Logged, but at most once a minute per kind: a loose cable can send thousands a second.
        now = time.monotonic()
        if now - self._non_tag_logged.get(kind, -1e9) >= 60:
            self._non_tag_logged[kind] = now
            log.info(
                "not a tag (%s): %s: %r (%d such lines so far)",
                kind,
                error,
                raw_text(text),
                self.non_tag_kinds[kind],
            )

    def _on_port_state(self, connected: bool, error: str | None) -> None:
        self._port_changed = self._port_changed or connected != self.connected
        self.connected = connected
        if connected:
            self.port_error = None
        elif error:
            self.port_error = error

    # --- spooler thread --------------------------------------------------------------------

    def _spooler(self) -> None:
        backoff = Backoff(0.2, 5.0)
        retry_at = 0.0
        while True:
            stopping = self._stop_spooler.is_set()
            self._take_intake(block=not self._buffer and not stopping)
            if self._freed.is_set():
                self._freed.clear()
                retry_at = 0.0  # delivered reads made room: no need to wait out the back-off
            if self._buffer and time.monotonic() >= retry_at:
                if self._write_buffer():
                    backoff.reset()
                else:
                    retry_at = time.monotonic() + backoff.next()
            drained = not self._buffer and self._intake.empty()
            if stopping and (drained or time.monotonic() >= self._spooler_deadline):
                if self._buffer:
                    log.error(
                        "stopping with %d reads that could not be spooled: they are lost", len(self._buffer)
                    )
                return
            if self._buffer and not stopping:
                self._stop_spooler.wait(min(0.05, max(0.0, retry_at - time.monotonic())))

    def _take_intake(self, block: bool) -> None:
        try:
            item = self._intake.get(timeout=0.25) if block else self._intake.get_nowait()
        except queue.Empty:
            return
        items = [item]
        while len(items) < SPOOL_CHUNK * 4:
            looked = time.monotonic()
            try:
                items.append(self._intake.get_nowait())
            except queue.Empty:
                # Emptied: what the intake holds from now on came in after ``looked``.
                self._taken_at = looked
                break
        room = self.settings.buffer_limit - len(self._buffer)
        if len(items) > room:
            lost = len(items) - max(room, 0)
            self.dropped += lost
            items = items[: max(room, 0)]
            log.error("memory buffer full (%d reads): %d reads lost", self.settings.buffer_limit, lost)
        self._buffer.extend(items)

    def _write_buffer(self) -> bool:
        """Write the buffered reads to the spool; False when it cannot be written now."""
        while self._buffer:
            chunk = list(itertools.islice(self._buffer, self._chunk))
            try:
                self.spool.append(chunk)
            except Exception as exc:  # noqa: BLE001 - any failure to write must keep the bridge up
                if is_disk_full(exc) and len(chunk) > 1:
                    # A nearly full disk may still take fewer reads: halve the transaction.
                    self._chunk = max(1, len(chunk) // 2)
                    continue
                self._spool_failed(exc)
                return False
            for _ in chunk:
                self._buffer.popleft()
            self.reads_spooled += len(chunk)
            if not self._buffer:
                # All taken reads are committed: those still in the intake came in after the take.
                self._uncommitted_since = self._taken_at
            self._committed.set()
            self._spooled.set()
            self._chunk = min(SPOOL_CHUNK, self._chunk * 2)
            if self.spool_alarm:
                log.warning(
                    "spool writable again; %d reads held in memory are being written", len(self._buffer)
                )
                self.spool_alarm = None
        return True

    def _spool_failed(self, exc: BaseException) -> None:
        if is_disk_full(exc):
            alarm = (
                f"SPOOL FULL: the spool cannot be written ({exc}); {len(self._buffer)} reads held in memory"
            )
        else:
            alarm = (
                f"SPOOL WRITE FAILED: {type(exc).__name__}: {exc}; {len(self._buffer)} reads held in memory"
            )
        if self.spool_alarm is None or self.spool_alarm.split(":")[0] != alarm.split(":")[0]:
            log.error("ALARM %s", alarm)
        self.spool_alarm = alarm

    # --- syncer thread ---------------------------------------------------------------------

    def _syncer(self) -> None:
        backoff = Backoff(0.2, 5.0)
        while True:
            stopping = self._stop_syncer.is_set()
            # Every commit wakes it; once a second it also looks in for a checkpoint.
            self._committed.wait(1.0 if not stopping else 0)
            self._committed.clear()
            before = self.spool.synced_seq
            try:
                synced = self.spool.sync()
            except Exception as exc:  # noqa: BLE001 - a failing disk must not stop the bridge
                alarm = f"SPOOL SYNC FAILED: {type(exc).__name__}: {exc}; reads are not sent until it works"
                if self.sync_alarm is None:
                    log.error("ALARM %s", alarm)
                self.sync_alarm = alarm
                if self._stop_syncer.wait(backoff.next()):
                    return
                self._committed.set()
                continue
            backoff.reset()
            if self.sync_alarm:
                log.warning("the spool is synced again")
                self.sync_alarm = None
            if synced > before:
                self._work.set()
            if stopping:
                return

    # --- sender thread ---------------------------------------------------------------------

    def _sender(self) -> None:
        settings = self.settings
        backoff = Backoff(settings.backoff_min, settings.backoff_max)
        # Over HTTP a returned send means stored; through Celery only the worker's acknowledgement
        # does (protocol, "Acknowledgements"): until then a batch waits in self._inflight.
        acks = not getattr(self.delivery, "confirms", True)
        sent_upto = 0  # highest seq handed to the delivery since start
        confirmed = 0  # (confirming deliveries) highest seq stored by the server
        deleted_upto = 0
        retry_at = 0.0  # after a failure, no delivery before this (heartbeats still go out)
        last_sent = -1e9
        drain_deadline = None
        if acks:
            self._take_acks()  # what the workers stored before a restart need not go again
        while True:
            stopping = self._stop_sender.is_set()
            now = time.monotonic()
            if stopping and drain_deadline is None:
                drain_deadline = now + settings.drain_timeout
            if now >= self._next_heartbeat and not stopping:
                self._send_heartbeat()
            if confirmed > deleted_upto:
                deleted_upto = self._delete(confirmed, deleted_upto)
            if now < retry_at:
                if stopping:
                    log.info("stopping while delivery fails; %d reads stay in the spool", self.spool.pending)
                    return
                self._stop_sender.wait(max(0.0, min(retry_at, self._next_heartbeat) - now))
                continue
            if self._inflight and now >= self._next_ack_poll:
                self._take_acks()
            self._work.clear()
            overdue = self._overdue(now) if acks else None
            try:
                if overdue:
                    first, sent = overdue
                    upto = min(sent.last, self.spool.synced_seq)
                    reads = self.spool.fetch(after=first - 1, limit=settings.batch, upto=upto)
                    if not reads:  # acknowledged or forgotten meanwhile
                        self._forget_inflight(first)
                        continue
                elif acks and len(self._inflight) >= settings.inflight_max:
                    reads = []  # enough unacknowledged: wait for the workers
                else:
                    linger = last_sent + settings.send_interval - time.monotonic()
                    waiting = self.spool.synced_seq - sent_upto
                    if linger > 0 and 0 < waiting < settings.batch and not stopping:
                        self._stop_sender.wait(linger)
                        continue
                    # Only what is on the disk: a read the server has must never be lost by
                    # a power cut and its seq handed out again.
                    reads = self.spool.fetch(
                        after=sent_upto, limit=settings.batch, upto=self.spool.synced_seq
                    )
            except Exception as exc:  # noqa: BLE001 - keep running; the spool may come back
                log.error("cannot read the spool: %s", exc)
                if stopping:
                    return
                retry_at = time.monotonic() + backoff.next()
                continue
            if not reads:
                if stopping and (not self._inflight or time.monotonic() >= drain_deadline):
                    if self._inflight:
                        log.info(
                            "stopping with %d reads not acknowledged; they are sent again at the next start",
                            self.awaiting_ack,
                        )
                    return
                idle = ACK_POLL if self._inflight else min(1.0, self._next_heartbeat - time.monotonic())
                self._work.wait(max(0.0, idle))
                continue
            if stopping and time.monotonic() >= drain_deadline:
                log.info(
                    "stopping with %d reads in the spool; they are sent at the next start", self.spool.pending
                )
                return
            payload = protocol.reads_payload(settings.device, reads, settings.secret)
            try:
                self.delivery.send_reads(payload)
            except DeliveryError as exc:
                if stopping:
                    log.info(
                        "stopping: delivery failed (%s); %d reads stay in the spool", exc, self.spool.pending
                    )
                    return
                delay = settings.refused_retry if exc.refused else backoff.next()
                self._delivery_failed(exc, delay)
                retry_at = time.monotonic() + delay
                continue
            backoff.reset()
            if not overdue:
                last_sent = time.monotonic()
            first, last = reads[0]["seq"], reads[-1]["seq"]
            if acks:
                tries = 1
                if overdue:
                    tries = overdue[1].tries + 1
                    self._forget_inflight(overdue[0])
                    self._resent(first, last, tries)
                self._inflight[first] = _Sent(last, time.monotonic(), tries, len(reads))
                self.awaiting_ack += len(reads)
            else:
                confirmed = last
            sent_upto = max(sent_upto, last)
            self.delivered += len(reads)
            self.payloads += 1
            if self.delivery_alarm and not (acks and self.delivery_alarm.startswith("NOT ACKNOWLEDGED")):
                log.warning("delivery works again")
                self.delivery_alarm = None

    def _overdue(self, now: float) -> tuple[int, _Sent] | None:
        """The oldest batch whose acknowledgement is overdue (the wait doubles with each try)."""
        timeout = self.settings.ack_timeout
        for first, sent in self._inflight.items():
            if now >= sent.at + timeout * 2 ** min(sent.tries - 1, 4):
                return first, sent
        return None

    def _forget_inflight(self, first: int) -> None:
        sent = self._inflight.pop(first, None)
        if sent:
            self.awaiting_ack -= sent.count

    def _resent(self, first: int, last: int, tries: int) -> None:
        waited = self.settings.ack_timeout * 2 ** min(tries - 2, 4)
        log.warning(
            "reads %d-%d were not acknowledged within %.0f s: sent again (try %d)", first, last, waited, tries
        )
        if tries >= 3:
            alarm = (
                f"NOT ACKNOWLEDGED: reads {first}-{last} sent {tries} times and not yet stored by the "
                "server; are the workers of the rfid queue running?"
            )
            if self.delivery_alarm != alarm:
                log.error("ALARM %s", alarm)
            self.delivery_alarm = alarm

    def _take_acks(self) -> None:
        """Forget the reads the workers acknowledged as stored."""
        self._next_ack_poll = time.monotonic() + ACK_POLL
        try:
            ranges = self.delivery.take_acks(self.settings.device)
        except DeliveryError as exc:
            log.debug("cannot fetch acknowledgements: %s", exc)  # sending fails loudly meanwhile
            return
        for first, last in ranges:
            try:
                self.acknowledged += self.spool.delete_range(first, last)
                self._freed.set()
            except Exception as exc:  # noqa: BLE001 - not deleted means only sent again
                log.error("cannot delete acknowledged reads %d-%d from the spool (%s)", first, last, exc)
                continue
            for key in [k for k, sent in self._inflight.items() if first <= k and sent.last <= last]:
                self._forget_inflight(key)
        if ranges and self.delivery_alarm and self.delivery_alarm.startswith("NOT ACKNOWLEDGED"):
            log.warning("the server acknowledges reads again")
            self.delivery_alarm = None

    def _delete(self, confirmed: int, deleted_upto: int) -> int:
        try:
            self.spool.delete_upto(confirmed)
        except Exception as exc:  # noqa: BLE001 - delivered reads not deleted are only sent again
            log.error("cannot delete delivered reads from the spool (%s); trying again later", exc)
            return deleted_upto
        self._freed.set()
        return confirmed

    def _delivery_failed(self, exc: DeliveryError, delay: float) -> None:
        if exc.refused:
            alarm = (
                f"DELIVERY REFUSED: {exc}; {self.spool.pending} reads kept, asking again every {delay:.0f} s"
            )
        else:
            alarm = f"DELIVERY FAILING: {exc}; {self.spool.pending} reads waiting"
        level = logging.ERROR if exc.refused or self.delivery_alarm is None else logging.WARNING
        log.log(level, "ALARM %s (next try in %.1f s)", alarm, delay)
        self.delivery_alarm = alarm

    def _send_heartbeat(self) -> None:
        self._next_heartbeat = time.monotonic() + self.settings.heartbeat
        payload = protocol.heartbeat_payload(self.settings.device, self.state(), self.settings.secret)
        try:
            self.delivery.send_heartbeat(payload)
            self.heartbeats_sent += 1
        except DeliveryError as exc:
            log.warning("heartbeat not delivered: %s", exc)

    # --- state -----------------------------------------------------------------------------

    @property
    def bytes_read(self) -> int:
        """Bytes the port delivered since start: 0 with a reader sending means cable or baud rate."""
        return self._loop.bytes_read if self._loop else 0

    def alarm(self) -> str | None:
        alarms = [self.spool_alarm, self.sync_alarm, self.delivery_alarm]
        if not self.connected and self.port_error:
            alarms.append(f"READER DISCONNECTED: {self.port_error}")
        if self.dropped:
            alarms.append(f"READS LOST: {self.dropped} reads dropped since start (memory buffer full)")
        alarms = [a for a in alarms if a]
        return "; ".join(alarms)[:500] if alarms else None

    def state(self) -> dict:
        """The heartbeat's state (protocol.STATE_TYPES)."""
        return {
            "connected": self.connected,
            "port": self.settings.port,
            "spool": self.spool.pending + len(self._buffer) + self._intake.qsize(),
            "last_read_at": self.last_read_at,
            "raw_reads": self.raw_reads,
            "sightings": self.sightings,
            "non_tags": self.non_tags,
            "alarm": self.alarm(),
            "version": __version__,
        }

    def status(self) -> dict:
        """The status file: the heartbeat's state and the details behind it."""
        return {
            "device": self.settings.device,
            "at": protocol.iso_ms(),
            "state": self.state(),
            "detail": {
                "profile": self.settings.profile.name,
                "delivery": self.delivery.describe(),
                "spool_file": str(self.settings.spool),
                "spool_last_seq": self.spool.last_seq,
                "spool_synced_seq": self.spool.synced_seq,
                # Taken from the port, and where it is: a SIGKILL loses exactly in_memory.
                "lines_taken": self.lines_taken,
                "reads_spooled": self.reads_spooled,
                "in_memory": len(self._buffer) + self._intake.qsize(),
                "bytes_read": self.bytes_read,
                "non_tag_kinds": dict(self.non_tag_kinds),
                "delivered": self.delivered,
                "acknowledged": self.acknowledged,
                "awaiting_ack": self.awaiting_ack,
                "payloads": self.payloads,
                "dropped": self.dropped,
                "heartbeats_sent": self.heartbeats_sent,
                "pid": os.getpid(),
            },
        }

    def write_status(self) -> None:
        path = self.settings.status_file
        if not path:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
            with os.fdopen(fd, "w") as out:
                json.dump(self.status(), out, indent=1)
            os.replace(tmp, path)  # readers never see half a file
        except OSError as exc:
            log.warning("cannot write the status file %s: %s", path, exc)

    # --- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        settings = self.settings
        log.info(
            "bridge %s for device %s: port %s, profile %s, spool %s (%d unsent, last seq %d), delivery %s",
            __version__,
            settings.device,
            settings.port,
            settings.profile.name,
            settings.spool,
            self.spool.pending,
            self.spool.last_seq,
            self.delivery.describe(),
        )
        self._loop = loop = SerialLoop(
            settings.port,
            on_line=self._on_line,
            on_state=self._on_port_state,
            on_partial=self._on_partial,
            stop=self._stop_reader,
            backoff=Backoff(settings.backoff_min, settings.backoff_max),
            serial_options={
                "baudrate": settings.baudrate,
                "bytesize": settings.bytesize,
                "parity": settings.parity,
                "stopbits": settings.stopbits,
                **settings.serial_options,
            },
            opener=self._opener,
            ready=self._ready,
        )
        jobs = (
            ("reader", loop.run, self._stop_reader),
            ("spooler", self._spooler, self._stop_spooler),
            ("syncer", self._syncer, self._stop_syncer),
            ("sender", self._sender, self._stop_sender),
        )
        for name, target, stop in jobs:
            thread = threading.Thread(
                target=self._keep_running, args=(name, target, stop), name=f"rfid-{name}"
            )
            thread.daemon = True
            thread.start()
            self._threads.append(thread)

    @staticmethod
    def _keep_running(name: str, target, stop: threading.Event) -> None:
        """Run one of the bridge's loops; should it ever fail unexpectedly, log it and start it again."""
        while True:
            try:
                target()
                return
            except Exception:  # noqa: BLE001 - a bug in one loop must not stop the bridge for good
                log.exception("ALARM the %s loop failed unexpectedly; starting it again in 1 s", name)
                if stop.wait(1.0):
                    return

    def stop(self) -> None:
        """Ask the bridge to stop (safe from a signal handler); ``run`` returns when it has."""
        self._stopped.set()

    def run(self) -> None:
        """Run until ``stop``; then flush: reader off, everything read into the spool, then deliver."""
        if not self._threads:
            self.start()
        self.write_status()
        written = time.monotonic()
        while not self._stopped.wait(0.2):
            # Every status_every seconds, and at once when the reader connects or is lost.
            if self._port_changed or time.monotonic() - written >= self.settings.status_every:
                self._port_changed = False
                self.write_status()
                written = time.monotonic()
        self.shutdown()

    def shutdown(self) -> None:
        reader, spooler, syncer, sender = self._threads
        self._stop_reader.set()
        reader.join()
        self._spooler_deadline = time.monotonic() + self.settings.drain_timeout
        self._stop_spooler.set()
        spooler.join()
        self._stop_syncer.set()  # a last sync of everything spooled, then the sender drains
        self._committed.set()
        syncer.join()
        self._stop_sender.set()
        self._work.set()
        sender.join()
        self.write_status()
        self.spool.close()
        self.delivery.close()
        log.info(
            "bridge stopped: %d raw reads, %d sightings, %d non-tag lines, %d delivered",
            self.raw_reads,
            self.sightings,
            self.non_tags,
            self.delivered,
        )
