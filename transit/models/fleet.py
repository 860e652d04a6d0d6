"""Vehicles, their GPS units and disinfections, and drivers: registered by an enterprise,
approved by the bureau."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation


class Approval(models.TextChoices):
    """Where a vehicle's or a driver's registration stands (the same steps for both)."""

    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The one transition table of both registrations: action -> (statuses it may start from, status).
APPROVAL_ACTIONS = {
    "approve": ({Approval.SUBMITTED}, Approval.APPROVED),
    "return": ({Approval.SUBMITTED}, Approval.RETURNED),
    "resubmit": ({Approval.RETURNED}, Approval.SUBMITTED),
    "suspend": ({Approval.APPROVED}, Approval.SUSPENDED),
    "reinstate": ({Approval.SUSPENDED}, Approval.APPROVED),
    "withdraw": (
        {Approval.SUBMITTED, Approval.RETURNED, Approval.APPROVED, Approval.SUSPENDED},
        Approval.WITHDRAWN,
    ),
}


class GpsUnit(models.Model):
    """A GPS unit fitted to a vehicle; it posts its positions with its own token."""

    enterprise = models.ForeignKey(
        Organisation, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="gps_units"
    )
    # The unit's own identifier (IMEI or serial), as it sends it.
    identifier = models.CharField(_("unit ID"), max_length=40, unique=True)
    # Only a hash of the token is kept (shown once when issued); the prefix finds the row.
    token_prefix = models.CharField(_("token prefix"), max_length=12, blank=True, db_index=True)
    token_hash = models.CharField(max_length=128, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    last_seen_at = models.DateTimeField(_("last position"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["last_seen_at"])

    class Meta:
        verbose_name = _("GPS unit")
        verbose_name_plural = _("GPS units")
        ordering = ["identifier"]

    def __str__(self):
        return self.identifier


class Vehicle(models.Model):
    """A livestock truck (or trailer) of an enterprise, with its cross-boundary permit."""

    class Kind(models.TextChoices):
        TRUCK = "truck", _("Livestock truck")
        SEMI_TRAILER = "semi_trailer", _("Semi-trailer")
        CONTAINER = "container", _("Livestock container")

    STATUS = Approval
    ACTIONS = APPROVAL_ACTIONS

    enterprise = models.ForeignKey(
        Organisation, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="vehicles"
    )
    plate = models.CharField(_("plate number"), max_length=20, unique=True)
    # The Guangdong–Hong Kong cross-boundary plate and permit (粤港两地牌).
    hk_plate = models.CharField(_("Hong Kong plate"), max_length=20, blank=True)
    permit_number = models.CharField(_("cross-boundary permit"), max_length=40)
    permit_valid_until = models.DateField(_("permit valid until"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.TRUCK)
    decks = models.PositiveSmallIntegerField(_("decks"), default=1)
    # Head per species code (farms.Species): {"1": 120, "3": 300}; a species absent may not be carried.
    capacity = models.JSONField(_("capacity (head per species)"), default=dict)
    gps_unit = models.OneToOneField(
        GpsUnit,
        verbose_name=_("GPS unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vehicle",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Approval.choices, default=Approval.SUBMITTED, db_index=True
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    history = HistoricalRecords(verbose_name=_("historical vehicle"))

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["plate"]
        indexes = [models.Index(fields=["enterprise", "status"])]
        constraints = [models.CheckConstraint(condition=Q(decks__gte=1), name="vehicle_decks_positive")]

    def __str__(self):
        return self.plate

    def can(self, action: str) -> bool:
        return self.status in self.ACTIONS[action][0]

    def capacity_for(self, species: str) -> int:
        return int(self.capacity.get(str(species), 0) or 0)


class Driver(models.Model):
    """A driver of an enterprise, with licence and cross-boundary permit."""

    STATUS = Approval
    ACTIONS = APPROVAL_ACTIONS

    enterprise = models.ForeignKey(
        Organisation, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="drivers"
    )
    name = models.CharField(_("name"), max_length=100)
    id_number = models.CharField(_("ID number"), max_length=30)
    phone = models.CharField(_("phone"), max_length=40)
    licence_number = models.CharField(_("driving licence"), max_length=40)
    licence_valid_until = models.DateField(_("licence valid until"))
    permit_number = models.CharField(_("cross-boundary permit"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Approval.choices, default=Approval.SUBMITTED, db_index=True
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    history = HistoricalRecords(verbose_name=_("historical driver"))

    class Meta:
        verbose_name = _("driver")
        verbose_name_plural = _("drivers")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["enterprise", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "id_number"], name="driver_id_number_once")
        ]

    def __str__(self):
        return self.name

    def can(self, action: str) -> bool:
        return self.status in self.ACTIONS[action][0]


class Disinfection(models.Model):
    """A disinfection (检疫处理 / 消毒) of a vehicle or of a warehouse pen: what, with what, who.

    A vehicle may be loaded only if it was disinfected after its last trip ended.
    """

    class Target(models.TextChoices):
        VEHICLE = "vehicle", _("Vehicle")
        PEN = "pen", _("Pen")

    target = models.CharField(_("what"), max_length=10, choices=Target.choices, default=Target.VEHICLE)
    vehicle = models.ForeignKey(
        Vehicle,
        verbose_name=_("vehicle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disinfections",
    )
    pen = models.CharField(_("pen"), max_length=60, blank=True)
    # Where it was done: the enterprise's own wash station, the warehouse, the port.
    site = models.ForeignKey(Organisation, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place"), max_length=200, blank=True)
    agent = models.CharField(_("disinfectant"), max_length=100)
    concentration = models.CharField(_("concentration"), max_length=40)
    performed_at = models.DateTimeField(_("performed"))
    performed_by = models.CharField(_("performed by"), max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = HistoricalRecords(verbose_name=_("historical disinfection"))

    class Meta:
        verbose_name = _("disinfection")
        verbose_name_plural = _("disinfections")
        ordering = ["-performed_at", "-pk"]
        indexes = [
            models.Index(fields=["vehicle", "performed_at"]),
            models.Index(fields=["site", "performed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target="vehicle", vehicle__isnull=False) | Q(target="pen") & ~Q(pen="")),
                name="disinfection_has_target",
            )
        ]

    def __str__(self):
        return f"{self.get_target_display()} {self.vehicle or self.pen} {self.performed_at:%Y-%m-%d}"
