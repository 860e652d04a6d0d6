"""Tag reads from the bridges: idempotent, bulk, and one presence event per animal per visit.

The payloads are those of ``rfid_bridge.protocol`` (the one module the bridge and the server
share), delivered as Celery tasks on the ``rfid`` queue or over the HTTP API. A payload is
accepted only from an active device whose secret signed it; anything refused is kept as a
RejectedPayload, so evidence is never dropped. A read's id is (device, seq): the insert skips
ids already stored, and only reads stored *now* move animals and make events, so delivering a
batch twice changes nothing the second time.
"""

import datetime as dt
import logging
from dataclasses import asdict, dataclass

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from rfid_bridge import protocol

from ..models import Animal, EarTag, ReaderDevice, RejectedPayload, TagRead
from .events import Happening, Where, events_append

log = logging.getLogger(__name__)
CHUNK = 1000  # rows per INSERT statement (SQLite allows 32,766 parameters)


class Refused(Exception):
    """A payload the server will not ingest; it has been kept as a RejectedPayload."""


@dataclass
class Ingested:
    received: int
    stored: int
    duplicates: int
    unknown: int
    visits: int

    def as_dict(self) -> dict:
        return asdict(self)


def _refuse(payload, reason: str, device_code: str = "") -> Refused:
    RejectedPayload.objects.create(device_code=str(device_code)[:64], reason=reason[:200], payload=payload)
    log.warning("tag-read payload refused (%s): %s", device_code, reason)
    return Refused(reason)


def check_signed(payload, problems: list[str]) -> ReaderDevice:
    """The active device that signed ``payload``; else Refused (and the payload kept)."""
    return _device(payload, problems)


def _device(payload: dict, problems: list[str]) -> ReaderDevice:
    code = payload.get("device") if isinstance(payload, dict) else None
    if problems:
        raise _refuse(
            payload if isinstance(payload, dict) else {"payload": payload}, "; ".join(problems), code or ""
        )
    device = ReaderDevice.objects.select_related("farm", "site").filter(code=code).first()
    if device is None:
        raise _refuse(payload, "unknown device", code)
    if not device.is_active:
        raise _refuse(payload, "device revoked", code)
    if not protocol.verify(payload, device.secret):
        raise _refuse(payload, "bad signature", code)
    return device


def _animals_by_tag(tags: set[str]) -> dict[str, int]:
    """The animal each RFID number belongs to: the current tag, or a replaced one still read."""
    if connection.vendor == "postgresql":
        # One array parameter instead of hundreds: PostgreSQL plans it in no time.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rfid, id FROM {Animal._meta.db_table} WHERE rfid = ANY(%s) "
                f"UNION ALL SELECT rfid, animal_id FROM {EarTag._meta.db_table} "
                "WHERE rfid = ANY(%s) AND animal_id IS NOT NULL",
                [list(tags), list(tags)],
            )
            found = {}
            for rfid, animal_id in cursor.fetchall():
                found.setdefault(rfid, animal_id)
            return found
    found = dict(Animal.objects.filter(rfid__in=tags).values_list("rfid", "pk"))
    missing = tags - found.keys()
    if missing:
        found.update(
            EarTag.objects.filter(rfid__in=missing, animal__isnull=False).values_list("rfid", "animal_id")
        )
    return found


def _insert(device: ReaderDevice, reads: list[dict], animals: dict[str, int], now) -> set[int]:
    """Insert the reads not yet stored; return the seqs that were new."""
    table = TagRead._meta.db_table
    columns = "device_id, seq, tag, read_at, received_at, repeat, raw, animal_id"
    conflict = "ON CONFLICT (device_id, seq) DO NOTHING RETURNING seq"
    if connection.vendor == "postgresql":
        # A batch as six arrays: one short statement whatever its size (a VALUES list of thousands
        # of parameters costs PostgreSQL more to plan than to run), sent in binary: psycopg then
        # neither formats nor escapes 12,000 values as text (15 % faster per batch, make bench).
        # Django's cursors bind client-side, which cannot send binary: a psycopg cursor of its own
        # on the same connection, in the same transaction, its errors turned into Django's (it does
        # not show in Django's query log).
        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, s, t, a, %s, r, w, n FROM unnest("
                "%s::bigint[], %s::varchar[], %s::timestamptz[], %s::boolean[], %s::varchar[], "
                f"%s::bigint[]) AS u(s, t, a, r, w, n) {conflict}",
                [
                    device.pk,
                    now,
                    [r["seq"] for r in reads],
                    [r["tag"] for r in reads],
                    [r["when"] for r in reads],
                    [r["rep"] for r in reads],
                    [r["raw"][:80] for r in reads],
                    [animals.get(r["tag"]) for r in reads],
                ],
                binary=True,
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
                    adapt(r["when"]),
                    received,
                    r["rep"],
                    r["raw"][:80],
                    animals.get(r["tag"]),
                ]
            values = ",".join(["(%s,%s,%s,%s,%s,%s,%s,%s)"] * len(chunk))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values} {conflict}", params)
            new.update(row[0] for row in cursor.fetchall())
        return new


def _visits(device: ReaderDevice, fresh: list[dict], animals: dict[str, int]) -> int:
    """Move each animal's last-seen; append a presence event for each visit that starts now."""
    span: dict[int, list] = {}
    for r in fresh:
        animal_id = animals.get(r["tag"])
        if animal_id is None:
            continue
        first_last = span.setdefault(animal_id, [r["when"], r["when"]])
        first_last[0] = min(first_last[0], r["when"])
        first_last[1] = max(first_last[1], r["when"])
    if not span:
        return 0
    site = device.site_uri
    gap = dt.timedelta(seconds=settings.LIVESTOCK_VISIT_GAP_S)
    # Locked in id order, so that two workers with overlapping batches never deadlock and a visit
    # split across two batches still gets one event.
    rows = (
        Animal.objects.select_for_update()
        .filter(pk__in=sorted(span))
        .order_by("pk")
        .values_list("pk", "last_seen_at", "last_seen_where")
    )
    starts, changed = {}, []
    for pk, last_at, where in rows:
        first, last = span[pk]
        if not (where == site and last_at is not None and abs(first - last_at) <= gap):
            starts[pk] = first
        # Late reads (a bridge's backlog after an outage) never move an animal back in time.
        if last_at is None or last > last_at:
            changed.append(Animal(pk=pk, last_seen_at=last, last_seen_where=site))
    Animal.objects.bulk_update(changed, ["last_seen_at", "last_seen_where"], batch_size=500)
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


def reads_ingest(payload: dict) -> Ingested:
    """Store a bridge's batch of reads; see the module doc. Raises Refused for a bad payload."""
    problems = protocol.validate_reads(payload)
    device = _device(payload, problems)
    reads = []
    for r in payload["reads"]:
        reads.append({**r, "when": protocol.parse_iso(r["at"])})
    if not reads:
        return Ingested(0, 0, 0, 0, 0)
    now = timezone.now()
    animals = _animals_by_tag({r["tag"] for r in reads})
    with transaction.atomic():
        new = _insert(device, reads, animals, now)
        fresh = [r for r in reads if r["seq"] in new]
        visits = _visits(device, fresh, animals)
        if fresh:
            ReaderDevice.objects.filter(pk=device.pk).update(
                reads_total=F("reads_total") + len(fresh),
                last_read_at=Greatest(F("last_read_at"), max(r["when"] for r in fresh))
                if device.last_read_at
                else max(r["when"] for r in fresh),
            )
    unknown = sum(1 for r in fresh if r["tag"] not in animals)
    return Ingested(len(reads), len(fresh), len(reads) - len(fresh), unknown, visits)


def heartbeat_record(payload: dict) -> None:
    """Keep the bridge's latest state on its device (for the live device page)."""
    device = _device(payload, protocol.validate_heartbeat(payload))
    at = protocol.parse_iso(payload["at"]) or timezone.now()
    # Heartbeats may arrive out of order after an outage: keep the newest.
    ReaderDevice.objects.filter(pk=device.pk).exclude(heartbeat_at__gt=at).update(
        heartbeat_at=at, heartbeat=payload["state"]
    )
