"""Daily supervision: visit plans, visits with a checklist, findings and corrective actions."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .registration import Farm, Species


class ChecklistTemplate(models.Model):
    """The questions an inspector works through on a visit, per species (configurable)."""

    species = models.CharField(_("species"), max_length=1, choices=Species.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["species", "name_zh"]

    def __str__(self):
        return self.name_en if (get_language() or "").startswith("en") and self.name_en else self.name_zh


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_zh = models.CharField(_("question (Chinese)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "order", "pk"]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        return self.text_en if (get_language() or "").startswith("en") and self.text_en else self.text_zh


class VisitPlan(models.Model):
    """A supervision visit the branch has planned for a farm."""

    farm = models.ForeignKey(Farm, on_delete=models.CASCADE, related_name="visit_plans")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_plans"
    )
    planned_on = models.DateField(_("planned for"), db_index=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        ordering = ["planned_on", "pk"]

    def __str__(self):
        return f"{self.farm} {self.planned_on}"


class Visit(models.Model):
    """A supervision visit made: the checklist answered and what was found."""

    farm = models.ForeignKey(Farm, on_delete=models.PROTECT, related_name="visits")
    plan = models.OneToOneField(
        VisitPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="visit"
    )
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits")
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("visited on"), db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supervision visit")
        verbose_name_plural = _("supervision visits")
        ordering = ["-visited_on", "-pk"]

    def __str__(self):
        return f"{self.farm} {self.visited_on}"


class VisitAnswer(models.Model):
    class Result(models.TextChoices):
        OK = "ok", _("Compliant")
        NOT_OK = "not_ok", _("Not compliant")
        NA = "na", _("Not applicable")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["item__order"]
        constraints = [models.UniqueConstraint(fields=["visit", "item"], name="visit_answer_once")]

    def __str__(self):
        return f"{self.item}: {self.result}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to="visits/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self):
        return self.original_name


class Finding(models.Model):
    """Something wrong found on a visit; it lowers the enterprise's credit."""

    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor")
        MAJOR = "major", _("Major")
        CRITICAL = "critical", _("Critical")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    farm = models.ForeignKey(Farm, on_delete=models.PROTECT, related_name="findings")
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, db_index=True)
    description = models.TextField(_("description"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_severity_display()}: {self.description[:40]}"


class CorrectiveActionQuerySet(models.QuerySet):
    """The one place that says when a corrective action is overdue: open past its deadline."""

    @staticmethod
    def overdue_q(today: dt.date | None = None) -> Q:
        return Q(status=CorrectiveAction.Status.OPEN, deadline__lt=today or timezone.localdate())

    def overdue(self, today: dt.date | None = None):
        return self.filter(self.overdue_q(today))

    def with_overdue(self, today: dt.date | None = None):
        """Annotate each action with ``overdue`` (True or False) as of ``today``."""
        return self.annotate(overdue=ExpressionWrapper(self.overdue_q(today), output_field=BooleanField()))


class CorrectiveAction(models.Model):
    """What the farm must put right, by when, and the inspector's follow-up."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("corrective action", "Open")
        DONE = "done", _("Reported done")
        VERIFIED = "verified", _("Verified")

    TRANSITIONS = {
        Status.OPEN: {Status.DONE, Status.VERIFIED},
        Status.DONE: {Status.VERIFIED, Status.OPEN},
        Status.VERIFIED: set(),
    }

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("required action"))
    deadline = models.DateField(_("deadline"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(_("enterprise's response"), blank=True)
    done_at = models.DateTimeField(_("reported done"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CorrectiveActionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.description[:60]
