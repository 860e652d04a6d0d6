"""The program as field staff run it: `python -m rfid_bridge ...` in its own process.

Killed with SIGKILL mid-stream and started again, it loses no spooled read; SIGTERM stops it
cleanly; the small commands (parse, profiles, status, simulate) work; a socat cable works.
"""

import json
import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from rfid_bridge import protocol
from rfid_bridge.iso11784 import Code
from rfid_bridge.spool import inspect
from tests.faults.kills import Kill, Writer, account, loss_bound

from .conftest import SECRET, MemoryDelivery, Sink, make_settings, need_binary, tag_lines, wait_until

ROOT = Path(__file__).resolve().parents[2]


def bridge_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RFID_BRIDGE_")}
    return {**env, "RFID_BRIDGE_SECRET": SECRET.decode(), "PYTHONPATH": str(ROOT), **extra}


def rfid_bridge(*args, stdin: bytes = b"", env=None, timeout=30) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rfid_bridge", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env or bridge_env(),
        timeout=timeout,
    )


def start_bridge(cable_path, sink_url, spool, *extra) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rfid_bridge",
            "run",
            "--device",
            "gate-k",
            "--port",
            str(cable_path),
            "--server",
            sink_url,
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
            *extra,
        ],  # fmt: skip
        cwd=ROOT,
        env=bridge_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.fixture
def sink():
    server = Sink()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_sigkill_mid_stream_loses_only_what_it_had_not_spooled(tmp_path, cable, sink):
    """Killed with SIGKILL four times while a reader sends 1000 distinct lines a second.

    Every line written is compared with every read spooled (tests/faults/kills.py): no line
    spooled twice, every seq delivered, and the only lines missing are, at each kill, those the
    bridge had taken from the port and not yet committed — at most 50 ms of lines.
    """
    rate = 1000
    spool = tmp_path / "spool.sqlite3"
    lines, tags = tag_lines(60_000)
    line_of = dict(zip(tags, lines, strict=True))
    writer = Writer(lambda tag: cable.lines([line_of[tag]]), tags, rate)
    rng = random.Random(5)
    kills = []
    process = start_bridge(cable.path, sink.url, spool)
    writer.start()
    try:
        for _ in range(4):
            before = len(sink.reads)
            wait_until(lambda b=before: len(sink.reads) > b + 300, what="reads flowing")
            # It keeps up with the reader (the backlog of its restart is read), then, at a
            # random moment 0.1-0.5 s later: SIGKILL.
            wait_until(lambda: cable.pending() < 64, what="the bridge to catch up")
            due = writer.written + rng.randrange(rate // 10, rate // 2)
            wait_until(lambda d=due: writer.written >= d, what="lines written")
            process.send_signal(signal.SIGKILL)
            assert process.wait(10) == -signal.SIGKILL
            kills.append(Kill(written=writer.written, spool_last_seq=inspect(spool)["last_seq"]))
            process = start_bridge(cable.path, sink.url, spool)
        before = len(sink.reads)
        wait_until(lambda: len(sink.reads) > before + 300, what="reads flowing after the last restart")
    finally:
        writer.stop()
    try:
        # Everything written is read, then SIGTERM: spooled, delivered, exit 0.
        wait_until(lambda: cable.pending() == 0, what="the bridge to read the cable")
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0, process.stderr.read().decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert writer.error is None
    stats = inspect(spool)
    assert stats["pending"] == 0
    by_seq = {}
    for read in sink.reads:  # at least once: a read sent just before a kill may come twice
        assert by_seq.setdefault(read["seq"], read) == read, "one seq, two different reads"
    rows = [(seq, read["tag"]) for seq, read in sorted(by_seq.items())]
    assert rows[-1][0] == stats["last_seq"]
    assert account(tags[: writer.written], rows, kills) == [], "lines lost away from a kill"
    lost = [len(kill.lost) for kill in kills]
    print(f"\nSIGKILL test: {len(kills)} kills, {stats['last_seq']} reads spooled of {writer.written} lines, "
          f"lines lost at each kill {lost} (bound {loss_bound(rate)})")  # fmt: skip
    assert max(lost) <= loss_bound(rate), [kill.lost for kill in kills]


def test_sigterm_flushes_and_exits_cleanly(tmp_path, cable, sink):
    spool = tmp_path / "spool.sqlite3"
    status = tmp_path / "status.json"
    process = start_bridge(cable.path, sink.url, spool, "--status-file", str(status))
    try:
        wait_until(
            lambda: status.exists() and json.loads(status.read_text())["state"]["connected"], what="the port"
        )
        lines, tags = tag_lines(500)
        cable.lines(lines)
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert sorted(r["tag"] for r in sink.reads) == sorted(tags)
    assert inspect(spool)["pending"] == 0
    final = json.loads(status.read_text())
    assert final["state"]["raw_reads"] == 500 and final["detail"]["delivered"] == 500

    shown = rfid_bridge("status", "--spool", str(spool), "--status-file", str(status))
    assert shown.returncode == 0
    assert "last seq    500" in shown.stdout.decode() and "unsent      0 reads" in shown.stdout.decode()
    as_json = json.loads(rfid_bridge("status", "--spool", str(spool), "--json").stdout)
    assert as_json["spool"]["last_seq"] == 500


def test_parse_command():
    stdin = (
        b"LA 982 000001088420\r\n\x02\r\n\r\nLR 0006 0000000018514243\r\n8000F9DCBE991A14\r\n"
        b"noise\r\nLA 982 0000"
    )
    result = rfid_bridge("parse", "--profile", "auto", stdin=stdin)
    assert result.returncode == 0
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [o["ok"] for o in out] == [True, False, False, False, True, False, False]
    assert out[0] == {
        "ok": True,
        "tag": "982000001088420",
        "profile": "allflex",
        "raw": "LA 982 000001088420",
    }
    assert out[1]["kind"] == "control" and out[1]["raw"] == "\\x02"
    assert out[3]["kind"] == "non_animal"
    assert out[4]["tag"] == "999123456789012" and out[4]["profile"] == "full-hex"
    assert out[6]["error"]  # the half line at the end
    assert "7 lines: 2 tags" in result.stderr.decode()

    only = rfid_bridge("parse", "--profile", "allflex", stdin=b"8000F9DCBE991A14\n")
    assert json.loads(only.stdout)["ok"] is False

    custom = rfid_bridge("parse", "--pattern", r"ID:(?P<cc>\d{3})-(?P<nid>\d{12})", "--fields",
                         "country=cc,national_id=nid", stdin=b"ID:156-000123456789\n")  # fmt: skip
    assert json.loads(custom.stdout) == {"ok": True, "tag": "156000123456789", "profile": "custom",
                                         "raw": "ID:156-000123456789"}  # fmt: skip


def test_parse_auto_reads_the_allflex_template_with_every_separator():
    from .test_profiles import TEMPLATE_PREFIXES, TEMPLATE_SEPARATORS, template_line

    codes = [Code(156, n) for n in range(1, 26)]
    pairs = [(p, s) for p in TEMPLATE_PREFIXES for s in TEMPLATE_SEPARATORS]
    lines = [template_line(p, s, code) for (p, s), code in zip(pairs, codes, strict=True)]
    result = rfid_bridge(
        "parse", "--profile", "auto", stdin="".join(f"{line}\r\n" for line in lines).encode()
    )
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [o["tag"] for o in out] == [code.tag for code in codes]
    assert {o["profile"] for o in out} == {"allflex-template"}
    assert "25 lines: 25 tags" in result.stderr.decode()


def test_config_file_profiles(tmp_path):
    config = tmp_path / "bridge.toml"
    config.write_text(
        '[bridge]\nprofile = "scanner"\n\n'
        "[profiles.scanner]\n"
        "pattern = 'T(?P<cc>[0-9]{3})/(?P<nid>[0-9]{12})'\n"
        'fields = { country = "cc", national_id = "nid" }\n'
        'description = "the gate scanner"\n'
    )
    result = rfid_bridge("parse", "--config", str(config), stdin=b"T156/000123456789\n")
    assert json.loads(result.stdout)["tag"] == "156000123456789"
    listing = rfid_bridge("profiles", "--config", str(config), "--json")
    names = [p["name"] for p in json.loads(listing.stdout)]
    assert names[-1] == "scanner" and "allflex" in names and "auto" in names
    assert "allflex-s2000" in rfid_bridge("profiles").stdout.decode()

    config.write_text("[profiles.scanner]\npattern = '(unclosed'\n")
    broken = rfid_bridge("parse", "--config", str(config), stdin=b"")
    assert broken.returncode == 2 and "not a valid regular expression" in broken.stderr.decode()


RUN = ["--device", "g1", "--port", "/dev/null", "--server", "http://x"]


@pytest.mark.parametrize(
    "args, env, message",
    [
        (RUN[2:], {}, "--device is required"),
        (RUN[:2] + RUN[4:], {}, "--port is required"),
        (RUN[:4], {}, "exactly one of --broker"),
        ([*RUN[:5], "ftp://x"], {}, "http://"),
        ([*RUN, "--profile", "nope"], {}, "unknown profile"),
        (RUN, {"RFID_BRIDGE_SECRET": ""}, "no device secret"),
        ([*RUN, "--batch", "9000"], {}, "--batch"),
        (RUN, {"RFID_BRIDGE_WINDOW": "soon"}, "RFID_BRIDGE_WINDOW"),
    ],
)
def test_run_refuses_bad_settings(args, env, message):
    result = rfid_bridge("run", *args, env=bridge_env(**env))
    assert result.returncode == 2
    assert message in result.stderr.decode()


def test_secret_file(tmp_path):
    from rfid_bridge.config import ConfigError, read_secret

    secret = tmp_path / "gate-1.secret"
    secret.write_text("s3cret\n")
    secret.chmod(0o600)
    assert read_secret(str(secret), environ={}) == b"s3cret"
    assert read_secret(None, environ={"RFID_BRIDGE_SECRET": "abc"}) == b"abc"
    with pytest.raises(ConfigError, match="cannot read the secret file"):
        read_secret(str(tmp_path / "missing"), environ={})


def test_simulate_through_a_socat_cable(tmp_path, run_bridge):
    socat = need_binary("socat")
    near, far = tmp_path / "rfid-near", tmp_path / "rfid-far"
    process = subprocess.Popen(
        [socat, f"pty,raw,echo=0,link={near}", f"pty,raw,echo=0,link={far}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: near.exists() and far.exists(), what="socat's ptys")
        delivery = MemoryDelivery()
        bridge = run_bridge(make_settings(tmp_path, str(near)), delivery)
        wait_until(lambda: bridge.connected, what="the port")
        result = rfid_bridge(
            "simulate", "--port", str(far), "--tags", "300", "--rate", "0", "--profile", "allflex",
            "--repeat", "2", "--noise", "0.1", "--power-on",
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        counts = json.loads(result.stderr.decode().splitlines()[-1])
        assert counts["tags"] == 600
        wait_until(lambda: len(delivery.reads) == 600, what="every simulated read")
        assert bridge.sightings == 300  # each tag read twice in a row: one sighting
        assert bridge.non_tags == counts["noise"]
        assert all(protocol.tag_problem(r["tag"]) is None for r in delivery.reads)
    finally:
        process.terminate()
        process.wait(10)


class Capture:
    data = b""

    def write(self, data: bytes) -> None:
        self.data += data


def test_simulate_to_stdout_and_tag_file(tmp_path):
    from rfid_bridge import profiles, simulate

    tags = tmp_path / "tags.txt"
    tags.write_text("# gate 1 herd\n156000123456789\n982 000001088420\n")
    expected = ["156000123456789", "982000001088420"]
    codes = simulate.tag_codes(str(tags))
    for name, profile in profiles.BUILTIN.items():
        target = Capture()
        simulate.simulate(target, codes, profile, rate=0)
        lines = target.data.decode("latin-1").split("\r\n")[:-1]
        assert [profile.parse(line).tag for line in lines] == expected, name
    # The same through the command line: simulate | parse.
    out = rfid_bridge("simulate", "--port", "-", "--tags", str(tags), "--rate", "0", "--profile", "iso24631")
    parsed = rfid_bridge("parse", "--profile", "iso24631", stdin=out.stdout)
    assert [json.loads(line)["tag"] for line in parsed.stdout.decode().splitlines()] == expected
    tags.write_text("15600012345678\n")
    assert rfid_bridge("simulate", "--port", "-", "--tags", str(tags), "--profile", "allflex").returncode == 2
