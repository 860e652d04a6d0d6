"""Celery tasks of livestock: the tag-read ingestion the bridges feed (queue "rfid")."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from rfid_bridge import protocol

from .services import ingest

# PostgreSQL restarting or unreachable: try again, with back-off, for as long as it takes; the
# reads stay in the broker meanwhile. A refused payload is not retried (it is kept instead).
RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 1,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": None,
}


@shared_task(name=protocol.TASK_INGEST, **RETRY)
def ingest_reads(payload: dict) -> dict:
    try:
        return ingest.reads_ingest(payload).as_dict()
    except ingest.Refused as exc:
        return {"refused": str(exc)}


@shared_task(name=protocol.TASK_HEARTBEAT, **RETRY)
def bridge_heartbeat(payload: dict) -> None:
    try:
        ingest.heartbeat_record(payload)
    except ingest.Refused:
        return  # kept as a RejectedPayload
