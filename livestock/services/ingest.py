"""Tag reads from the bridges: idempotent, bulk, and one presence event per animal per visit.

The payloads are those of ``rfid_bridge.protocol`` (the one module the bridge and the server
share), delivered as Celery tasks on the ``rfid`` queue or over the HTTP API. A read's id is
(device, seq): the insert skips ids already stored, and only reads stored *now* move animals and
make events, so delivering a batch twice changes nothing the second time.

Who may send: a payload counts only when a registered device's secret signed it. One that is
unsigned, from an unknown device or with a bad signature could come from anyone: it stores
nothing (``Unauthenticated``; counted and logged by ``services.refusals``). A signed payload that
is refused all the same (the reader is revoked, the payload is malformed) is kept as a
RejectedPayload, bounded in size, number and age.

Times: a read dated more than LIVESTOCK_CLOCK_SKEW_S ahead of the server's clock, before its reader
was registered, or more than LIVESTOCK_READ_MAX_AGE_DAYS old cannot be true (a bridge whose clock
is wrong). Such reads, and reads whose text PostgreSQL cannot store, are refused one by one with
their reason and kept together as one RejectedPayload; the rest of the batch is stored, and the
batch is acknowledged as a whole, so that the bridge forgets them and does not send them again
forever. A heartbeat with such a time is refused (and kept).
"""

import datetime as dt
import json
import logging
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.jsoninput import has_unstorable_text
from rfid_bridge import protocol

from ..bulk import insert_rows
from ..models import Animal, EarTag, ReaderDevice, RejectedPayload, TagRead
from .events import Happening, Where, events_append
from .refusals import refusal_count

log = logging.getLogger(__name__)
CHUNK = 1000  # rows per INSERT statement (SQLite allows 32,766 parameters)
MAX_LISTED = 20  # refused reads named in an answer (all are kept)

FUTURE = "future"
BEFORE_REGISTRATION = "before_registration"
TOO_OLD = "too_old"
UNSTORABLE = "unstorable_text"


class Refused(Exception):
    """A payload the server will not ingest; kept as a RejectedPayload when its device signed it."""


class Unauthenticated(Refused):
    """Not signed by a registered device: nothing was stored. ``reason`` is a key of refusals.REASONS."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class Ingested:
    received: int
    stored: int
    duplicates: int
    unknown: int
    visits: int
    refused_reads: int = 0
    refusals: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TimeWindow:
    """The read and heartbeat times a device's bridge may send now (see the module doc)."""

    registered: dt.datetime
    oldest: dt.datetime
    latest: dt.datetime

    @classmethod
    def of(cls, device: ReaderDevice, now: dt.datetime) -> "TimeWindow":
        skew = dt.timedelta(seconds=settings.LIVESTOCK_CLOCK_SKEW_S)
        return cls(
            registered=device.created_at - skew,
            oldest=now - dt.timedelta(days=settings.LIVESTOCK_READ_MAX_AGE_DAYS),
            latest=now + skew,
        )

    def contains(self, when: dt.datetime) -> bool:
        return self.registered <= when <= self.latest and when >= self.oldest

    def problem(self, when: dt.datetime) -> str | None:
        if when > self.latest:
            return FUTURE
        if when < self.registered:
            return BEFORE_REGISTRATION
        if when < self.oldest:
            return TOO_OLD
        return None


def explain(problem: str) -> str:
    """Why a read or heartbeat was refused, in English (for the bridge's log and the evidence)."""
    return {
        FUTURE: f"is more than {settings.LIVESTOCK_CLOCK_SKEW_S} s ahead of the server's clock",
        BEFORE_REGISTRATION: "is before the reader was registered",
        TOO_OLD: f"is more than {settings.LIVESTOCK_READ_MAX_AGE_DAYS} days old",
        UNSTORABLE: "holds a NUL character or an unpaired surrogate",
    }[problem]


def horizon() -> dt.datetime:
    """A stored time later than this came from a wrong clock: it must not hide later real ones."""
    return timezone.now() + dt.timedelta(seconds=settings.LIVESTOCK_CLOCK_SKEW_S)


# --- who sent it ------------------------------------------------------------------------------


def _unauthenticated(reason: str, message: str, code: str = "") -> Unauthenticated:
    refusal_count(reason)
    log.warning(
        "tag-read payload refused, nothing kept (%s%s): %s",
        reason,
        f", device {code}" if code else "",
        message,
    )
    return Unauthenticated(message, reason)


def device_authenticate(payload) -> ReaderDevice:
    """The registered device (revoked or not) whose secret signed ``payload``; else Unauthenticated."""
    if not isinstance(payload, dict):
        raise _unauthenticated("malformed", "payload is not a JSON object")
    code, sig = payload.get("device"), payload.get("sig")
    if not (isinstance(code, str) and protocol.DEVICE_RE.fullmatch(code)):
        raise _unauthenticated(
            "malformed", "device must be 1-64 characters: letters, digits, '.', '_' or '-'"
        )
    if not (isinstance(sig, str) and protocol.SIG_RE.fullmatch(sig)):
        raise _unauthenticated(
            "unsigned", "sig must be 64 lower-case hex digits (the payload is not signed)", code
        )
    device = ReaderDevice.objects.select_related("farm", "site").filter(code=code).first()
    if device is None:
        raise _unauthenticated("unknown_device", "unknown device", code)
    try:
        signed = protocol.verify(payload, device.secret)
    except RecursionError:  # nested beyond what can be serialised: cannot be what was signed
        signed = False
    if not signed:
        raise _unauthenticated("bad_signature", "bad signature", code)
    return device


# --- what is kept of a refusal -----------------------------------------------------------------


def _keep(device: ReaderDevice, payload, *, kind: str, reason: str, hourly: bool = False) -> None:
    """Keep a refused payload of a registered device, within the byte and count caps.

    ``hourly``: not if one of the same kind from the device was kept in the last hour.
    """
    if (
        hourly
        and RejectedPayload.objects.filter(
            device_code=device.code, kind=kind, received_at__gte=timezone.now() - dt.timedelta(hours=1)
        ).exists()
    ):
        return
    try:
        text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"), default=str)
    except (ValueError, RecursionError):
        text = repr(payload)
    cap = settings.LIVESTOCK_REJECTED_MAX_BYTES
    with transaction.atomic():
        RejectedPayload.objects.create(
            device_code=device.code, kind=kind, reason=reason[:200], body=text[:cap], size=len(text)
        )
        _trim(device.code)


def _trim(device_code: str) -> None:
    """Drop the device's oldest refused payloads beyond LIVESTOCK_REJECTED_PER_DEVICE."""
    kept = RejectedPayload.objects.filter(device_code=device_code)
    oldest_kept = (
        kept.order_by("-pk")
        .values_list("pk", flat=True)[settings.LIVESTOCK_REJECTED_PER_DEVICE - 1 :]
        .first()
    )
    if oldest_kept is not None:
        kept.filter(pk__lt=oldest_kept).delete()


def _refuse(device: ReaderDevice, payload, *, kind: str, reason: str, hourly: bool = False) -> Refused:
    _keep(device, payload, kind=kind, reason=reason, hourly=hourly)
    log.warning("tag-read payload of %s refused and kept: %s", device.code, reason)
    return Refused(reason)


def rejected_payloads_purge(*, now: dt.datetime | None = None) -> int:
    """Delete refused payloads older than LIVESTOCK_REJECTED_RETENTION_DAYS; return how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.LIVESTOCK_REJECTED_RETENTION_DAYS)
    deleted, _ = RejectedPayload.objects.filter(received_at__lt=cutoff).delete()
    return deleted


def _accept(device: ReaderDevice, payload: dict, problems: list[str], *, heartbeat: bool = False) -> None:
    """Refuse (and keep) a signed payload of a revoked reader, or one with ``problems``."""
    if device.is_active and not problems:
        return
    reason = "device revoked" if not device.is_active else "; ".join(problems)
    if heartbeat:
        kind = RejectedPayload.Kind.HEARTBEAT
    else:
        kind = RejectedPayload.Kind.REVOKED if not device.is_active else RejectedPayload.Kind.INVALID
    raise _refuse(device, payload, kind=kind, reason=reason, hourly=heartbeat)


def _split(
    reads: list[dict], when: dict[int, dt.datetime], window: TimeWindow
) -> tuple[list[dict], list[dict]]:
    """The reads to store, and the others each with its ``refused`` reason."""
    good, bad = [], []
    for r in reads:
        problem = window.problem(when[r["seq"]])
        if problem is None and has_unstorable_text(r["raw"]):
            problem = UNSTORABLE
        if problem is None:
            good.append(r)
        else:
            bad.append({**{k: r[k] for k in protocol.READ_KEYS}, "refused": problem})
    return good, bad


def _storable(reads: list[dict], when: dict[int, dt.datetime], window: TimeWindow) -> bool:
    """True when every read of the batch may be stored (the common case, checked in bulk)."""
    whens = when.values()
    if not (window.contains(min(whens)) and window.contains(max(whens))):
        return False
    raws = "\n".join(r["raw"] for r in reads)  # joined apart: two halves of a pair stay unpaired
    return raws.isascii() and "\x00" not in raws or not has_unstorable_text(raws)


def _animals_by_tag(tags: set[str]) -> dict[str, int]:
    """The animal each RFID number belongs to: the current tag, or a replaced one still read.

    The replaced tags are looked up only for the numbers no animal carries now: a reader mostly
    reads current tags, and asked for both at once PostgreSQL may walk every tag ever issued
    (``animal_id IS NOT NULL`` looks selective to its statistics right after a herd import).
    """
    found = _rfid_lookup(Animal, "id", tags)
    missing = tags - found.keys()
    if missing:
        found.update(_rfid_lookup(EarTag, "animal_id", missing))
    return found


def _rfid_lookup(model, column: str, tags: set[str]) -> dict[str, int]:
    """{rfid: ``column``} of ``model``'s rows with those numbers, by its unique rfid index."""
    if connection.vendor == "postgresql":
        # One array parameter instead of hundreds: PostgreSQL plans it in no time.
        with connection.cursor() as cursor:
            # Tags are 15 digits (protocol.TAG_RE): written out as array text unquoted.
            cursor.execute(
                f"SELECT rfid, {column} FROM {model._meta.db_table} WHERE rfid = ANY(%s::varchar[])",
                ["{" + ",".join(tags) + "}"],
            )
            return {rfid: value for rfid, value in cursor.fetchall() if value is not None}
    rows = model.objects.filter(rfid__in=tags).values_list("rfid", column)
    return {rfid: value for rfid, value in rows if value is not None}


def _insert(
    device: ReaderDevice, reads: list[dict], when: dict[int, dt.datetime], animals: dict[str, int], now
) -> set[int]:
    """Insert the reads not yet stored; return the seqs that were new."""
    if connection.vendor == "postgresql":
        # The common case is a batch none of whose reads is stored: it goes in with COPY, after one
        # look through the (device, seq) index for those that are (a redelivery). COPY costs
        # PostgreSQL a fraction of an INSERT ... ON CONFLICT, whose speculative insertion probes
        # and locks the unique index row by row (make bench, ingest_reads_per_s: the insert was
        # half of PostgreSQL's time). Another worker storing the same reads between the look and
        # the COPY (a batch redelivered while its first delivery still runs) makes the COPY fail
        # on the unique constraint: then the savepoint is rolled back and the batch goes through
        # the INSERT ... ON CONFLICT, which skips what the other stored.
        stored = _stored_seqs(device, [r["seq"] for r in reads])
        todo = [r for r in reads if r["seq"] not in stored] if stored else reads
        if not todo:
            return set()
        device_id = device.pk  # not the model's property once a read
        try:
            with transaction.atomic():
                insert_rows(
                    TagRead,
                    READ_FIELDS,
                    (
                        (
                            device_id,
                            r["seq"],
                            r["tag"],
                            when[r["seq"]],
                            now,
                            r["rep"],
                            r["raw"][:80],
                            animals.get(r["tag"]),
                        )
                        for r in todo
                    ),  # fmt: skip
                )
            return {r["seq"] for r in todo}
        except IntegrityError:
            return _insert_skipping(device, todo, when, animals, now)
    return _insert_skipping(device, reads, when, animals, now)


READ_FIELDS = ("device", "seq", "tag", "read_at", "received_at", "repeat", "raw", "animal")


def _stored_seqs(device: ReaderDevice, seqs: list[int]) -> set[int]:
    """The seqs of ``seqs`` the device's reads already hold, through the (device, seq) index."""
    low, high = min(seqs), max(seqs)
    with connection.cursor() as cursor:
        if high - low < 2 * len(seqs):  # a bridge's batch: consecutive seqs, one range of the index
            cursor.execute(
                f"SELECT seq FROM {TagRead._meta.db_table} WHERE device_id = %s AND seq BETWEEN %s AND %s",
                [device.pk, low, high],
            )
        else:  # seqs far apart (valid, if odd): each looked up, never a device's whole range
            cursor.execute(
                f"SELECT seq FROM {TagRead._meta.db_table} WHERE device_id = %s AND seq = ANY(%s::bigint[])",
                [device.pk, _int_array(seqs)],
            )
        return {row[0] for row in cursor.fetchall()} & set(seqs)


def _insert_skipping(
    device: ReaderDevice, reads: list[dict], when: dict[int, dt.datetime], animals: dict[str, int], now
) -> set[int]:
    """Insert the reads, skipping those already stored (ON CONFLICT); return the seqs inserted."""
    table = TagRead._meta.db_table
    columns = "device_id, seq, tag, read_at, received_at, repeat, raw, animal_id"
    conflict = "ON CONFLICT (device_id, seq) DO NOTHING RETURNING seq"
    if connection.vendor == "postgresql":
        # A batch as one array per column, in one short statement whatever its size (a VALUES
        # list of thousands of parameters costs PostgreSQL more to plan than to run). The arrays
        # are written out here as PostgreSQL's array text, which it reads in C at a fraction of
        # what it spends on JSON, and which costs the worker less than psycopg's array dumpers
        # (Python, per element). Only validated values go in unquoted: seqs and animal ids are
        # ints, tags 15 digits (protocol.TAG_RE); the reader lines are quoted and escaped; the
        # times go as the seconds of the datetimes Python read (exact to the microsecond), so
        # PostgreSQL never reads a time otherwise than Python did. Text a read may not hold (NUL,
        # lone surrogates) was refused before this (UNSTORABLE).
        seqs = [r["seq"] for r in reads]
        tags = [r["tag"] for r in reads]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, u.seq, u.tag, to_timestamp(u.at), %s, u.rep, "
                "u.raw, u.animal FROM unnest(%s::bigint[], %s::varchar[], %s::float8[], %s::bool[], "
                f"%s::varchar[], %s::bigint[]) AS u(seq, tag, at, rep, raw, animal) {conflict}",
                [
                    device.pk,
                    now,
                    _int_array(seqs),
                    "{" + ",".join(tags) + "}",
                    "{" + ",".join([repr(when[seq].timestamp()) for seq in seqs]) + "}",
                    "{" + ",".join(["t" if r["rep"] else "f" for r in reads]) + "}",
                    "{" + ",".join([_quoted(r["raw"][:80]) for r in reads]) + "}",
                    _int_array([animals.get(tag) for tag in tags]),
                ],
            )
            return {row[0] for row in cursor.fetchall()}
    with connection.cursor() as cursor:
        adapt = connection.ops.adapt_datetimefield_value
        received = adapt(now)
        new: set[int] = set()
        for start in range(0, len(reads), CHUNK):
            chunk = reads[start : start + CHUNK]
            params = []
            for r in chunk:
                params += [
                    device.pk,
                    r["seq"],
                    r["tag"],
                    adapt(when[r["seq"]]),
                    received,
                    r["rep"],
                    r["raw"][:80],
                    animals.get(r["tag"]),
                ]
            values = ",".join(["(%s,%s,%s,%s,%s,%s,%s,%s)"] * len(chunk))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values} {conflict}", params)
            new.update(row[0] for row in cursor.fetchall())
        return new


def _int_array(values: list[int | None]) -> str:
    """PostgreSQL's array text of ints (None as NULL)."""
    return "{" + ",".join(["NULL" if v is None else str(v) for v in values]) + "}"


def _quoted(text: str) -> str:
    """One element of PostgreSQL's array text: in double quotes, with backslash and quote escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _visits(
    device: ReaderDevice, fresh: list[dict], when: dict[int, dt.datetime], animals: dict[str, int]
) -> int:
    """Move each animal's last-seen; append a presence event for each visit that starts now."""
    span: dict[int, list] = {}
    for r in fresh:
        animal_id = animals.get(r["tag"])
        if animal_id is None:
            continue
        at = when[r["seq"]]
        first_last = span.get(animal_id)
        if first_last is None:
            span[animal_id] = [at, at]
        elif at < first_last[0]:
            first_last[0] = at
        elif at > first_last[1]:
            first_last[1] = at
    if not span:
        return 0
    site = device.site_uri
    gap = dt.timedelta(seconds=settings.LIVESTOCK_VISIT_GAP_S)
    future = horizon()  # a last-seen from a wrong clock must not stop the animal for good
    starts = {}
    for pk, last_at, where in _last_seen_move(span, site, future):
        first, _last = span[pk]
        if not (where == site and last_at is not None and abs(first - last_at) <= gap):
            starts[pk] = first
    if starts:
        events_append(
            happening=Happening(
                kind="seen",
                when=timezone.now(),
                where=Where(farm_id=device.farm_id, site="" if device.farm_id else site),
                organisation_id=device.site_id or (device.farm.enterprise_id if device.farm_id else None),
                source=device,
                data={"device": device.code},
            ),
            animal_ids=sorted(starts),
            when_per_animal=starts,
        )
    return len(starts)


def _last_seen_move(span: dict[int, list], site: str, future: dt.datetime) -> list[tuple]:
    """Move each animal's last-seen place to ``site`` at its last read; return every animal's
    place and time *before* the move, as (id, last_seen_at, last_seen_where).

    The animals are locked in id order, so that two workers with overlapping batches never
    deadlock and a visit split across two batches still gets one event. Late reads (a bridge's
    backlog after an outage) never move an animal back in time, unless the time it has came
    from a wrong clock (later than ``future``).
    """
    ids = sorted(span)
    if connection.vendor == "postgresql":
        # One statement for the whole batch: lock, read the old places, update (make bench,
        # ingest_reads_per_s: the row-by-row CASE of bulk_update cost more than the reads' insert).
        table = Animal._meta.db_table
        # The arrays as PostgreSQL's array text (psycopg's dumpers are Python, per element).
        id_text = _int_array(ids)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH span AS (SELECT * FROM unnest(%s::bigint[], %s::timestamptz[]) AS s(id, last)), "
                f"old AS (SELECT a.id, a.last_seen_at, a.last_seen_where FROM {table} a "
                f"WHERE a.id = ANY(%s::bigint[]) ORDER BY a.id FOR UPDATE), "
                f"moved AS (UPDATE {table} a SET last_seen_at = span.last, last_seen_where = %s "
                "FROM span JOIN old ON old.id = span.id WHERE a.id = span.id AND (old.last_seen_at IS NULL "
                "OR span.last > old.last_seen_at OR old.last_seen_at > %s)) "
                "SELECT id, last_seen_at, last_seen_where FROM old",
                [id_text, "{" + ",".join([span[i][1].isoformat() for i in ids]) + "}", id_text, site, future],
            )
            return cursor.fetchall()
    rows = list(
        Animal.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "last_seen_at", "last_seen_where")
    )
    changed = [
        Animal(pk=pk, last_seen_at=span[pk][1], last_seen_where=site)
        for pk, last_at, _where in rows
        if last_at is None or span[pk][1] > last_at or last_at > future
    ]
    Animal.objects.bulk_update(changed, ["last_seen_at", "last_seen_where"], batch_size=500)
    return rows


def reads_ingest(payload, *, device: ReaderDevice | None = None) -> Ingested:
    """Store a bridge's batch of reads; see the module doc. Raises Refused for a bad payload.

    ``device``: the device the API already authenticated this payload for (not done twice).
    """
    device = device or device_authenticate(payload)
    _accept(device, payload, protocol.validate_reads(payload))
    reads = payload["reads"]
    # Each read's time, by seq (unique in a valid payload); the reads themselves stay as sent.
    when = {r["seq"]: protocol.parse_iso(r["at"]) for r in reads}
    now = timezone.now()
    window = TimeWindow.of(device, now)
    refused: list[dict] = []
    if not _storable(reads, when, window):
        reads, refused = _split(reads, when, window)
    animals = _animals_by_tag({r["tag"] for r in reads}) if reads else {}
    fresh: list[dict] = []
    visits = 0
    with transaction.atomic():
        if refused:
            _keep_refused_reads(device, payload, refused)
        if reads:
            new = _insert(device, reads, when, animals, now)
            fresh = [r for r in reads if r["seq"] in new]
            visits = _visits(device, fresh, when, animals)
        if fresh:
            latest = max(when[r["seq"]] for r in fresh)
            ReaderDevice.objects.filter(pk=device.pk).update(
                reads_total=F("reads_total") + len(fresh),
                # A last read from a wrong clock (in the future) gives way to a real one.
                last_read_at=Case(
                    When(Q(last_read_at__isnull=True) | Q(last_read_at__gt=horizon()), then=Value(latest)),
                    default=Greatest(F("last_read_at"), Value(latest)),
                ),
            )
    unknown = sum(1 for r in fresh if r["tag"] not in animals)
    return Ingested(
        received=len(payload["reads"]),
        stored=len(fresh),
        duplicates=len(reads) - len(fresh),
        unknown=unknown,
        visits=visits,
        refused_reads=len(refused),
        refusals=[
            f"seq {r['seq']}: read time {r['at']} {explain(r['refused'])}"
            if r["refused"] != UNSTORABLE
            else f"seq {r['seq']}: reader line {explain(UNSTORABLE)}"
            for r in refused[:MAX_LISTED]
        ],
    )


def _keep_refused_reads(device: ReaderDevice, payload: dict, refused: list[dict]) -> None:
    counts: dict[str, int] = {}
    for r in refused:
        counts[r["refused"]] = counts.get(r["refused"], 0) + 1
    reason = f"{len(refused)} of {len(payload['reads'])} reads refused: " + "; ".join(
        f"{explain(problem)} ({n})" for problem, n in counts.items()
    )
    evidence = {key: payload[key] for key in ("v", "device", "sent_at")}
    _keep(device, {**evidence, "reads": refused}, kind=RejectedPayload.Kind.READS, reason=reason)
    log.warning("reads of %s refused and kept: %s", device.code, reason)


def heartbeat_check(payload, *, device: ReaderDevice | None = None) -> ReaderDevice:
    """The device of a heartbeat that may be recorded; else Refused (and kept if it was signed).

    A bridge sends a heartbeat every 30 s whatever happens: of its refused heartbeats one an hour
    is kept, so that they do not push its refused reads out of the per-device cap.
    """
    device = device or device_authenticate(payload)
    _accept(device, payload, protocol.validate_heartbeat(payload), heartbeat=True)
    reason = ""
    if has_unstorable_text(payload["state"]):
        reason = f"state {explain(UNSTORABLE)}"
    elif problem := TimeWindow.of(device, timezone.now()).problem(protocol.parse_iso(payload["at"])):
        reason = f"heartbeat time {payload['at']} {explain(problem)}"
    if reason:
        raise _refuse(device, payload, kind=RejectedPayload.Kind.HEARTBEAT, reason=reason, hourly=True)
    return device


def heartbeat_record(payload, *, device: ReaderDevice | None = None) -> None:
    """Keep the bridge's latest state on its device (for the live device page)."""
    device = heartbeat_check(payload, device=device)
    at = protocol.parse_iso(payload["at"])
    # Heartbeats may arrive out of order after an outage: keep the newest, unless the newest came
    # from a wrong clock (stored before times were checked): it must not hide every real one.
    ReaderDevice.objects.filter(pk=device.pk).exclude(
        heartbeat_at__gt=at, heartbeat_at__lte=horizon()
    ).update(heartbeat_at=at, heartbeat=payload["state"])
