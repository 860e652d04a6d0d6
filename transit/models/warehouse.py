"""The Qingshuihe transit warehouse (中转仓): a trip's arrival check, the animals set aside
(残次死畜), the transit quarantine, the pens, and the departure with new seals."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .loading import Trip


class Arrival(models.Model):
    """The warehouse's check of one trip on arrival, its stay in a pen and its clinical check.

    The tag columns keep national codes as the check found them: ``missing`` are on the manifest
    and were not read, ``unexpected`` cannot be here (the check refuses a tag off the manifest).
    """

    trip = models.OneToOneField(
        Trip, verbose_name=_("trip"), on_delete=models.PROTECT, related_name="arrival"
    )
    warehouse = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    arrived_at = models.DateTimeField(_("arrived"))
    # The loading's seals as the officer found them: numbers intact, and those broken or not matching.
    seals_found = models.JSONField(_("seals found"), default=list, blank=True)
    seals_intact = models.BooleanField(_("seals intact and matching"))
    seal_note = models.CharField(_("note on the seals"), max_length=300, blank=True)
    head_counted = models.PositiveIntegerField(_("head counted"))
    head_expected = models.PositiveIntegerField(_("head on the manifest"))
    tags_read = models.JSONField(_("tags read"), default=list, blank=True)
    missing = models.JSONField(_("missing tags"), default=list, blank=True)
    device = models.ForeignKey(
        "livestock.ReaderDevice",
        verbose_name=_("reader"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    pen = models.CharField(_("pen"), max_length=60)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Transit quarantine (中转仓检疫): the clinical check of the animals at rest.
    clinical_ok = models.BooleanField(_("clinically healthy"), null=True, blank=True)
    clinical_notes = models.CharField(_("clinical notes"), max_length=500, blank=True)
    clinical_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    clinical_at = models.DateTimeField(_("clinically checked"), null=True, blank=True)
    # When the animals left the pen (reloaded and sealed): empty while they are still here.
    left_at = models.DateTimeField(_("left the pen"), null=True, blank=True)

    history = HistoricalRecords(verbose_name=_("historical arrival"))

    class Meta:
        verbose_name = _("arrival at the warehouse")
        verbose_name_plural = _("arrivals at the warehouse")
        ordering = ["-arrived_at", "-pk"]
        indexes = [models.Index(fields=["left_at", "arrived_at"])]

    def __str__(self):
        return f"{self.trip_id} {self.arrived_at:%Y-%m-%d %H:%M}"

    @property
    def discrepant(self) -> bool:
        return not self.seals_intact or bool(self.missing) or self.head_counted != self.head_expected


class Ineligible(models.Model):
    """An animal set aside at the warehouse (残次死畜): dead, injured or sick, and its harmless disposal."""

    class Condition(models.TextChoices):
        DEAD = "dead", _("Dead")
        INJURED = "injured", _("Injured")
        SICK = "sick", _("Sick")

    class Disposal(models.TextChoices):
        RENDERING = "rendering", _("Rendering (化制)")
        INCINERATION = "incineration", _("Incineration (焚烧)")
        BURIAL = "burial", _("Deep burial (深埋)")

    arrival = models.ForeignKey(Arrival, on_delete=models.PROTECT, related_name="ineligible")
    animal = models.OneToOneField(
        "livestock.Animal", verbose_name=_("animal"), on_delete=models.PROTECT, related_name="ineligible"
    )
    national_code = models.CharField(_("national code"), max_length=15)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)
    cause = models.CharField(_("cause"), max_length=300)
    disposal_method = models.CharField(_("harmless disposal"), max_length=20, choices=Disposal.choices)
    disposed_at = models.DateTimeField(_("disposed of"))
    witnesses = models.CharField(_("witnesses"), max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords(verbose_name=_("historical ineligible animal"))

    class Meta:
        verbose_name = _("ineligible animal")
        verbose_name_plural = _("ineligible animals")
        ordering = ["arrival", "national_code"]

    def __str__(self):
        return f"{self.national_code} {self.get_condition_display()}"


class IneligiblePhoto(models.Model):
    ineligible = models.ForeignKey(Ineligible, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to="transit/ineligible/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo of an ineligible animal")
        verbose_name_plural = _("photos of ineligible animals")

    def __str__(self):
        return self.original_name
