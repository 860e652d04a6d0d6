"""Supervised loading (监装) of a certified consignment, its seals, and the trip that follows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation

from .fleet import Driver, GpsUnit, Vehicle


class Loading(models.Model):
    """An inspector's loading session: the consignment's animals onto one vehicle.

    While open, reads (from a reader, typed or scanned) fill ``LoadingAnimal``; closing it freezes
    the manifest, signs the seal addendum of the certificate and starts the ``Trip``.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Loading")
        CLOSED = "closed", _("Loaded and sealed")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIONS = {
        "close": ({Status.OPEN}, Status.CLOSED),
        "cancel": ({Status.OPEN}, Status.CANCELLED),
    }

    number = models.CharField(_("loading number"), max_length=24, unique=True)
    consignment = models.ForeignKey(
        "quarantine.Consignment",
        verbose_name=_("consignment"),
        on_delete=models.PROTECT,
        related_name="loadings",
    )
    certificate = models.ForeignKey(
        "quarantine.Certificate",
        verbose_name=_("certificate"),
        on_delete=models.PROTECT,
        related_name="loadings",
    )
    # Copied from the consignment: every scoped list is one indexed filter.
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("vehicle"), on_delete=models.PROTECT, related_name="loadings"
    )
    driver = models.ForeignKey(
        Driver, verbose_name=_("driver"), on_delete=models.PROTECT, related_name="loadings"
    )
    # The reader whose reads stream into the session (none: tags typed or scanned).
    device = models.ForeignKey(
        "livestock.ReaderDevice",
        verbose_name=_("reader"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The id of the reader's newest read when the session opened: the session counts only the
    # reads stored after it (the device's (device, id) index serves the live screen).
    reads_after = models.BigIntegerField(default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    head_expected = models.PositiveIntegerField(_("head on the certificate"))
    head_loaded = models.PositiveIntegerField(_("head loaded"), default=0)
    # Tags read during the session that are not on the certificate, kept at closing.
    unexpected = models.JSONField(_("unexpected tags"), default=list, blank=True)
    # The seal addendum of the certificate, signed at closing with the certificate keys
    # (quarantine.keys): the certificate itself never changes.
    addendum = models.JSONField(_("seal addendum"), default=dict, blank=True)
    addendum_signature = models.CharField(max_length=100, blank=True)
    addendum_key_id = models.CharField(max_length=16, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)

    history = HistoricalRecords(
        verbose_name=_("historical loading"), excluded_fields=["head_loaded", "reads_after"]
    )

    class Meta:
        verbose_name = _("loading")
        verbose_name_plural = _("loadings")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["branch", "status", "opened_at"]),
            models.Index(fields=["enterprise", "status", "opened_at"]),
            # The bureau's list of every branch's loadings, newest first, a page at a time.
            models.Index(fields=["opened_at"], name="loading_opened_at"),
        ]
        constraints = [
            # A consignment is loaded once: at most one loading open or closed (cancelled ones stay).
            models.UniqueConstraint(
                fields=["consignment"], condition=~Q(status="cancelled"), name="loading_one_per_consignment"
            ),
            # A vehicle takes one open loading at a time.
            models.UniqueConstraint(
                fields=["vehicle"], condition=Q(status="open"), name="loading_one_open_per_vehicle"
            ),
        ]

    def __str__(self):
        return self.number

    def can(self, action: str) -> bool:
        return self.status in self.ACTIONS[action][0]


class LoadingAnimal(models.Model):
    """An animal of the consignment put on the vehicle; the manifest once the loading is closed."""

    class How(models.TextChoices):
        READER = "reader", _("Reader")
        TYPED = "typed", _("Typed or scanned")

    loading = models.ForeignKey(Loading, on_delete=models.CASCADE, related_name="animals")
    animal = models.ForeignKey("livestock.Animal", on_delete=models.PROTECT, related_name="loading_items")
    national_code = models.CharField(_("national code"), max_length=15)
    how = models.CharField(_("how"), max_length=10, choices=How.choices)
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("loaded animal")
        verbose_name_plural = _("loaded animals")
        ordering = ["national_code"]
        constraints = [models.UniqueConstraint(fields=["loading", "animal"], name="loading_animal_once")]

    def __str__(self):
        return self.national_code


class Seal(models.Model):
    """A numbered seal put on a vehicle; a number is used once, ever."""

    class Stage(models.TextChoices):
        LOADING = "loading", _("At loading")
        WAREHOUSE = "warehouse", _("At the warehouse")

    number = models.CharField(_("seal number"), max_length=40, unique=True)
    loading = models.ForeignKey(
        Loading, verbose_name=_("loading"), on_delete=models.PROTECT, related_name="seals"
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.LOADING)
    applied_at = models.DateTimeField(_("applied"))
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Broken (opened) on arrival at the warehouse or at the port, by whom and why.
    broken_at = models.DateTimeField(_("broken"), null=True, blank=True)
    broken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    broken_note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords(verbose_name=_("historical seal"))

    class Meta:
        verbose_name = _("seal")
        verbose_name_plural = _("seals")
        ordering = ["loading", "stage", "number"]

    def __str__(self):
        return self.number


class Trip(models.Model):
    """The journey of a closed loading: farm → Qingshuihe warehouse → the exit port."""

    class Status(models.TextChoices):
        EN_ROUTE = "en_route", _("On the road to the warehouse")
        AT_WAREHOUSE = "at_warehouse", _("At the warehouse")
        TO_PORT = "to_port", _("On the road to the port")
        HELD = "held", _("Held at the port")
        RELEASED = "released", _("Released")
        ABANDONED = "abandoned", _("Abandoned")

    ACTIONS = {
        "arrive": ({Status.EN_ROUTE}, Status.AT_WAREHOUSE),
        "depart": ({Status.AT_WAREHOUSE}, Status.TO_PORT),
        "hold": ({Status.TO_PORT}, Status.HELD),
        "release": ({Status.TO_PORT, Status.HELD}, Status.RELEASED),
        "abandon": ({Status.EN_ROUTE, Status.AT_WAREHOUSE, Status.TO_PORT, Status.HELD}, Status.ABANDONED),
    }
    # Statuses in which the truck is on the road and its positions are checked.
    ON_ROAD = {Status.EN_ROUTE, Status.TO_PORT}

    loading = models.OneToOneField(
        Loading, verbose_name=_("loading"), on_delete=models.PROTECT, related_name="trip"
    )
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("vehicle"), on_delete=models.PROTECT, related_name="trips"
    )
    driver = models.ForeignKey(
        Driver, verbose_name=_("driver"), on_delete=models.PROTECT, related_name="trips"
    )
    # The unit fitted when the trip started: a unit moved to another truck later does not move
    # this trip's track.
    gps_unit = models.ForeignKey(
        GpsUnit,
        verbose_name=_("GPS unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trips",
    )
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.EN_ROUTE, db_index=True
    )
    departed_at = models.DateTimeField(_("departed"))
    # When the truck is due at the warehouse, then at the port (set on leaving the warehouse).
    due_at = models.DateTimeField(_("due"))
    arrived_warehouse_at = models.DateTimeField(_("arrived at the warehouse"), null=True, blank=True)
    departed_warehouse_at = models.DateTimeField(_("left the warehouse"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # The latest position, kept by GPS ingestion: the live map reads these, not the track.
    last_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    last_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    last_position_at = models.DateTimeField(_("last position"), null=True, blank=True)

    history = HistoricalRecords(
        verbose_name=_("historical trip"), excluded_fields=["last_lat", "last_lng", "last_position_at"]
    )

    class Meta:
        verbose_name = _("trip")
        verbose_name_plural = _("trips")
        ordering = ["-departed_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "departed_at"]),
            models.Index(fields=["enterprise", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle"],
                condition=Q(status__in=["en_route", "at_warehouse", "to_port", "held"]),
                name="trip_one_active_per_vehicle",
            )
        ]

    def __str__(self):
        return f"{self.loading.number} {self.vehicle.plate}"

    def can(self, action: str) -> bool:
        return self.status in self.ACTIONS[action][0]
