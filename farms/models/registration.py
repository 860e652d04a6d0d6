"""A farm, from its application to its registration, and everything filed with it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation


class Species(models.TextChoices):
    # The values are the species digit of the national ear-tag code (domain.md).
    PIG = "1", _("Pigs")
    CATTLE = "2", _("Cattle")
    GOAT = "3", _("Sheep and goats")


class Farm(models.Model):
    """A farm of an enterprise: an application until approved, then a registered farm."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        RETURNED = "returned", _("Returned for changes")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REGISTERED = "registered", _("Registered")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")
        LAPSED = "lapsed", _("Lapsed")
        EXPIRED = "expired", _("Expired")

    # The one transition table: each action, the statuses it may start from, and where it
    # leads. An arrow is an action, not just a pair of statuses: "reinstate" and "approve"
    # both lead to registered, but from different places.
    ACTIONS = {
        "submit": ({Status.DRAFT, Status.RETURNED, Status.LAPSED, Status.EXPIRED}, Status.SUBMITTED),
        "withdraw": (
            {Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED},
            Status.WITHDRAWN,
        ),
        "assign": ({Status.SUBMITTED}, Status.UNDER_REVIEW),
        "approve": ({Status.UNDER_REVIEW}, Status.REGISTERED),
        "return": ({Status.SUBMITTED, Status.UNDER_REVIEW}, Status.RETURNED),
        "reject": ({Status.SUBMITTED, Status.UNDER_REVIEW}, Status.REJECTED),
        "suspend": ({Status.REGISTERED}, Status.SUSPENDED),
        "reinstate": ({Status.SUSPENDED}, Status.REGISTERED),
        "revoke": ({Status.REGISTERED, Status.SUSPENDED}, Status.REVOKED),
        "renew": ({Status.REGISTERED, Status.EXPIRED}, Status.REGISTERED),
        "expire": ({Status.REGISTERED}, Status.EXPIRED),  # the periodic task
        "lapse": ({Status.REGISTERED}, Status.LAPSED),  # the periodic task
    }
    # Farm.TRANSITIONS, the same table as arrows between statuses, is set below the class.
    # Statuses in which the enterprise may still edit its application.
    EDITABLE = {Status.DRAFT, Status.RETURNED, Status.LAPSED, Status.EXPIRED}
    # Statuses of a farm that may supply (declare consignments).
    ACTIVE = {Status.REGISTERED}

    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="farms",
        limit_choices_to={"kind": Organisation.Kind.ENTERPRISE},
    )
    branch = models.ForeignKey(
        Organisation,
        verbose_name=_("supervising CIQ branch"),
        on_delete=models.PROTECT,
        related_name="supervised_farms",
        limit_choices_to={"kind": Organisation.Kind.CIQ_BRANCH},
    )
    name_zh = models.CharField(_("farm name (Chinese)"), max_length=200)
    name_en = models.CharField(_("farm name (English)"), max_length=200, blank=True)
    species = models.CharField(_("species"), max_length=1, choices=Species.choices)
    # Empty only in a draft that was never submitted (see the constraint below).
    capacity = models.PositiveIntegerField(_("capacity (head)"), null=True, blank=True)
    county_code = models.CharField(_("county (GB/T 2260 code)"), max_length=6, db_index=True)
    address = models.CharField(_("address"), max_length=300)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    area_m2 = models.PositiveIntegerField(_("site area (m²)"), null=True, blank=True)
    # The building layout as GeoJSON (a FeatureCollection of polygons and points, each with a
    # "kind" property: pen, isolation house, disinfection pool, manure treatment, other).
    layout = models.JSONField(_("building layout"), default=dict, blank=True)
    disease_history = models.TextField(_("disease history (last 3 years)"), blank=True)
    vet_name = models.CharField(_("filed veterinarian"), max_length=100)
    vet_licence = models.CharField(_("veterinarian's licence number"), max_length=50)
    vet_phone = models.CharField(_("veterinarian's phone"), max_length=40, blank=True)
    immunisation_programme = models.TextField(_("immunisation programme"))

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    registration_number = models.CharField(_("registration number"), max_length=30, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    last_consignment_on = models.DateField(_("last consignment"), null=True, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned inspector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_farms",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("historical farm"))

    class Meta:
        verbose_name = _("farm")
        verbose_name_plural = _("farms")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="farm_registration_number_unique",
            ),
            # One enterprise does not file the same farm twice (a withdrawn or rejected one
            # may be filed again).
            models.UniqueConstraint(
                fields=["enterprise", "name_zh"],
                condition=~Q(status__in=["withdrawn", "rejected"]),
                name="farm_name_unique_per_enterprise",
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="farm_capacity_positive"),
            # A draft may be saved half filled in; once submitted, the figures are there for good.
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | Q(capacity__isnull=False, latitude__isnull=False, longitude__isnull=False),
                name="farm_complete_once_submitted",
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "status"]),
            models.Index(fields=["enterprise", "status"]),
            # Which farms lie in a disease zone: a box of latitudes and longitudes first
            # (surveillance.services.zones.farms_in_circle), then the exact distance.
            models.Index(fields=["latitude", "longitude"], name="farm_position"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def can(self, action: str) -> bool:
        """Return whether ``action`` of Farm.ACTIONS may start from the farm's status."""
        return self.status in self.ACTIONS[action][0]


# The transition table as arrows between statuses (for diagrams and checks); a class body's
# comprehension cannot see ACTIONS, hence out here.
Farm.TRANSITIONS = {
    status: {to for froms, to in Farm.ACTIONS.values() if status in froms} for status in Farm.Status
}


class FarmStatusChange(models.Model):
    """One arrow of the workflow taken: who moved the farm, from where to where, and why."""

    farm = models.ForeignKey(Farm, on_delete=models.CASCADE, related_name="status_changes")
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, choices=Farm.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Farm.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("farm status change")
        verbose_name_plural = _("farm status changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.farm_id}: {self.from_status} → {self.to_status}"


class SurroundingKind(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential area")
    ROAD = "road", _("Main road")
    OTHER_FARM = "other_farm", _("Other livestock farm")
    SLAUGHTERHOUSE = "slaughterhouse", _("Slaughterhouse")
    MARKET = "market", _("Livestock market")
    WATER_SOURCE = "water_source", _("Drinking-water source")
    VET_CLINIC = "vet_clinic", _("Veterinary clinic")


class SurroundingRule(models.Model):
    """The minimum distance the bureau requires between a farm and one kind of neighbour."""

    kind = models.CharField(_("kind"), max_length=20, choices=SurroundingKind.choices, unique=True)
    min_distance_m = models.PositiveIntegerField(_("minimum distance (m)"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("surroundings rule")
        verbose_name_plural = _("surroundings rules")
        ordering = ["kind"]

    def __str__(self):
        return f"{self.get_kind_display()} ≥ {self.min_distance_m} m"


class FarmSurrounding(models.Model):
    """A neighbour of the farm and its distance, as the enterprise declares it."""

    farm = models.ForeignKey(Farm, on_delete=models.CASCADE, related_name="surroundings")
    kind = models.CharField(_("kind"), max_length=20, choices=SurroundingKind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    distance_m = models.PositiveIntegerField(_("distance (m)"))

    class Meta:
        verbose_name = _("surrounding")
        verbose_name_plural = _("surroundings")
        ordering = ["kind", "distance_m"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.distance_m} m"


class FarmAttachment(models.Model):
    """A document filed with the application: a plan, a photo, a licence (image or PDF)."""

    class Kind(models.TextChoices):
        LAYOUT_PLAN = "layout_plan", _("Layout plan")
        PHOTO = "photo", _("Photo")
        LICENCE = "licence", _("Licence or certificate")
        OTHER = "other", _("Other")

    farm = models.ForeignKey(Farm, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="farms/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["kind", "uploaded_at"]

    def __str__(self):
        return self.original_name


class SiteInspection(models.Model):
    """The inspector's visit to a farm under review, and its conclusion."""

    class Conclusion(models.TextChoices):
        PASS = "pass", _("Meets the requirements")
        FAIL = "fail", _("Does not meet the requirements")

    farm = models.ForeignKey(Farm, on_delete=models.CASCADE, related_name="site_inspections")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    inspected_on = models.DateField(_("inspected on"))
    conclusion = models.CharField(_("conclusion"), max_length=10, choices=Conclusion.choices)
    notes = models.TextField(_("notes"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site inspection")
        verbose_name_plural = _("site inspections")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self):
        return f"{self.farm} {self.inspected_on}"


class RegistrationCounter(models.Model):
    """The last registration number given per prefix (province, species, year)."""

    prefix = models.CharField(max_length=20, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.prefix}: {self.last}"
