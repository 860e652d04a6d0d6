"""The durable local spool: every read is written here before it is sent.

SQLite in WAL mode, durable in two steps, so that a read taken from the port is safe from a
killed bridge at once and safe from a power cut before it leaves the spool:

1. ``append`` commits with ``synchronous=NORMAL``: the transaction is written to the WAL file
   without waiting for the disk. From then on it survives the bridge being killed (SIGKILL, a
   crash, the OOM killer): the operating system holds the written pages whatever the process does.
   A commit takes well under a millisecond, so the reads a bridge holds in memory only, and would
   lose with its process, are those of the last moment.
2. ``sync`` (the bridge calls it from a thread of its own, see bridge.py) fsyncs the WAL file:
   what was committed before it is then safe from a power cut too. Only reads up to
   ``synced_seq`` are handed out for sending (``fetch``), so a read the server has can never be
   lost from the spool and its seq handed out again.

The spool also allocates the bridge's sequence numbers: ``last_seq`` is kept in the same
transaction as the reads, so a seq is never handed out twice, even after the reads carrying it were
delivered and deleted. A read leaves the spool only when its delivery was confirmed, so a restart
sends whatever was left. Reads are stored as JSON text (never pickle). Checkpoints (copying the
WAL into the database file, with its fsyncs) run in ``sync`` too, never inside a commit.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import threading
import time
from json.encoder import encode_basestring_ascii as _str
from pathlib import Path

from . import protocol

SCHEMA = 1
_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS reads (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value NOT NULL);
"""


def _encode(read: dict) -> str:
    """A read as JSON text. Written out by hand: json.dumps is ~15x slower and this runs per read."""
    return (
        f'{{"tag":{_str(read["tag"])},"at":{_str(read["at"])},'
        f'"rep":{"true" if read["rep"] else "false"},"raw":{_str(read["raw"])}}}'
    )


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return None


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SpoolError(RuntimeError):
    """The spool cannot be used (wrong device, not a spool file); the message says why."""


def is_disk_full(exc: BaseException) -> bool:
    """True for the errors a full disk (or a full SQLite page budget) gives."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return code == sqlite3.SQLITE_FULL or "database or disk is full" in str(exc)
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


class Spool:
    """Unsent reads of one device. Thread-safe: one connection behind a lock.

    ``max_pages`` caps the database size in pages (SQLite ``max_page_count``); the tests use it to
    make a "full disk", which SQLite reports exactly as it reports a real one.
    """

    CHECKPOINT_EVERY = 1.0  # seconds: how often ``sync`` copies the WAL into the database file

    def __init__(self, path: str | os.PathLike, device: str | None = None, max_pages: int | None = None):
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        # What sync() needs; it never takes self._lock, so a slow disk never holds up a commit.
        self._sync_lock = threading.Lock()
        self._synced_seq = 0  # reads up to this seq are on the disk, safe from a power cut
        self._wal_fd: int | None = None
        self._checkpointer: sqlite3.Connection | None = None
        self._checkpoint_at = 0.0
        self._max_pages = max_pages
        try:
            self._setup(device, max_pages)
        except BaseException:
            self._db.close()
            raise

    def _setup(self, device: str | None, max_pages: int | None) -> None:
        db = self._db
        if db.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() != "wal":
            raise SpoolError(f"{self.path}: cannot switch the spool to WAL mode")
        # A commit writes the WAL without waiting for the disk (safe from a killed process at once);
        # sync() makes it safe from a power cut, and checkpoints, outside every commit.
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA wal_autocheckpoint=0")
        db.execute("PRAGMA journal_size_limit=16777216")  # give the -wal file back after a burst
        if max_pages:
            db.execute(f"PRAGMA max_page_count={int(max_pages)}")
        db.executescript(_SCHEMA_SQL)
        meta = dict(db.execute("SELECT key, value FROM meta"))
        if not meta:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("schema", SCHEMA), ("last_seq", 0), ("device", device or "")],
            )
            db.execute("COMMIT")
            meta = dict(db.execute("SELECT key, value FROM meta"))
        if meta.get("schema") != SCHEMA:
            raise SpoolError(f"{self.path}: spool schema {meta.get('schema')} is not {SCHEMA}")
        # A spool holds one device's seq numbers: reads sent under another device id would be
        # credited to the wrong reader.
        if device and meta.get("device") and meta["device"] != device:
            raise SpoolError(
                f"{self.path} is the spool of device {meta['device']!r}, not {device!r}: "
                "give each device its own spool file"
            )
        if device and not meta.get("device"):
            db.execute("UPDATE meta SET value = ? WHERE key = 'device'", (device,))
        self.device = device or meta.get("device") or ""
        self._last_seq = int(meta["last_seq"])
        self._pending = db.execute("SELECT count(*) FROM reads").fetchone()[0]

    # --- writing ---------------------------------------------------------------------------

    def append(self, reads: list[dict]) -> list[int]:
        """Give each read the next seq and store them all in one transaction; return the seqs.

        On any error nothing is stored and no seq is used; the error is raised (see is_disk_full).
        """
        if not reads:
            return []
        with self._lock:
            first = self._last_seq + 1
            seqs = list(range(first, first + len(reads)))
            rows = [(seq, _encode(read)) for seq, read in zip(seqs, reads, strict=True)]
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT INTO reads (seq, body) VALUES (?, ?)", rows)
                db.execute("UPDATE meta SET value = ? WHERE key = 'last_seq'", (seqs[-1],))
                db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
            self._last_seq = seqs[-1]
            self._pending += len(rows)
            return seqs

    def delete_upto(self, seq: int) -> int:
        """Forget every read with a seq up to ``seq`` (their delivery was confirmed)."""
        with self._lock:
            try:
                deleted = self._db.execute("DELETE FROM reads WHERE seq <= ?", (seq,)).rowcount
            except BaseException:
                self._rollback()
                raise
            self._pending -= deleted
            return deleted

    def delete_range(self, first: int, last: int) -> int:
        """Forget the reads with a seq from ``first`` to ``last`` (the server acknowledged them)."""
        with self._lock:
            try:
                deleted = self._db.execute(
                    "DELETE FROM reads WHERE seq BETWEEN ? AND ?", (first, last)
                ).rowcount
            except BaseException:
                self._rollback()
                raise
            self._pending -= deleted
            return deleted

    def _rollback(self) -> None:
        if self._db.in_transaction:  # SQLite may already have rolled back (e.g. on SQLITE_FULL)
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    # --- making it safe from a power cut -----------------------------------------------------

    def sync(self) -> int:
        """fsync what was committed, checkpoint now and then; return ``synced_seq``.

        Every read committed before the call is on the disk when it returns. Raises OSError or
        sqlite3.Error when the disk fails (the reads stay safe from a killed process meanwhile).
        """
        with self._sync_lock:
            target = self._last_seq  # committed: its frames are written to the WAL already
            if target > self._synced_seq or self._wal_fd is None:
                self._fsync_wal()
                self._synced_seq = target
            if time.monotonic() >= self._checkpoint_at:
                self._checkpoint_at = time.monotonic() + self.CHECKPOINT_EVERY
                self._checkpoint()
            return self._synced_seq

    def _fsync_wal(self) -> None:
        wal = Path(f"{self.path}-wal")
        if self._wal_fd is not None and os.fstat(self._wal_fd).st_ino != _inode(wal):
            os.close(self._wal_fd)  # SQLite holds no lock on the -wal file: closing this is safe
            self._wal_fd = None
        if self._wal_fd is None:
            try:
                self._wal_fd = os.open(wal, os.O_RDONLY)
            except FileNotFoundError:  # no WAL: everything is in the database file
                _fsync_path(self.path)
                return
            # The first time (a new spool, or reads a killed bridge left only in the page cache):
            # the database file and the directory entries of both files too.
            _fsync_path(self.path)
            _fsync_path(self.path.parent)
        os.fsync(self._wal_fd)  # fsync is per file: it flushes what SQLite wrote through its own fd

    def _checkpoint(self) -> None:
        """Copy the WAL into the database file without waiting for anyone (PASSIVE)."""
        if self._checkpointer is None:
            self._checkpointer = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=0
            )
            self._checkpointer.execute("PRAGMA synchronous=NORMAL")  # the checkpoint fsyncs both files
            if self._max_pages:
                self._checkpointer.execute(f"PRAGMA max_page_count={int(self._max_pages)}")
        try:
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.OperationalError as exc:
            if not is_disk_full(exc) and "locked" not in str(exc):
                raise
            # A full disk (the database file cannot grow) or another checkpoint: the WAL keeps
            # the reads meanwhile, and the next sync tries again.

    @property
    def synced_seq(self) -> int:
        """Reads up to this seq are on the disk; only they may be sent."""
        return self._synced_seq

    # --- reading ---------------------------------------------------------------------------

    def fetch(self, after: int = 0, limit: int = 500, upto: int | None = None) -> list[dict]:
        """The oldest unsent reads with a seq above ``after`` (and up to ``upto``), with their ``seq``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, body FROM reads WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                (after, protocol.MAX_SEQ if upto is None else upto, limit),
            ).fetchall()
        if not rows:
            return []
        # One json.loads for the whole batch: five times faster than one call per read.
        reads = json.loads(f"[{','.join(body for _, body in rows)}]")
        for (seq, _), read in zip(rows, reads, strict=True):
            read["seq"] = seq
        return reads

    @property
    def last_seq(self) -> int:
        return self._last_seq

    @property
    def pending(self) -> int:
        """How many reads wait for delivery."""
        return self._pending

    def stats(self) -> dict:
        with self._lock:
            row = self._db.execute("SELECT seq, body FROM reads ORDER BY seq LIMIT 1").fetchone()
            size = sum(p.stat().st_size for p in self._files() if p.exists())
        oldest = json.loads(row[1]) if row else None
        return {
            "path": str(self.path),
            "device": self.device,
            "pending": self._pending,
            "last_seq": self._last_seq,
            "oldest_seq": row[0] if row else None,
            "oldest_at": oldest.get("at") if oldest else None,
            "bytes": size,
        }

    def _files(self) -> list[Path]:
        return [self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")]

    def close(self) -> None:
        with self._sync_lock, self._lock:
            if self._checkpointer is not None:
                self._checkpointer.close()
            if self._wal_fd is not None:
                os.close(self._wal_fd)
                self._wal_fd = None
            self._db.close()  # the last connection: SQLite checkpoints and removes the WAL

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def inspect(path: str | os.PathLike) -> dict:
    """The stats of a spool file, read-only: safe while the bridge runs, creates and changes nothing."""
    path = Path(path)
    if not path.is_file():
        raise SpoolError(f"{path}: no such spool file")
    # Without a -wal file (no bridge running) open it immutable, so that not even SQLite's -wal
    # and -shm files are created: run as root, they would belong to root and lock the bridge out.
    wal_exists = Path(f"{path}-wal").exists()
    options = "mode=ro" if wal_exists else "mode=ro&immutable=1"
    db = sqlite3.connect(f"{path.resolve().as_uri()}?{options}", uri=True, timeout=10)
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"reads", "meta"} <= tables:
            raise SpoolError(f"{path}: not a spool file (no reads/meta tables)")
        meta = dict(db.execute("SELECT key, value FROM meta"))
        pending = db.execute("SELECT count(*) FROM reads").fetchone()[0]
        row = db.execute("SELECT seq, body FROM reads ORDER BY seq LIMIT 1").fetchone()
    except sqlite3.DatabaseError as exc:
        raise SpoolError(f"{path}: not a spool file ({exc})") from exc
    finally:
        db.close()
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    return {
        "path": str(path),
        "device": meta.get("device") or "",
        "pending": pending,
        "last_seq": int(meta.get("last_seq", 0)),
        "oldest_seq": row[0] if row else None,
        "oldest_at": json.loads(row[1]).get("at") if row else None,
        "bytes": sum(p.stat().st_size for p in files if p.exists()),
    }
