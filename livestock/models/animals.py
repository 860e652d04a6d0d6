"""The animals of a farm, each known by its ear tag, and the files they were imported from."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from farms.models import Farm, Species


class AnimalImport(models.Model):
    """An uploaded herd list: checked in full (preview), then imported all at once or not at all."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked, waiting for confirmation")
        REFUSED = "refused", _("Refused: has errors")
        IMPORTED = "imported", _("Imported")
        CANCELLED = "cancelled", _("Cancelled")

    farm = models.ForeignKey(Farm, verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    source_file = models.FileField(_("file"), upload_to="animal_imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    # Row-by-row problems of the last check: [{"row": 3, "column": "tag", "value": "...", "error": "..."}]
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # The rows as checked (JSON), so that confirming does not parse the file again: it re-checks
    # only what may have changed since (the tags still free, the pens still there).
    checked_rows = models.FileField(upload_to="animal_imports/checked/%Y/%m/", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        verbose_name = _("herd list import")
        verbose_name_plural = _("herd list imports")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.file_name


class Animal(models.Model):
    """One animal, from registration on its farm to release or death."""

    class Status(models.TextChoices):
        ON_FARM = "on_farm", _("On farm")
        DECLARED = "declared", _("Declared for export")
        IN_TRANSIT = "in_transit", _("In transit")
        AT_WAREHOUSE = "at_warehouse", _("At the transit warehouse")
        RELEASED = "released", _("Exported")
        DEAD = "dead", _("Dead")
        DISPOSED = "disposed", _("Disposed of")

    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")
        CASTRATED = "castrated", _("Castrated male")

    class Origin(models.TextChoices):
        SELF_BRED = "self_bred", _("Self-bred")
        PURCHASED = "purchased", _("Bought in")
        OTHER = "other", _("Other")

    # The one transition table: action -> (statuses it may start from, status it leads to).
    # Later steps (declaration, loading, the warehouse, the port) move animals only through it.
    ACTIONS = {
        "declare": ({Status.ON_FARM}, Status.DECLARED),
        "undeclare": ({Status.DECLARED}, Status.ON_FARM),
        "load": ({Status.DECLARED}, Status.IN_TRANSIT),
        "arrive": ({Status.IN_TRANSIT}, Status.AT_WAREHOUSE),
        "release": ({Status.AT_WAREHOUSE}, Status.RELEASED),
        "die": ({Status.ON_FARM, Status.DECLARED, Status.IN_TRANSIT, Status.AT_WAREHOUSE}, Status.DEAD),
        "dispose": ({Status.DEAD}, Status.DISPOSED),
    }
    # Statuses in which the farm keeps production records for the animal.
    ON_FARM = {Status.ON_FARM, Status.DECLARED}
    ALIVE = {Status.ON_FARM, Status.DECLARED, Status.IN_TRANSIT, Status.AT_WAREHOUSE}

    # The farm and enterprise are indexed by the composite indexes in Meta, not on their own:
    # a herd list writes 100,000 rows at once and every index costs each of them.
    # The farm, the enterprise, imported_from and registered_by have no database constraint:
    # the services take them from rows they have just checked (the farm registered and its
    # enterprise, the import, the acting user), which are never deleted (PROTECT, and regulated),
    # and each constraint would look up and lock the same row once per animal at commit: about
    # a second each for a 100,000-row herd list (make bench, animal_import_100k_s).
    farm = models.ForeignKey(
        Farm,
        verbose_name=_("farm"),
        on_delete=models.PROTECT,
        related_name="animals",
        db_index=False,
        db_constraint=False,
    )
    # Denormalised from the farm so that every scoped list is one indexed filter.
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="animals",
        db_index=False,
        db_constraint=False,
    )
    # The tag in the ear now; earlier tags keep pointing at the animal (EarTag.animal). Unique in
    # the database, but not a constraint checked row by row at commit (as the farm above): the
    # services write both ends in one transaction from tags they have just locked and checked,
    # and tags are never deleted (PROTECT).
    tag = models.OneToOneField(
        "livestock.EarTag",
        verbose_name=_("ear tag"),
        on_delete=models.PROTECT,
        related_name="current_animal",
        db_constraint=False,
    )
    # Copies of the current tag's codes: the look-ups every screen and every reader makes.
    national_code = models.CharField(_("national code"), max_length=15, unique=True)
    rfid = models.CharField(_("RFID number"), max_length=15, unique=True, null=True, blank=True)
    species = models.CharField(_("species"), max_length=1, choices=Species.choices)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    breed = models.CharField(_("breed"), max_length=60, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    entry_date = models.DateField(_("entry date"), null=True, blank=True)
    pen = models.CharField(_("pen"), max_length=60, blank=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.SELF_BRED)
    origin_note = models.CharField(_("origin details"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.ON_FARM)
    # The end of the latest withdrawal period: the animal may not be exported before this day.
    withdrawal_until = models.DateField(_("withdrawal period ends"), null=True, blank=True)
    # Blocked for export (a positive lab result in origin quarantine): no declaration may take it.
    # The reason has a db_default because herd lists are written with COPY, which leaves it out.
    export_blocked_at = models.DateTimeField(_("blocked for export"), null=True, blank=True)
    export_block_reason = models.CharField(_("why blocked"), max_length=300, blank=True, db_default="")
    died_on = models.DateField(_("died on"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last read"), null=True, blank=True)
    last_seen_where = models.CharField(_("last read at"), max_length=120, blank=True)
    imported_from = models.ForeignKey(
        AnimalImport,
        verbose_name=_("imported from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_constraint=False,
    )
    registered_at = models.DateTimeField(_("registered"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("animal")
        verbose_name_plural = _("animals")
        ordering = ["national_code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_date__isnull=False) | Q(entry_date__isnull=False),
                name="animal_has_birth_or_entry_date",
            ),
        ]
        indexes = [
            models.Index(fields=["farm", "status", "pen"]),
            models.Index(fields=["enterprise", "status"]),
            models.Index(fields=["farm", "withdrawal_until"]),
            # A farm's animals in tag order (the herd pages' default): without it the planner walks
            # the whole unique index on the tag, skipping every other farm's animals.
            models.Index(fields=["farm", "national_code"]),
        ]

    def __str__(self):
        return self.national_code

    @property
    def origin_flagged(self) -> bool:
        """Farms supplying Hong Kong must breed their own stock (自繁自养): anything else is flagged."""
        return self.origin != self.Origin.SELF_BRED

    def can(self, action: str) -> bool:
        return self.status in self.ACTIONS[action][0]

    def export_blocked_until(self, today):
        """Return the last day of a withdrawal period still running on ``today``, or None."""
        if self.withdrawal_until and self.withdrawal_until >= today:
            return self.withdrawal_until
        return None
