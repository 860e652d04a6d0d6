"""The shared protocol: signature, schema validation, time format."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rfid_bridge import protocol

READ = {
    "seq": 1,
    "tag": "156000123456789",
    "at": "2025-01-02T03:04:05.678Z",
    "rep": False,
    "raw": "LA 156 000123456789",
}


def reads_payload(**changes):
    payload = protocol.reads_payload("gate-1", [dict(READ)], "s3cret", sent_at="2025-01-02T03:04:06.000Z")
    payload.update(changes)
    return payload


def test_constants():
    assert (protocol.TASK_INGEST, protocol.TASK_HEARTBEAT, protocol.QUEUE, protocol.VERSION) == (
        "livestock.ingest_reads",
        "livestock.bridge_heartbeat",
        "rfid",
        1,
    )


def test_canonical_and_signature():
    payload = reads_payload()
    body = {k: v for k, v in payload.items() if k != "sig"}
    expected = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert protocol.canonical(payload) == expected
    assert protocol.verify(payload, "s3cret")
    assert protocol.verify(payload, b"s3cret")
    assert not protocol.verify(payload, "other")
    assert not protocol.verify({**payload, "device": "gate-2"}, "s3cret")
    assert not protocol.verify({k: v for k, v in payload.items() if k != "sig"}, "s3cret")
    assert not protocol.verify(payload, "")
    # Key order does not matter; the signature is over sorted keys.
    assert protocol.verify(dict(reversed(list(payload.items()))), "s3cret")


def test_valid_reads_payload():
    assert protocol.validate_reads(reads_payload()) == []


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"v": 2}, "v must be 1"),
        ({"v": True}, "v must be 1"),
        ({"device": "bad device!"}, "device"),
        ({"sent_at": "2025-01-02 03:04"}, "sent_at"),
        ({"sent_at": "2025-01-02T03:04:05+08:00"}, "sent_at"),
        ({"reads": []}, "non-empty"),
        ({"sig": "XYZ"}, "sig"),
        ({"extra": 1}, "unknown keys: extra"),
        ({"reads": [{**READ, "tag": "15600012345678"}]}, "tag must be 15 digits"),
        ({"reads": [{**READ, "tag": "156999999999999"}]}, "38 bits"),
        ({"reads": [{**READ, "seq": -1}]}, "seq"),
        ({"reads": [{**READ, "seq": "1"}]}, "seq"),
        ({"reads": [{**READ, "rep": 0}]}, "rep"),
        ({"reads": [{**READ, "raw": "x" * 81}]}, "raw"),
        ({"reads": [{**READ, "at": "yesterday"}]}, "at must"),
        ({"reads": [READ, READ]}, "appears twice"),
        ({"reads": [{"seq": 1}]}, "missing keys"),
        ({"reads": ["x"]}, "not an object"),
        ({"reads": [{**READ, "seq": n} for n in range(protocol.MAX_READS + 1)]}, "at most"),
    ],
)
def test_invalid_reads_payload(change, problem):
    problems = protocol.validate_reads(reads_payload(**change))
    assert any(problem in p for p in problems), problems


def test_validation_output_is_bounded():
    payload = reads_payload(reads=[{"seq": "x"} for _ in range(1000)])
    assert 0 < len(protocol.validate_reads(payload)) <= protocol.MAX_PROBLEMS
    assert protocol.validate_reads("nope") == ["payload is not a JSON object"]
    assert protocol.validate_reads({}) == ["missing keys: device, reads, sent_at, sig, v"]


STATE = {
    "connected": True,
    "port": "/dev/ttyUSB0",
    "spool": 0,
    "last_read_at": None,
    "raw_reads": 3,
    "sightings": 1,
    "non_tags": 2,
    "alarm": None,
    "version": "1.0.0",
}


def test_heartbeat():
    payload = protocol.heartbeat_payload("gate-1", STATE, "s3cret")
    assert protocol.validate_heartbeat(payload) == []
    assert protocol.verify(payload, "s3cret")
    bad = {**payload, "state": {**STATE, "spool": -1, "connected": "yes", "last_read_at": "x", "more": 1}}
    problems = protocol.validate_heartbeat(bad)
    assert any("spool" in p for p in problems)
    assert any("connected" in p for p in problems)
    assert any("last_read_at" in p for p in problems)
    assert any("unknown keys: more" in p for p in problems)
    assert protocol.validate_heartbeat({**payload, "state": []}) == ["state is not an object"]


def test_iso_ms():
    assert protocol.iso_ms(0) == "1970-01-01T00:00:00.000Z"
    assert protocol.iso_ms(1735787045.678) == "2025-01-02T03:04:05.678Z"
    assert protocol.iso_ms(1735787046.001) == "2025-01-02T03:04:06.001Z"
    assert protocol.parse_iso(protocol.iso_ms()) is not None
    assert protocol.parse_iso("2025-01-02T03:04:05") is None  # no zone


# The fast path of validate_reads must agree with the full check on everything JSON can carry.
_json_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(1 << 64), max_value=1 << 64),
    st.floats(allow_nan=False),
    st.text(max_size=100),
    st.sampled_from(["156000123456789", "999274877906943", "999274877906944", "2025-01-02T03:04:05.678Z"]),
    st.lists(st.integers(), max_size=2),
)


@given(
    st.dictionaries(st.sampled_from([*sorted(protocol.READ_KEYS), "extra"]), _json_values, max_size=6).map(
        lambda changes: {**READ, **changes}
    )
    | st.dictionaries(st.sampled_from(sorted(protocol.READ_KEYS)), _json_values, max_size=5)
)
@settings(max_examples=400, deadline=None)
def test_the_fast_read_check_agrees_with_the_full_one(read):
    assert protocol._read_is_good(read) == (protocol._read_problems(0, read) == [])
