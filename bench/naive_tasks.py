"""The naive design the ingestion benchmark compares with: one task and one ORM save per read.

Loaded only into the benchmark's worker (``celery worker --include bench.naive_tasks``); the
application never uses it.
"""

from celery import shared_task
from django.utils import timezone


@shared_task(name="bench.naive_ingest_one")
def naive_ingest_one(device_id: int, seq: int, tag: str, at: str) -> None:
    from livestock.models import Animal, TagRead
    from rfid_bridge import protocol

    animal = Animal.objects.filter(rfid=tag).only("pk").first()
    TagRead.objects.get_or_create(
        device_id=device_id,
        seq=seq,
        defaults={
            "tag": tag,
            "read_at": protocol.parse_iso(at),
            "received_at": timezone.now(),
            "animal": animal,
        },
    )
