"""The simulated reader, as `make run` feeds the bureau's reader page with it (reader_demo).

It used to die within minutes: one tag in twenty was a random unknown tag whose national ID did
not fit ISO 11784's 38 bits, and making its line raised. Every line it writes must now be a tag
line the bridge takes, or a deliberate non-tag line, for as long as it runs.
"""

import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livestock.management.commands.reader_demo import simulator_command
from rfid_bridge import iso11784, simulate
from rfid_bridge.profiles import ALLFLEX, BUILTIN

ROOT = Path(__file__).resolve().parents[2]
HERD = [iso11784.Code(156, 900_000_000 + n) for n in range(1, 51)]


def test_a_long_day_at_the_chute_makes_only_lines_the_bridge_takes():
    passages = simulate.passages(HERD, ALLFLEX, repeat=(3, 8), noise=0.01, seed=7, forever=True, unknown=0.05)
    kinds = Counter()
    herd = {code.tag for code in HERD}
    for _ in range(20_000):  # about 11 hours of a demo reader
        passage = next(passages)
        assert 3 <= sum(is_tag for _line, is_tag in passage) <= 8
        tags = {ALLFLEX.parse(line).tag for line, is_tag in passage if is_tag}
        assert len(tags) == 1 and None not in tags  # one animal, read again and again
        tag = tags.pop()
        kinds["herd" if tag in herd else "unknown"] += 1
        assert tag in herd or tag.startswith("999")
        assert all(not ALLFLEX.parse(line).ok for line, is_tag in passage if not is_tag)
    assert 800 < kinds["unknown"] < 1200  # one in twenty


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32))
def test_an_unknown_tag_always_fits_iso_11784(seed):
    code = simulate.unknown_code(random.Random(seed))
    assert code.country == 999 and code.national_id <= iso11784.MAX_NATIONAL_ID
    for profile in BUILTIN.values():
        assert profile.parse(profile.format(code)).tag == code.tag


def test_repeat_ranges():
    assert simulate.parse_repeat("3-8") == (3, 8) and simulate.parse_repeat("2") == (2, 2)
    for bad in ("0", "8-3", "x", "3-"):
        with pytest.raises(ValueError, match="--repeat"):
            simulate.parse_repeat(bad)


def test_the_demo_reader_program_runs_and_every_line_is_taken(tmp_path):
    """reader_demo's simulator, as `make run` starts it (only faster): 3000 animals pass."""
    tags = tmp_path / "tags.txt"
    tags.write_text("".join(f"{code.tag}\n" for code in HERD))
    command = simulator_command(tags, rate=1000, count=3000, seed=11, reads_apart=0)
    reader = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=120)
    assert reader.returncode == 0, reader.stderr.decode()
    counts = json.loads(reader.stderr.decode().splitlines()[-1])
    assert counts["passages"] == 3000
    parsed = subprocess.run(
        [sys.executable, "-m", "rfid_bridge", "parse", "--profile", "allflex"],
        input=reader.stdout,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    results = [json.loads(line) for line in parsed.stdout.decode().splitlines()]
    assert len(results) == counts["lines"]
    assert sum(r["ok"] for r in results) == counts["tags"]
    assert {r["kind"] for r in results if not r["ok"]} <= {"control", "blank", "non_animal", "unrecognised"}
