"""The one writer of the individual record. Every step of the chain appends through here."""

import random
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from .. import vocab
from ..bulk import JsonText, insert_rows
from ..models import Animal, Event

EVENT_FIELDS = (
    "event_id",
    "animal",
    "kind",
    "type",
    "action",
    "biz_step",
    "disposition",
    "event_time",
    "recorded_at",
    "read_point",
    "biz_location",
    "farm",
    "parent",
    "actor",
    "organisation",
    "source",
    "data",
)


@dataclass
class Where:
    """Where an event happened: a farm (and pen), or another site of the chain."""

    farm_id: int | None = None
    pen: str = ""
    site: str = ""  # the URI of a site that is not a farm (warehouse, port), for later steps

    @property
    def biz_location(self) -> str:
        if self.farm_id:
            return vocab.uri("farm", self.farm_id)
        return self.site

    @property
    def read_point(self) -> str:
        if self.farm_id and self.pen:
            return vocab.uri("farm", self.farm_id, "pen", self.pen)
        return self.biz_location


@dataclass
class Happening:
    """One thing that happened to some animals, to be written as one event per animal."""

    kind: str
    when: object  # datetime
    where: Where
    actor: object = None
    organisation_id: int | None = None
    source: models.Model | str | None = None
    data: dict = field(default_factory=dict)
    parent: str = ""

    def source_label(self) -> str:
        if isinstance(self.source, models.Model):
            return f"{self.source._meta.label_lower}:{self.source.pk}"
        return self.source or ""


def event_uuid() -> uuid.UUID:
    """A new event ID, time-ordered (the layout of a UUID version 7: 48 bits of Unix time in
    milliseconds, then 74 random bits).

    The unique index on event IDs holds tens of millions: random IDs (version 4) land each on
    another of its pages, so a herd's 100,000 events read and rewrote most of the index (make
    bench, animal_import_100k_s); time-ordered ones are appended at its end.
    """
    # An identifier, not a secret: Python's generator (reseeded in each forked worker) is a tenth
    # of the cost of os.urandom, and 74 bits within one millisecond do not collide.
    rand = random.getrandbits(74)
    millis = time.time_ns() // 1_000_000
    value = millis << 80 | 0x7 << 76 | (rand >> 62) << 64 | 0b10 << 62 | rand & (1 << 62) - 1
    return uuid.UUID(int=value)


def source_of(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def events_append(
    *,
    happening: Happening,
    animal_ids: Iterable[int],
    per_animal: dict | None = None,
    when_per_animal: dict | None = None,
) -> int:
    """Append one event per animal for ``happening``; ``per_animal`` adds details per animal id,
    ``when_per_animal`` an event time per animal id (else ``happening.when``).

    Runs inside the caller's transaction. Returns how many events were written.
    """
    kind = vocab.KINDS[happening.kind]
    now = timezone.now()
    actor_id = getattr(happening.actor, "pk", None)
    organisation_id = happening.organisation_id or getattr(happening.actor, "organisation_id", None)
    common = (
        happening.kind,
        kind.type,
        kind.action,
        vocab.expand(kind.biz_step, "bizstep"),
        vocab.expand(kind.disposition, "disp") if kind.disposition else "",
        happening.when,
        now,
        happening.where.read_point,
        happening.where.biz_location,
        happening.where.farm_id,
        happening.parent,
        actor_id,
        organisation_id,
        happening.source_label(),
    )
    per_animal = per_animal or {}
    count = 0

    def rows():
        nonlocal count
        for animal_id in animal_ids:
            count += 1
            extra = per_animal.get(animal_id)
            if type(extra) is JsonText:  # the whole of the details, already encoded (bulk.JsonText)
                data = extra
            else:
                data = {**happening.data, **extra} if extra else happening.data
            row = (event_uuid(), animal_id, *common, data)
            if when_per_animal and animal_id in when_per_animal:
                row = (*row[:7], when_per_animal[animal_id], *row[8:])
            yield row

    insert_rows(Event, EVENT_FIELDS, rows())
    return count


def event_append(*, animal: Animal, happening: Happening) -> None:
    events_append(happening=happening, animal_ids=[animal.pk])
