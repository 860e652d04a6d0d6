"""Ear tags: the stock an enterprise receives from its supplier, each bound to an RFID number."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from farms.models import Farm, Species


class TagIssue(models.Model):
    """One delivery of ear tags from a supplier, imported from the supplier's list."""

    enterprise = models.ForeignKey(
        Organisation, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="tag_issues"
    )
    farm = models.ForeignKey(
        Farm, verbose_name=_("farm"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supplier = models.CharField(_("supplier"), max_length=200)
    reference = models.CharField(_("delivery note / reference"), max_length=100, blank=True)
    # The supplier's list as uploaded: evidence of what was bound to what.
    source_file = models.FileField(_("supplier's list"), upload_to="tag_issues/%Y/%m/")
    tag_count = models.PositiveIntegerField(_("tags"))
    issued_at = models.DateTimeField(_("imported"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("ear-tag delivery")
        verbose_name_plural = _("ear-tag deliveries")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.supplier} {self.reference} ({self.tag_count})"


class EarTag(models.Model):
    """One physical ear tag: its national code, its RFID number, and the one animal it ever marks."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        IN_USE = "in_use", _("In use")
        REPLACED = "replaced", _("Replaced")
        LOST = "lost", _("Lost")
        VOID = "void", _("Void")

    class Ear(models.TextChoices):
        LEFT = "left", _("Left ear")
        RIGHT = "right", _("Right ear")

    # A replaced or lost tag is never used again, and a tag once applied keeps its animal: one
    # tag belongs to one animal, ever.
    national_code = models.CharField(_("national code"), max_length=15, unique=True)
    # ISO 11784 as 15 decimal digits, CCC + 12-digit ID (the form readers report).
    rfid = models.CharField(_("RFID number"), max_length=15, unique=True, null=True, blank=True)
    species = models.CharField(_("species"), max_length=1, choices=Species.choices)
    # Indexed with the status in Meta.
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="ear_tags",
        db_index=False,
    )
    issue = models.ForeignKey(
        TagIssue, verbose_name=_("delivery"), on_delete=models.PROTECT, related_name="tags", null=True
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    # No row-by-row check at commit (see Animal.tag): a herd list marks 100,000 tags in use.
    animal = models.ForeignKey(
        "livestock.Animal",
        verbose_name=_("animal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tags",
        db_constraint=False,
    )
    ear = models.CharField(_("ear"), max_length=5, choices=Ear.choices, blank=True)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    retired_on = models.DateField(_("taken out of use on"), null=True, blank=True)
    retired_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ear tag")
        verbose_name_plural = _("ear tags")
        ordering = ["national_code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="available", animal__isnull=True)
                | Q(status__in=["in_use", "replaced"], animal__isnull=False)
                | Q(status__in=["lost", "void"]),
                name="eartag_animal_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "status"])]

    def __str__(self):
        return self.national_code
