"""Celery tasks of livestock: the tag-read ingestion the bridges feed (queue "rfid"), and the purge
of the refused payloads kept as evidence (beat, daily)."""

import functools
import logging

import redis
from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from rfid_bridge import protocol

from .services import ingest

log = logging.getLogger(__name__)

# PostgreSQL restarting or unreachable: try again, with back-off, for as long as it takes; the
# reads stay in the broker meanwhile. A refused payload is not retried (it is kept instead).
RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": None,
}


@functools.cache
def _ack_client() -> redis.Redis | None:
    url = settings.CELERY_BROKER_URL
    return redis.Redis.from_url(url) if url.startswith(("redis://", "rediss://", "unix://")) else None


def acknowledge(payload: dict) -> None:
    """Tell the bridge that the payload's reads are committed (protocol, "Acknowledgements").

    Only after the commit, and only for a payload whose signature checked out (the ingestion
    refuses any other before this runs): a forged acknowledgement would make a bridge forget
    reads. Without the acknowledgement the bridge only sends the reads again, so a Redis error
    here is logged, not raised.
    """
    client = _ack_client()
    if client is None or not payload["reads"]:
        return
    key = protocol.ack_key(payload["device"])
    try:
        client.pipeline().rpush(key, protocol.ack_text(payload["reads"])).expire(
            key, protocol.ACK_TTL
        ).execute()
    except redis.RedisError as exc:
        log.warning("reads of %s stored but not acknowledged (%s); the bridge sends them again", key, exc)


@shared_task(name=protocol.TASK_INGEST, **RETRY)
def ingest_reads(payload: dict) -> dict:
    """Store a batch and acknowledge it: all of it, also the reads refused one by one (kept).

    A payload refused as a whole is not acknowledged: kept when its device signed it, else
    counted and logged (services.ingest); either way the bridge raises its alarm.
    """
    try:
        result = ingest.reads_ingest(payload)
    except ingest.Refused as exc:
        return {"refused": str(exc)}
    acknowledge(payload)
    return result.as_dict()


@shared_task(name=protocol.TASK_HEARTBEAT, **RETRY)
def bridge_heartbeat(payload: dict) -> None:
    try:
        ingest.heartbeat_record(payload)
    except ingest.Refused:
        return  # kept as a RejectedPayload if its device signed it, else counted and logged


@shared_task(name="livestock.rejected_payloads_purge", **RETRY)
def rejected_payloads_purge() -> int:
    """Delete the refused payloads past LIVESTOCK_REJECTED_RETENTION_DAYS (beat, daily)."""
    return ingest.rejected_payloads_purge()


@shared_task(name="livestock.readers_silence_check")
def readers_silence_check() -> dict:
    """Raise alerts for readers gone silent, close those of readers heard again (beat, every minute)."""
    from .services.alerts import readers_silence_check as check

    return check()
