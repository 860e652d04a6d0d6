"""The alerts centre (预警中心): every warning the system raises, who must answer it, and what was done."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation, Role
from farms.models import Farm


class Alert(models.Model):
    """One warning: raised through services.alerts.alert_raise only, answered by one organisation and role."""

    class Kind(models.TextChoices):
        # Kinds the later steps raise are listed now, so that raising them needs no migration.
        FARM_IN_ZONE = "farm_in_zone", _("Farm in a disease zone")
        BANNED_SUBSTANCE = "banned_substance", _("Banned substance")
        READER_SILENT = "reader_silent", _("Reader gone silent")
        LAB_POSITIVE = "lab_positive", _("Positive lab result")
        OFF_ROUTE = "off_route", _("Truck off its route")
        LONG_STOP = "long_stop", _("Truck stopped too long")
        SIGNAL_LOST = "signal_lost", _("GPS signal lost")
        RUNNING_LATE = "running_late", _("Truck running late")
        ZONE_ENTERED = "zone_entered", _("Truck in a disease zone")
        SEAL_MISMATCH = "seal_mismatch", _("Seals do not match")
        DISCREPANCY = "discrepancy", _("Discrepancy at a check")
        OVERNIGHT = "overnight", _("Animals kept overnight")
        CERTIFICATE_EXPIRING = "certificate_expiring", _("Certificate about to expire")
        OTHER = "other", _("Other")

    class Severity(models.IntegerChoices):
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")

    class State(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CLOSED = "closed", _("Closed")

    # The one transition table. A note may be added to any alert that is not closed.
    ACTIONS = {
        "acknowledge": ({State.NEW}, State.ACKNOWLEDGED),
        "close": ({State.NEW, State.ACKNOWLEDGED}, State.CLOSED),
    }
    OPEN = (State.NEW, State.ACKNOWLEDGED)

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.NEW)
    # What makes two raisings the same warning (e.g. "reader_silent:12"): unique among open alerts.
    key = models.CharField(_("key"), max_length=200)
    text_zh = models.CharField(_("text (Chinese)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300)
    # Who must act.
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("for"), on_delete=models.PROTECT, related_name="alerts"
    )
    role = models.CharField(_("role that must act"), max_length=20, choices=Role.choices)
    # What it is about (for scope and filters) and, generically, the record that raised it.
    farm = models.ForeignKey(
        Farm, verbose_name=_("farm"), on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    shown_to_enterprise = models.BooleanField(_("shown to the enterprise"), default=False)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    data = models.JSONField(_("details"), default=dict, blank=True)
    count = models.PositiveIntegerField(_("times raised"), default=1)
    raised_at = models.DateTimeField(_("raised"))
    last_raised_at = models.DateTimeField(_("last raised"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    close_reason = models.TextField(_("why closed"), blank=True)
    notified_at = models.DateTimeField(_("sent by e-mail and SMS"), null=True, blank=True)

    # The trail is who acknowledged and closed, and why; a warning raised again only counts.
    history = HistoricalRecords(excluded_fields=["count", "last_raised_at", "notified_at"])

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(state="closed"), name="alert_key_open_unique"
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | (Q(closed_at__isnull=False) & ~Q(close_reason="")),
                name="alert_closed_with_reason",
            ),
            models.CheckConstraint(condition=Q(severity__in=[1, 2, 3]), name="alert_severity_known"),
        ]
        indexes = [
            # The navigation's count and the lists: by who must act and state, newest first.
            models.Index(fields=["organisation", "state", "-raised_at"]),
            models.Index(fields=["state", "-raised_at"]),
            models.Index(fields=["enterprise", "shown_to_enterprise", "state"]),
            models.Index(fields=["farm", "state"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        return self.text_en if (get_language() or "").startswith("en") and self.text_en else self.text_zh

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN

    def can(self, action: str) -> bool:
        return self.state in self.ACTIONS[action][0]


class AlertNote(models.Model):
    """One step of an alert's trail: acknowledged, a note of what was done, shared, closed."""

    class Action(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", _("Acknowledged")
        NOTE = "note", _("Note")
        SHOW = "show", _("Shown to the enterprise")
        HIDE = "hide", _("Hidden from the enterprise")
        CLOSE = "close", _("Closed")

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="notes")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    text = models.TextField(_("note"), blank=True)
    # Empty when the system acted (a reader that spoke again closes its own alert).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert note")
        verbose_name_plural = _("alert notes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["alert", "at"])]

    def __str__(self):
        return f"{self.alert_id}: {self.get_action_display()}"
