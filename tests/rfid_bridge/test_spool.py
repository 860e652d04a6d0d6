"""The durable spool: survives a crash, never reuses a seq, reports a full disk without losing reads."""

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from rfid_bridge.spool import Spool, SpoolError, inspect, is_disk_full


def read(n: int) -> dict:
    return {"tag": f"156{n:012d}", "at": "2025-01-02T03:04:05.678Z", "rep": n % 2 == 0, "raw": f'LA "{n}" \\'}


def test_append_fetch_delete(tmp_path):
    with Spool(tmp_path / "s.sqlite3", device="gate-1") as spool:
        assert spool.append([read(1), read(2), read(3)]) == [1, 2, 3]
        assert spool.pending == 3
        fetched = spool.fetch(after=0, limit=2)
        assert fetched == [{**read(1), "seq": 1}, {**read(2), "seq": 2}]
        assert spool.fetch(after=2) == [{**read(3), "seq": 3}]
        assert spool.delete_upto(2) == 2
        assert spool.pending == 1
        assert spool.stats()["oldest_seq"] == 3
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    body = db.execute("SELECT body FROM reads").fetchone()[0]
    assert body.startswith('{"tag":"156000000000003"')  # JSON text, not pickle


def test_crash_keeps_unsent_reads_and_seq_continues(tmp_path):
    path = tmp_path / "s.sqlite3"
    # A process that spools 100 reads, has 40 delivered, then dies without any clean-up.
    script = textwrap.dedent(
        f"""
        import os, signal
        from rfid_bridge.spool import Spool
        spool = Spool({str(path)!r}, device="gate-1")
        read = {{"tag": "156000000000001", "at": "2025-01-02T03:04:05.678Z", "rep": False, "raw": ""}}
        spool.append([read] * 100)
        spool.delete_upto(40)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=os.getcwd(), timeout=30)
    assert result.returncode == -9
    with Spool(path, device="gate-1") as spool:
        assert spool.pending == 60
        assert spool.last_seq == 100
        assert [r["seq"] for r in spool.fetch(limit=1000)] == list(range(41, 101))
        spool.delete_upto(100)
        assert spool.append([read(1)]) == [101]  # delivered seqs are never handed out again
    with Spool(path) as spool:
        assert spool.last_seq == 101
        assert spool.device == "gate-1"


def test_spool_belongs_to_one_device(tmp_path):
    Spool(tmp_path / "s.sqlite3", device="gate-1").close()
    with pytest.raises(SpoolError, match="gate-1"):
        Spool(tmp_path / "s.sqlite3", device="gate-2")


def test_disk_full(tmp_path):
    # max_page_count makes SQLite answer SQLITE_FULL exactly as it does on a full disk.
    with Spool(tmp_path / "s.sqlite3", device="gate-1", max_pages=12) as spool:
        seqs = []
        with pytest.raises(sqlite3.OperationalError) as error:
            for n in range(10_000):
                seqs += spool.append([read(n)] * 10)
        assert is_disk_full(error.value)
        assert "full" in str(error.value)
        # The failed transaction left nothing behind and used no seq.
        assert spool.last_seq == seqs[-1] == spool.pending
        assert [r["seq"] for r in spool.fetch(limit=100_000)] == seqs
        # Delivered reads make room again, and numbering carries on without a gap.
        spool.delete_upto(seqs[-1])
        assert spool.append([read(1)] * 10)[0] == seqs[-1] + 1
    assert is_disk_full(OSError(28, "No space left on device"))
    assert not is_disk_full(OSError(13, "Permission denied"))


def test_inspect(tmp_path):
    with pytest.raises(SpoolError, match="no such spool"):
        inspect(tmp_path / "missing.sqlite3")
    (tmp_path / "junk").write_text("not a database at all, " * 100)
    with pytest.raises(SpoolError, match="not a spool"):
        inspect(tmp_path / "junk")
    with Spool(tmp_path / "s.sqlite3", device="gate-1") as spool:
        spool.append([read(1), read(2)])
        stats = inspect(tmp_path / "s.sqlite3")  # while the bridge has it open
    assert stats["pending"] == 2 and stats["last_seq"] == 2 and stats["device"] == "gate-1"
    assert stats["oldest_at"] == "2025-01-02T03:04:05.678Z"
    # With no bridge running, looking creates nothing (no root-owned -wal/-shm files).
    assert inspect(tmp_path / "s.sqlite3")["pending"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk", "s.sqlite3"]
