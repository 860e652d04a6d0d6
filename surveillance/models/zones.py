"""Diseases, outbreak reports, the zones they draw, and the farms those zones hold."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from farms.models import Farm, Species

from ..geo import MAX_RADIUS_KM

RADIUS_OK = Q(radius_km__gt=0) & Q(radius_km__lte=MAX_RADIUS_KM)


def _english() -> bool:
    return (get_language() or "").startswith("en")


class Disease(models.Model):
    """A notifiable disease, with the zones a report of it draws by default (the bureau edits these)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    # The species digits (farms.Species) the disease strikes: a farm of another species is not
    # restricted by its zones.
    species = models.CharField(_("species"), max_length=3, help_text=_("The species that catch it."))
    infected_radius_km = models.DecimalField(_("infected zone radius (km)"), max_digits=5, decimal_places=2)
    surveillance_radius_km = models.DecimalField(
        _("surveillance zone radius (km)"), max_digits=5, decimal_places=2
    )
    restriction_days = models.PositiveIntegerField(
        _("restriction period (days)"),
        help_text=_("How long after confirmation the zones are due for review."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disease")
        verbose_name_plural = _("diseases")
        ordering = ["name_zh"]
        constraints = [
            models.CheckConstraint(
                condition=Q(infected_radius_km__gt=0)
                & Q(surveillance_radius_km__lte=MAX_RADIUS_KM)
                & Q(surveillance_radius_km__gte=models.F("infected_radius_km")),
                name="disease_radii_in_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if _english() and self.name_en else self.name_zh

    @property
    def species_list(self) -> list[str]:
        return [s for s in self.species if s in Species.values]

    @property
    def species_labels(self) -> list[str]:
        return [str(Species(s).label) for s in self.species_list]


class DiseaseReport(models.Model):
    """An outbreak the bureau has confirmed: where, when, on what evidence; lifted, never deleted."""

    class Source(models.TextChoices):
        NATIONAL_BULLETIN = "national_bulletin", _("National bulletin")
        OWN_FINDING = "own_finding", _("Bureau's own finding")
        OTHER_AUTHORITY = "other_authority", _("Another authority")

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        LIFTED = "lifted", _("Lifted")

    # The one transition table: a confirmed report is lifted (its zones with it), and that is all.
    ACTIONS = {"lift": ({Status.CONFIRMED}, Status.LIFTED)}

    disease = models.ForeignKey(
        Disease, verbose_name=_("disease"), on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    county_code = models.CharField(_("county (GB/T 2260 code)"), max_length=6, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    confirmed_on = models.DateField(_("confirmed on"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_reference = models.CharField(
        _("reference"), max_length=200, blank=True, help_text=_("Bulletin number, letter or case file.")
    )
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CONFIRMED, db_index=True
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lift_reason = models.TextField(_("why lifted"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disease report")
        verbose_name_plural = _("disease reports")
        ordering = ["-confirmed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="confirmed") | (Q(lifted_at__isnull=False) & ~Q(lift_reason="")),
                name="disease_report_lifted_with_reason",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.disease}"

    @property
    def number(self) -> str:
        """The report's number as the bureau quotes it: year of confirmation and a sequence."""
        return f"{self.confirmed_on:%Y}-{self.pk or 0:04d}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.CONFIRMED

    def can(self, action: str) -> bool:
        return self.status in self.ACTIONS[action][0]


class ReportEvidence(models.Model):
    """A file filed with a report (a bulletin, a lab report, a photo): image or PDF, never public."""

    report = models.ForeignKey(DiseaseReport, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to="surveillance/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name


class Zone(models.Model):
    """A circle a report draws (infected zone, surveillance zone); farms inside it may not move animals."""

    class Kind(models.TextChoices):
        INFECTED = "infected", _("Infected zone")
        SURVEILLANCE = "surveillance", _("Surveillance zone")

    report = models.ForeignKey(DiseaseReport, on_delete=models.PROTECT, related_name="zones")
    kind = models.CharField(_("zone"), max_length=12, choices=Kind.choices)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    radius_km = models.DecimalField(_("radius (km)"), max_digits=5, decimal_places=2)
    # The circle's bounding box (surveillance.geo.bounding_box), kept so that "which zones may
    # hold these farms" is a range query on an index rather than a distance for every zone.
    min_lat = models.FloatField()
    max_lat = models.FloatField()
    min_lng = models.FloatField()
    max_lng = models.FloatField()
    starts_on = models.DateField(_("since"))
    review_on = models.DateField(_("due for review"))
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lift_reason = models.TextField(_("why lifted"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["report_id", "radius_km"]
        constraints = [
            models.CheckConstraint(condition=RADIUS_OK, name="zone_radius_in_range"),
            models.UniqueConstraint(fields=["report", "kind"], name="zone_one_kind_per_report"),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | ~Q(lift_reason=""), name="zone_lifted_with_reason"
            ),
        ]
        indexes = [
            # Only the active zones are ever searched by place: a partial index stays small
            # however many lifted zones accumulate.
            models.Index(
                fields=["min_lat", "max_lat", "min_lng", "max_lng"],
                condition=Q(lifted_at__isnull=True),
                name="zone_active_box",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.radius_km} km ({self.report_id})"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    @property
    def is_due(self) -> bool:
        return self.is_active and self.review_on <= timezone.localdate()


class FarmRestriction(models.Model):
    """A farm flagged inside a zone, kept current as zones are drawn and lifted: what lists read.

    The truth is the geometry (selectors.restrictions_for_farms measures it); this table is what
    the registry, the maps and the farm pages show, written in the same transaction as the zone.
    """

    farm = models.ForeignKey(
        Farm, verbose_name=_("farm"), on_delete=models.PROTECT, related_name="restrictions"
    )
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, related_name="restrictions"
    )
    distance_km = models.DecimalField(_("distance (km)"), max_digits=6, decimal_places=3)
    flagged_at = models.DateTimeField(_("flagged"))
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    class Meta:
        verbose_name = _("farm restriction")
        verbose_name_plural = _("farm restrictions")
        ordering = ["farm_id", "distance_km"]
        constraints = [models.UniqueConstraint(fields=["farm", "zone"], name="restriction_farm_zone_unique")]
        indexes = [
            models.Index(
                fields=["farm"], condition=Q(lifted_at__isnull=True), name="restriction_active_farm"
            ),
            models.Index(fields=["zone", "lifted_at"]),
        ]

    def __str__(self):
        return f"{self.farm_id} in {self.zone_id}"
