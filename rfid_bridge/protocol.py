"""What the bridge and the server agree on: task names, queue, payload schema and signature.

The ONE module of rfid_bridge that the server imports, so it uses the standard library only.

Reads payload (task ``TASK_INGEST`` on ``QUEUE``, or POST ``/api/bridge/reads/``)::

    {"v": 1, "device": "gate-1", "sent_at": "2025-01-02T03:04:05.678Z",
     "reads": [{"seq": 17, "tag": "156000123456789", "at": "2025-01-02T03:04:05.123Z",
                "rep": false, "raw": "LA 156 000123456789"}],
     "sig": "<hex>"}

``seq`` is allocated by the bridge's spool, monotonic per device and never reused, so a read's id
on the server is ``(device, seq)`` and a read delivered twice is recognised. ``rep`` is true when
the same tag was read by this bridge less than the de-duplication window before (a re-read of a
tag still in range); the server makes presence from reads with ``rep`` false and keeps the others
as evidence.

Heartbeat payload (task ``TASK_HEARTBEAT``, or POST ``/api/bridge/heartbeat/``)::

    {"v": 1, "device": "gate-1", "at": "...",
     "state": {"connected": true, "port": "/dev/ttyUSB0", "spool": 0, "last_read_at": null,
               "raw_reads": 0, "sightings": 0, "non_tags": 0, "alarm": null, "version": "1.0.0"},
     "sig": "<hex>"}

``sig`` is the HMAC-SHA256 (hex) with the device's secret over :func:`canonical` of the payload
without ``sig``.

Acknowledgements (Celery delivery only). A broker that took a message has not stored the reads:
kombu's Redis transport hands a message to a worker with BRPOP, and a worker killed at that
moment takes it along. So the bridge keeps a published read in its spool until the worker has
*committed* it to PostgreSQL and said so: after each commit the worker pushes ``"<first>-<last>"``
(the lowest and highest seq of the payload) onto the Redis list :func:`ack_key` of the device,
and the bridge pops that list (its Redis user may touch that one key besides pushing to the
queue). A payload holds every spooled read between its lowest and highest seq, so the bridge may
forget that whole range. What stays unacknowledged is sent again after a while; the server
ignores a read it already has. Over HTTP the answer itself is the acknowledgement: a 2xx comes
only after the commit.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
import time
from datetime import UTC, datetime

from .iso11784 import MAX_NATIONAL_ID  # the codec, standard library only like this module

TASK_INGEST = "livestock.ingest_reads"
TASK_HEARTBEAT = "livestock.bridge_heartbeat"
QUEUE = "rfid"
VERSION = 1

READS_PATH = "/api/bridge/reads/"
HEARTBEAT_PATH = "/api/bridge/heartbeat/"

ACK_PREFIX = "rfid:acks:"
ACK_TTL = 7 * 24 * 3600  # seconds: the acks of a bridge switched off for a week are dropped

MAX_READS = 5000  # per payload
MAX_RAW = 80  # characters of the reader line kept with a read
MAX_SEQ = (1 << 63) - 1  # fits a signed 64-bit column on the server
MAX_PROBLEMS = 20  # a broken payload of 5000 reads must not produce 5000 messages

DEVICE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
TAG_RE = re.compile(r"[0-9]{15}")
SIG_RE = re.compile(r"[0-9a-f]{64}")

READ_KEYS = frozenset({"seq", "tag", "at", "rep", "raw"})
READS_KEYS = frozenset({"v", "device", "sent_at", "reads", "sig"})
HEARTBEAT_KEYS = frozenset({"v", "device", "at", "state", "sig"})
STATE_TYPES = {
    "connected": bool,
    "port": str,
    "spool": int,
    "last_read_at": (str, type(None)),
    "raw_reads": int,
    "sightings": int,
    "non_tags": int,
    "alarm": (str, type(None)),
    "version": str,
}


_second_cache: tuple[int, str] = (-1, "")


def iso_ms(when: float | datetime | None = None) -> str:
    """Format a POSIX time (or aware datetime; default now) as ISO 8601 UTC with milliseconds."""
    global _second_cache
    if isinstance(when, int | float) and 0 <= when < 253402300800:  # year 1970-9999
        # Fast path for the bridge (one call per read): format each second once.
        millis = int(when * 1000)
        second, fraction = divmod(millis, 1000)
        cached_second, prefix = _second_cache
        if cached_second != second:
            prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            _second_cache = (second, prefix)
        return f"{prefix}.{fraction:03d}Z"
    if when is None:
        when = datetime.now(UTC)
    elif not isinstance(when, datetime):
        when = datetime.fromtimestamp(when, UTC)
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text) -> datetime | None:
    """Return the aware UTC datetime of an ISO 8601 time with a zero offset, else None."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    return _parse_iso(text)


# A reader's burst shares its time (one chunk from the port, one stamp), and a worker reads each
# time twice (the check, then the ingestion): remembered, most cost a dictionary lookup.
@functools.lru_cache(maxsize=4096)
def _parse_iso(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None or when.utcoffset().total_seconds() != 0:
        return None
    return when


def canonical(payload: dict) -> bytes:
    """The bytes that are signed: the payload without ``sig`` as sorted, compact UTF-8 JSON."""
    body = {key: value for key, value in payload.items() if key != "sig"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def signature(payload: dict, secret: str | bytes) -> str:
    return hmac.new(_key(secret), canonical(payload), hashlib.sha256).hexdigest()


def sign(payload: dict, secret: str | bytes) -> dict:
    """Return a copy of the payload with its ``sig``."""
    return {**payload, "sig": signature(payload, secret)}


def verify(payload: dict, secret: str | bytes) -> bool:
    """True when the payload carries a valid ``sig`` for this secret (constant-time compare)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("sig"), str) or not secret:
        return False
    try:
        expected = signature(payload, secret)
    except (TypeError, ValueError):  # not JSON-serialisable: cannot be what was signed
        return False
    return hmac.compare_digest(expected, payload["sig"])


def reads_payload(device: str, reads: list[dict], secret: str | bytes, sent_at: str | None = None) -> dict:
    """Build and sign a reads payload."""
    body = {"v": VERSION, "device": device, "sent_at": sent_at or iso_ms(), "reads": reads}
    return sign(body, secret)


def heartbeat_payload(device: str, state: dict, secret: str | bytes, at: str | None = None) -> dict:
    """Build and sign a heartbeat payload."""
    return sign({"v": VERSION, "device": device, "at": at or iso_ms(), "state": state}, secret)


def ack_key(device: str) -> str:
    """The Redis list on which the workers acknowledge the device's stored reads."""
    return ACK_PREFIX + device


def ack_text(reads: list[dict]) -> str:
    """The acknowledgement of a stored payload's reads: ``"<lowest seq>-<highest seq>"``."""
    seqs = [read["seq"] for read in reads]
    return f"{min(seqs)}-{max(seqs)}"


def parse_ack(text: str | bytes) -> tuple[int, int] | None:
    """``(first, last)`` of an acknowledgement, or None when it is not one."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    first, sep, last = text.partition("-")
    if not (sep and first.isdigit() and last.isdigit()):
        return None
    first, last = int(first), int(last)
    return (first, last) if 1 <= first <= last <= MAX_SEQ else None


# --- validation ------------------------------------------------------------------------------


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_envelope(payload, keys: frozenset, time_key: str, problems: list[str]) -> bool:
    if not isinstance(payload, dict):
        problems.append("payload is not a JSON object")
        return False
    missing, extra = keys - payload.keys(), payload.keys() - keys
    if missing:
        problems.append(f"missing keys: {', '.join(sorted(missing))}")
    if extra:
        problems.append(f"unknown keys: {', '.join(sorted(map(str, extra)))}")
    if "v" in payload and not (_is_int(payload["v"]) and payload["v"] == VERSION):
        problems.append(f"v must be {VERSION}")
    if "device" in payload and not (
        isinstance(payload["device"], str) and DEVICE_RE.fullmatch(payload["device"])
    ):
        problems.append("device must be 1-64 characters: letters, digits, '.', '_' or '-'")
    if time_key in payload and parse_iso(payload[time_key]) is None:
        problems.append(f"{time_key} must be an ISO 8601 UTC time")
    if "sig" in payload and not (isinstance(payload["sig"], str) and SIG_RE.fullmatch(payload["sig"])):
        problems.append("sig must be 64 lower-case hex digits")
    return True


def tag_problem(tag) -> str | None:
    """Why a value is not a normalised ISO 11784 tag (15 digits, ID within 38 bits), or None."""
    if not (isinstance(tag, str) and TAG_RE.fullmatch(tag)):
        return "tag must be 15 digits"
    if int(tag[3:]) > MAX_NATIONAL_ID:
        return "tag national ID does not fit in 38 bits"
    return None


def _read_is_good(read) -> bool:
    """The common case, answered fast: True only when _read_problems would find nothing.

    A worker checks every read of every batch; a bad read is rare and gets the full check, which
    says what is wrong (this skips building its messages: a third of the check's time).
    """
    return (
        type(read) is dict
        and read.keys() == READ_KEYS
        and type(seq := read["seq"]) is int
        and 0 <= seq <= MAX_SEQ
        and type(tag := read["tag"]) is str
        and TAG_RE.fullmatch(tag) is not None
        and int(tag[3:]) <= MAX_NATIONAL_ID
        and type(read["rep"]) is bool
        and type(raw := read["raw"]) is str
        and len(raw) <= MAX_RAW
        and parse_iso(read["at"]) is not None
    )


def _read_problems(index: int, read) -> list[str]:
    where = f"reads[{index}]"
    if not isinstance(read, dict):
        return [f"{where} is not an object"]
    problems = []
    missing, extra = READ_KEYS - read.keys(), read.keys() - READ_KEYS
    if missing:
        problems.append(f"{where} missing keys: {', '.join(sorted(missing))}")
    if extra:
        problems.append(f"{where} unknown keys: {', '.join(sorted(map(str, extra)))}")
    if "seq" in read and not (_is_int(read["seq"]) and 0 <= read["seq"] <= MAX_SEQ):
        problems.append(f"{where}.seq must be an integer >= 0")
    if "tag" in read and (problem := tag_problem(read["tag"])):
        problems.append(f"{where}.{problem}")
    if "at" in read and parse_iso(read["at"]) is None:
        problems.append(f"{where}.at must be an ISO 8601 UTC time")
    if "rep" in read and not isinstance(read["rep"], bool):
        problems.append(f"{where}.rep must be true or false")
    if "raw" in read and not (isinstance(read["raw"], str) and len(read["raw"]) <= MAX_RAW):
        problems.append(f"{where}.raw must be text of at most {MAX_RAW} characters")
    return problems


def validate_reads(payload) -> list[str]:
    """Return what is wrong with a reads payload (empty when it is well formed)."""
    problems: list[str] = []
    if not _check_envelope(payload, READS_KEYS, "sent_at", problems):
        return problems
    reads = payload.get("reads")
    if "reads" in payload:
        if not isinstance(reads, list) or not reads:
            problems.append("reads must be a non-empty list")
        elif len(reads) > MAX_READS:
            problems.append(f"reads has {len(reads)} items, at most {MAX_READS} are allowed")
        elif all(map(_read_is_good, reads)) and len({read["seq"] for read in reads}) == len(reads):
            pass  # the common case, checked in bulk; the loop below names what is wrong
        else:
            seen = set()
            for index, read in enumerate(reads):
                if not _read_is_good(read):
                    problems.extend(_read_problems(index, read))
                seq = read.get("seq") if isinstance(read, dict) else None
                if _is_int(seq):
                    if seq in seen:
                        problems.append(f"reads[{index}].seq {seq} appears twice")
                    seen.add(seq)
                if len(problems) >= MAX_PROBLEMS:
                    break
    return problems[:MAX_PROBLEMS]


def validate_heartbeat(payload) -> list[str]:
    """Return what is wrong with a heartbeat payload (empty when it is well formed)."""
    problems: list[str] = []
    if not _check_envelope(payload, HEARTBEAT_KEYS, "at", problems):
        return problems
    state = payload.get("state")
    if "state" not in payload:
        return problems
    if not isinstance(state, dict):
        return [*problems, "state is not an object"]
    missing, extra = STATE_TYPES.keys() - state.keys(), state.keys() - STATE_TYPES.keys()
    if missing:
        problems.append(f"state missing keys: {', '.join(sorted(missing))}")
    if extra:
        problems.append(f"state unknown keys: {', '.join(sorted(map(str, extra)))}")
    for key, kind in STATE_TYPES.items():
        if key not in state:
            continue
        value = state[key]
        if kind is int and not (_is_int(value) and value >= 0):
            problems.append(f"state.{key} must be an integer >= 0")
        elif kind is not int and (not isinstance(value, kind) or (kind is str and len(value) > 500)):
            problems.append(f"state.{key} has the wrong type")
    if isinstance(state.get("last_read_at"), str) and parse_iso(state["last_read_at"]) is None:
        problems.append("state.last_read_at must be an ISO 8601 UTC time or null")
    return problems
