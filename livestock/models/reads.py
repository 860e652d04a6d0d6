"""Tag-read ingestion: the readers (devices) at sites, and every raw read they deliver.

A read's id is (device, seq): the bridge numbers its reads from its own durable spool, so a read
delivered twice (a worker killed after the insert, a redelivered task) is recognised by the
unique constraint and ignored. Raw reads are evidence and are never changed, except to note the
animal a tag belonged to. The table is not partitioned yet (monthly partitions by ``read_at``
are planned: docs/architecture.md, "Big tables").
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from farms.models import Farm


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class ReaderDevice(models.Model):
    """An ear-tag reader and its bridge, registered to one site (a farm, the warehouse, a port)."""

    code = models.SlugField(_("device ID"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120)
    farm = models.ForeignKey(
        Farm, verbose_name=_("farm"), on_delete=models.PROTECT, null=True, blank=True, related_name="readers"
    )
    site = models.ForeignKey(
        Organisation,
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="readers",
        help_text=_("The warehouse or port, for a reader that is not on a farm."),
    )
    # The bridge signs every payload with it (HMAC); shown once when the device is registered.
    secret = models.CharField(_("secret"), max_length=100, default=new_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("why revoked"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The latest heartbeat of its bridge: connected, spool (backlog), last read, counters, alarm.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    heartbeat = models.JSONField(_("bridge state"), default=dict, blank=True)
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)
    reads_total = models.BigIntegerField(_("reads received"), default=0)

    class Meta:
        verbose_name = _("tag reader")
        verbose_name_plural = _("tag readers")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(farm__isnull=False, site__isnull=True) | Q(farm__isnull=True, site__isnull=False),
                name="reader_has_one_site",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def site_uri(self) -> str:
        from ..vocab import uri

        return uri("farm", self.farm_id) if self.farm_id else uri("site", self.site.code)

    @property
    def site_name(self) -> str:
        return self.farm.name if self.farm_id else self.site.name


class TagRead(models.Model):
    """One raw read as a bridge delivered it."""

    # Indexed through the constraint and the indexes in Meta, not on their own (see Event).
    # No foreign keys in the database (db_constraint=False), on purpose: PostgreSQL checks one
    # row by row, and the two checks cost more than the insert itself (a batch of 2,000 reads:
    # ~270 ms with them, ~100 ms without; make bench, ingest_reads_per_s). The ingestion writes
    # only the device that signed the batch and the animals it looked up; neither is ever
    # deleted (a reader is revoked; an animal keeps its events, whose key the database checks);
    # and Django's PROTECT still guards any delete made through the ORM.
    device = models.ForeignKey(
        ReaderDevice, on_delete=models.PROTECT, related_name="reads", db_index=False, db_constraint=False
    )
    seq = models.BigIntegerField(_("sequence"))
    tag = models.CharField(_("RFID number"), max_length=15)
    read_at = models.DateTimeField(_("read at"))
    received_at = models.DateTimeField(_("received"))
    repeat = models.BooleanField(_("re-read"), default=False)
    raw = models.CharField(_("reader line"), max_length=80, blank=True)
    # The animal that wore the tag when it was read; empty for a tag we do not know (flagged).
    animal = models.ForeignKey(
        "livestock.Animal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reads",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("tag read")
        verbose_name_plural = _("tag reads")
        constraints = [models.UniqueConstraint(fields=["device", "seq"], name="tagread_device_seq_unique")]
        # Every index costs each insert: only what a lookup needs. A reader's reads in arrival
        # order (the live page asks for the newest by id; no second one by time); an animal's
        # reads (and Django's PROTECT check when an animal is deleted). None by tag: no screen
        # looks reads up by tag, and a known tag's reads are its animal's.
        indexes = [
            models.Index(fields=["device", "id"]),
            models.Index(fields=["animal", "read_at"]),
        ]

    def __str__(self):
        return f"{self.device_id}#{self.seq} {self.tag}"

    @property
    def unknown(self) -> bool:
        return self.animal_id is None


class RejectedPayload(models.Model):
    """What a registered reader sent and the server refused, kept as evidence (services.ingest).

    Only payloads signed with the device's own secret are kept: a request that is unsigned, from
    an unknown device or with a bad signature stores nothing (anyone could send those; they are
    counted and logged instead). What is kept is bounded: each body at most
    LIVESTOCK_REJECTED_MAX_BYTES, at most LIVESTOCK_REJECTED_PER_DEVICE per device (the oldest
    go first), none older than LIVESTOCK_REJECTED_RETENTION_DAYS (a beat task purges them).
    """

    class Kind(models.TextChoices):
        REVOKED = "revoked", _("reader revoked")
        INVALID = "invalid", _("not a valid payload")
        READS = "reads", _("reads refused")
        HEARTBEAT = "heartbeat", _("heartbeat refused")

    device_code = models.CharField(_("device ID"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INVALID)
    reason = models.CharField(_("reason"), max_length=200)
    # The payload as JSON text (ASCII), cut at the byte cap; ``size`` is its length before the cut.
    body = models.TextField(_("payload"))
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("rejected payload")
        verbose_name_plural = _("rejected payloads")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["device_code", "id"])]

    def __str__(self):
        return f"{self.device_code}: {self.reason}"

    @property
    def truncated(self) -> bool:
        return self.size > len(self.body)
