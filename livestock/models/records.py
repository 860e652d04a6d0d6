"""Production records (饲养管理): feed, vaccination, medication, disease, death, disinfection."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation
from farms.models import Farm, Species


class VaccinationRequirement(models.Model):
    """One item of the bureau's required immunisation programme for a species (configurable)."""

    species = models.CharField(_("species"), max_length=1, choices=Species.choices)
    disease_zh = models.CharField(_("disease (Chinese)"), max_length=100)
    disease_en = models.CharField(_("disease (English)"), max_length=100)
    first_age_days = models.PositiveIntegerField(_("first dose at age (days)"))
    # Empty: one dose for life; otherwise the protection lapses after this many days.
    repeat_days = models.PositiveIntegerField(_("repeat every (days)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("required vaccination")
        verbose_name_plural = _("required vaccinations")
        ordering = ["species", "first_age_days", "disease_zh"]
        constraints = [
            models.UniqueConstraint(fields=["species", "disease_zh"], name="vaccination_requirement_unique")
        ]

    def __str__(self):
        return self.disease

    @property
    def disease(self) -> str:
        return (
            self.disease_en
            if (get_language() or "").startswith("en") and self.disease_en
            else self.disease_zh
        )


class BannedSubstance(models.Model):
    """A substance never allowed in feed or medicine for animals supplied to Hong Kong."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    # Other names and trade names, one per line; matched case- and width-insensitively.
    aliases = models.TextField(_("other names"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("banned substance")
        verbose_name_plural = _("banned substances")
        ordering = ["name_en"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    def names(self) -> list[str]:
        return [n.strip() for n in [self.name_zh, self.name_en, *self.aliases.splitlines()] if n.strip()]


class ProductionLog(models.Model):
    """One entry of a farm's production records, for one animal, a pen or a selection."""

    class Kind(models.TextChoices):
        FEED = "feed", _("Feed")
        VACCINATION = "vaccination", _("Vaccination")
        MEDICATION = "medication", _("Medication")
        DISEASE = "disease", _("Disease observation")
        DEATH = "death", _("Death")
        DISINFECTION = "disinfection", _("Disinfection")

    class Disposal(models.TextChoices):
        INCINERATION = "incineration", _("Incineration")
        BURIAL = "burial", _("Deep burial")
        RENDERING = "rendering", _("Harmless treatment plant")
        OTHER = "other", _("Other")

    farm = models.ForeignKey(Farm, verbose_name=_("farm"), on_delete=models.PROTECT, related_name="logs")
    kind = models.CharField(_("record"), max_length=15, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    # The pen it was done in, if it was done pen by pen (the animals are in LogAnimal).
    pen = models.CharField(_("pen"), max_length=60, blank=True)
    # Feed, vaccine, drug or disinfectant; maker or supplier; batch.
    product = models.CharField(_("product"), max_length=120, blank=True)
    maker = models.CharField(_("maker / supplier"), max_length=120, blank=True)
    batch = models.CharField(_("batch"), max_length=60, blank=True)
    additives = models.CharField(_("additives"), max_length=300, blank=True)
    active_substance = models.CharField(_("active substance"), max_length=120, blank=True)
    requirement = models.ForeignKey(
        VaccinationRequirement,
        verbose_name=_("against (programme item)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    dose = models.DecimalField(_("dose"), max_digits=10, decimal_places=3, null=True, blank=True)
    dose_unit = models.CharField(_("unit"), max_length=10, blank=True)
    route = models.CharField(_("route"), max_length=40, blank=True)
    withdrawal_days = models.PositiveIntegerField(_("withdrawal period (days)"), null=True, blank=True)
    withdrawal_until = models.DateField(_("withdrawal ends"), null=True, blank=True)
    # Disease observation and death.
    symptoms = models.CharField(_("signs / diagnosis"), max_length=300, blank=True)
    cause = models.CharField(_("cause"), max_length=200, blank=True)
    disposal = models.CharField(_("disposal"), max_length=15, choices=Disposal.choices, blank=True)
    disposed_on = models.DateField(_("disposed of on"), null=True, blank=True)
    # Disinfection: where and with what concentration.
    area = models.CharField(_("area"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    animal_count = models.PositiveIntegerField(_("animals"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("production record")
        verbose_name_plural = _("production records")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["farm", "kind", "-occurred_on"]),
            # A forward trace starts from a feed or drug batch.
            models.Index(fields=["product", "batch"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(dose__isnull=True) | Q(dose__gt=0), name="log_dose_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_on}"


class LogAnimal(models.Model):
    """Which animals a production record covers (the link a forward trace follows)."""

    log = models.ForeignKey(ProductionLog, on_delete=models.CASCADE, related_name="links")
    animal = models.ForeignKey("livestock.Animal", on_delete=models.PROTECT, related_name="log_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["animal", "log"], name="log_animal_unique")]

    def __str__(self):
        return f"{self.log_id}:{self.animal_id}"


class SubstanceAlert(models.Model):
    """A refused attempt to record a banned substance, kept as evidence of the alert it raised.

    The alert itself (who must act, acknowledged, notes, closed) lives in the alerts centre
    (surveillance.Alert); repeated attempts on one farm with one substance while that alert is
    open all point to it.
    """

    farm = models.ForeignKey(Farm, verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(Organisation, verbose_name=_("enterprise"), on_delete=models.PROTECT)
    branch = models.ForeignKey(
        Organisation, verbose_name=_("CIQ branch"), on_delete=models.PROTECT, related_name="+"
    )
    substance = models.ForeignKey(BannedSubstance, verbose_name=_("substance"), on_delete=models.PROTECT)
    kind = models.CharField(_("record"), max_length=15, choices=ProductionLog.Kind.choices)
    # What the user typed, as evidence.
    entered = models.CharField(_("entered"), max_length=500)
    animal_count = models.PositiveIntegerField(_("animals"), default=0)
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("attempted by"), on_delete=models.PROTECT, related_name="+"
    )
    attempted_at = models.DateTimeField(_("when"), auto_now_add=True)
    alert = models.ForeignKey(
        "surveillance.Alert",
        verbose_name=_("alert"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substance_attempts",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("banned-substance attempt")
        verbose_name_plural = _("banned-substance attempts")
        ordering = ["-attempted_at"]
        indexes = [
            models.Index(fields=["branch", "attempted_at"]),
            models.Index(fields=["farm", "attempted_at"]),
        ]

    def __str__(self):
        return f"{self.substance} @ {self.farm}"
