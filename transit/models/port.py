"""Release at the exit port (part III of the certificate): the port officer's check of a truck,
hold or release, a supervisor's override of a hold, and the export notice for Hong Kong."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .loading import Trip


class PortCheck(models.Model):
    """One decision of the port officer on a trip: held (with the reason) or released.

    A held check may be overridden by a supervisor with a written reason; the release that
    follows is a check of its own, naming the override it relied on.
    """

    class Outcome(models.TextChoices):
        HELD = "held", _("Held")
        RELEASED = "released", _("Released")

    trip = models.ForeignKey(
        Trip, verbose_name=_("trip"), on_delete=models.PROTECT, related_name="port_checks"
    )
    certificate = models.ForeignKey(
        "quarantine.Certificate", verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="+"
    )
    port = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # What the check found, as the officer saw it.
    seals_expected = models.JSONField(_("seals expected"), default=list)
    seals_intact = models.BooleanField(_("seals intact and matching"))
    head_expected = models.PositiveIntegerField(_("head expected"))
    head_counted = models.PositiveIntegerField(_("head counted"))
    tags_source = models.CharField(_("tags from"), max_length=20)
    tags_read = models.JSONField(_("tags read"), default=list, blank=True)
    missing = models.JSONField(_("missing tags"), default=list, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("checked"))
    override_reason = models.CharField(_("reason for overriding"), max_length=500, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_at = models.DateTimeField(_("overridden"), null=True, blank=True)
    # The export notice for the Hong Kong side, kept as released (the PDF is drawn from it).
    notice = models.JSONField(_("export notice"), default=dict, blank=True)

    history = HistoricalRecords(verbose_name=_("historical port check"))

    class Meta:
        verbose_name = _("port check")
        verbose_name_plural = _("port checks")
        ordering = ["-checked_at", "-pk"]
        indexes = [models.Index(fields=["port", "checked_at"])]

    def __str__(self):
        return f"{self.trip_id} {self.get_outcome_display()}"

    @property
    def discrepant(self) -> bool:
        return not self.seals_intact or bool(self.missing) or self.head_counted != self.head_expected
