"""The enterprises' credit rating (A/B/C/D) and what it is computed from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class CreditGradePolicy(models.Model):
    """A grade: the lowest score that earns it and the sampling ratio quarantine applies."""

    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"

    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, unique=True)
    min_score = models.PositiveSmallIntegerField(_("lowest score"))
    sampling_percent = models.PositiveSmallIntegerField(
        _("sampling ratio (%)"), help_text=_("Share of each consignment's animals sampled for the lab.")
    )
    description = models.CharField(_("meaning"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("credit grade policy")
        verbose_name_plural = _("credit grade policies")
        ordering = ["-min_score"]

    def __str__(self):
        return f"{self.grade} ≥ {self.min_score}: {self.sampling_percent}%"


class CreditEvent(models.Model):
    """Something that counts against (or for) an enterprise's credit, with its weight."""

    class Kind(models.TextChoices):
        FINDING = "finding", _("Supervision finding")
        OVERDUE_ACTION = "overdue_action", _("Corrective action overdue")
        LAB_FAILURE = "lab_failure", _("Failed laboratory result")
        PORT_DISCREPANCY = "port_discrepancy", _("Discrepancy at the port")
        REVOCATION = "revocation", _("Farm registration revoked")

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="credit_events")
    farm = models.ForeignKey("farms.Farm", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    points = models.SmallIntegerField(_("points"), help_text=_("Negative lowers the score."))
    reason = models.CharField(_("reason"), max_length=300)
    # What caused it (a finding, a lab result…), so the same cause is never counted twice.
    source = models.CharField(_("source"), max_length=60)
    occurred_on = models.DateField(_("date"), db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("credit event")
        verbose_name_plural = _("credit events")
        ordering = ["-occurred_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["source"], name="credit_event_source_once")]

    def __str__(self):
        return f"{self.enterprise_id} {self.points:+d} {self.reason}"


class CreditRating(models.Model):
    """An enterprise's rating as computed at one moment; the newest one is in force."""

    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="credit_ratings")
    score = models.SmallIntegerField(_("score"))
    grade = models.CharField(_("grade"), max_length=1, choices=CreditGradePolicy.Grade.choices, db_index=True)
    sampling_percent = models.PositiveSmallIntegerField(_("sampling ratio (%)"))
    reasons = models.JSONField(_("reasons"), default=list)
    computed_at = models.DateTimeField(_("computed"), auto_now_add=True, db_index=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("credit rating")
        verbose_name_plural = _("credit ratings")
        ordering = ["-computed_at", "-pk"]
        get_latest_by = "computed_at"

    def __str__(self):
        return f"{self.enterprise_id}: {self.grade} ({self.score})"
