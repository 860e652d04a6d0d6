"""The individual record: every event in an animal's life, shaped as GS1 EPCIS 2.0 needs it.

What (the animal, and a parent such as a vehicle for aggregations), when (event time and record
time), where (read point and business location, as our own URIs), why (business step and
disposition: the CBV's bare words where the CBV has one, our own URIs otherwise) and who (the
person and the organisation). ``kind`` is our own short name of the event, for screens and
filters; ``data`` holds the details (vaccine, batch, dose, cause...). ``livestock.services.events``
is the only writer in the running system. The table is append-only and not partitioned yet
(monthly partitions by ``event_time`` are planned: docs/architecture.md, "Big tables").
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from farms.models import Farm


class Event(models.Model):
    class Type(models.TextChoices):
        OBJECT = "ObjectEvent", "ObjectEvent"
        AGGREGATION = "AggregationEvent", "AggregationEvent"
        TRANSACTION = "TransactionEvent", "TransactionEvent"

    class Action(models.TextChoices):
        ADD = "ADD", "ADD"
        OBSERVE = "OBSERVE", "OBSERVE"
        DELETE = "DELETE", "DELETE"

    event_id = models.UUIDField(_("event ID"), default=uuid.uuid4, unique=True, editable=False)
    # Append-only and the biggest table: no index beyond those listed in Meta (every index costs
    # every insert); the (animal, event_time) index serves the animal's look-ups. The animal,
    # the farm, the person and the organisation are references without a database constraint:
    # a constraint costs a look-up and a row lock per event at commit (100,000 of them for a
    # herd list: make bench, animal_import_100k_s; one per visit for the readers), the only
    # writer is services.events, which takes them from rows it has just read or written, and
    # the rows they point at are never deleted (PROTECT in Django, and regulated records).
    animal = models.ForeignKey(
        "livestock.Animal",
        verbose_name=_("animal"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(_("event"), max_length=30)
    type = models.CharField(_("EPCIS event type"), max_length=20, choices=Type.choices, default=Type.OBJECT)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices, default=Action.OBSERVE)
    biz_step = models.CharField(_("business step"), max_length=100)
    disposition = models.CharField(_("disposition"), max_length=100, blank=True)
    event_time = models.DateTimeField(_("when"))
    recorded_at = models.DateTimeField(_("recorded"))
    read_point = models.CharField(_("read point"), max_length=200, blank=True)
    biz_location = models.CharField(_("business location"), max_length=200, blank=True)
    farm = models.ForeignKey(
        Farm,
        verbose_name=_("farm"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    parent = models.CharField(_("parent (vehicle, seal)"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The record that caused the event, as "app_label.model:pk" (a log, an import, a read...).
    source = models.CharField(_("source"), max_length=80, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["event_time", "pk"]
        indexes = [
            models.Index(fields=["animal", "event_time"]),
            models.Index(fields=["source"]),
        ]

    def __str__(self):
        return f"{self.kind} {self.event_time:%Y-%m-%d %H:%M}"
