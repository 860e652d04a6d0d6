"""Origin quarantine (产地检疫): consignments, their examination, samples, lab results, certificates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation
from farms.models import Farm, Species


def _bilingual(zh: str, en: str) -> str:
    return en if (get_language() or "").startswith("en") and en else zh


class ExportRule(models.Model):
    """The bureau's rules for exporting one species (a table it edits in the admin site)."""

    species = models.CharField(_("species"), max_length=1, choices=Species.choices, unique=True)
    isolation_days = models.PositiveSmallIntegerField(
        _("pre-export isolation (days)"), help_text=_("Days the animals are kept isolated before loading.")
    )
    certificate_valid_days = models.PositiveSmallIntegerField(_("certificate valid for (days)"), default=3)
    min_samples = models.PositiveSmallIntegerField(_("fewest samples per consignment"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("export rule")
        verbose_name_plural = _("export rules")
        ordering = ["species"]

    def __str__(self):
        return f"{self.get_species_display()}: {self.isolation_days}"


class ExamChecklistItem(models.Model):
    """One point of the clinical examination of a species (a table the bureau edits)."""

    species = models.CharField(_("species"), max_length=1, choices=Species.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_zh = models.CharField(_("question (Chinese)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("examination checklist item")
        verbose_name_plural = _("examination checklist items")
        ordering = ["species", "order", "pk"]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        return _bilingual(self.text_zh, self.text_en)


class Analyte(models.Model):
    """What the lab tests for (a β-agonist, a listed disease) and the limit above which it fails."""

    class Kind(models.TextChoices):
        RESIDUE = "residue", _("Residue")
        DISEASE = "disease", _("Disease")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Empty: tested for every species.
    species = models.CharField(_("species"), max_length=1, choices=Species.choices, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    # A measured value above the limit is positive; no limit: the lab reports positive/negative.
    limit = models.DecimalField(_("limit"), max_digits=12, decimal_places=4, null=True, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("analyte")
        verbose_name_plural = _("analytes")
        ordering = ["kind", "code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return _bilingual(self.name_zh, self.name_en)


class Consignment(models.Model):
    """A declaration (报检) of animals of one farm for export, and its way to a certificate."""

    class Status(models.TextChoices):
        DECLARED = "declared", _("Declared")
        ACCEPTED = "accepted", _("Accepted")
        EXAMINED = "examined", _("Examined")
        SAMPLED = "sampled", _("Sampled")
        RESULTS_IN = "results_in", _("Results in")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CANCELLED = "cancelled", _("Cancelled")
        EXPORTED = "exported", _("Exported")

    # The one transition table: action -> (statuses it may start from, status it leads to).
    ACTIONS = {
        "accept": ({Status.DECLARED}, Status.ACCEPTED),
        "withdraw": ({Status.DECLARED}, Status.WITHDRAWN),  # by the enterprise, before acceptance
        "examine": ({Status.ACCEPTED}, Status.EXAMINED),
        "sample": ({Status.EXAMINED}, Status.SAMPLED),
        "results": ({Status.SAMPLED}, Status.RESULTS_IN),
        "approve": ({Status.RESULTS_IN}, Status.APPROVED),
        "reject": (
            {Status.ACCEPTED, Status.EXAMINED, Status.SAMPLED, Status.RESULTS_IN},
            Status.REJECTED,
        ),
        "cancel": (
            {Status.DECLARED, Status.ACCEPTED, Status.EXAMINED, Status.SAMPLED, Status.RESULTS_IN},
            Status.CANCELLED,
        ),
        # Released at the exit port (transit.services.port): the animals have left.
        "export": ({Status.APPROVED}, Status.EXPORTED),
    }
    # Statuses in which the consignment still holds its animals: no other consignment may take them.
    HOLDING = {
        Status.DECLARED,
        Status.ACCEPTED,
        Status.EXAMINED,
        Status.SAMPLED,
        Status.RESULTS_IN,
        Status.APPROVED,
    }

    number = models.CharField(_("declaration number"), max_length=20, unique=True)
    enterprise = models.ForeignKey(
        Organisation, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="consignments"
    )
    farm = models.ForeignKey(
        Farm, verbose_name=_("farm"), on_delete=models.PROTECT, related_name="consignments"
    )
    # Copied from the farm at declaration: the queue of a branch is one indexed filter.
    branch = models.ForeignKey(
        Organisation, verbose_name=_("CIQ branch"), on_delete=models.PROTECT, related_name="+"
    )
    species = models.CharField(_("species"), max_length=1, choices=Species.choices)
    planned_loading_on = models.DateField(_("planned loading date"))
    isolation_started_on = models.DateField(_("isolation started on"))
    exit_port = models.ForeignKey(
        Organisation,
        verbose_name=_("exit port"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.PORT},
    )
    consignee = models.CharField(_("consignee"), max_length=200)
    destination = models.CharField(_("destination"), max_length=200)
    contact_name = models.CharField(_("contact"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    head_count = models.PositiveIntegerField(_("head count"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DECLARED, db_index=True
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Sampling: the share of the animals sampled (from the credit rating) and the seed of the
    # random draw, so anyone can draw again and check (quarantine.sampling).
    sampling_percent = models.PositiveSmallIntegerField(_("sampling ratio (%)"), null=True, blank=True)
    sampling_seed = models.CharField(_("sampling seed"), max_length=64, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("declared by"), on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("historical consignment"))

    class Meta:
        verbose_name = _("consignment")
        verbose_name_plural = _("consignments")
        ordering = ["-declared_at", "-pk"]
        indexes = [
            models.Index(fields=["branch", "status", "planned_loading_on"]),
            models.Index(fields=["enterprise", "status"]),
            # The enterprise's list, newest first, a page at a time (read backwards).
            models.Index(fields=["enterprise", "declared_at", "id"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(head_count__gt=0), name="consignment_head_count_positive")
        ]

    def __str__(self):
        return self.number

    def can(self, action: str) -> bool:
        """Return whether ``action`` of Consignment.ACTIONS may start from the current status."""
        return self.status in self.ACTIONS[action][0]

    @property
    def is_holding(self) -> bool:
        return self.status in self.HOLDING


Consignment.TRANSITIONS = {
    status: {to for froms, to in Consignment.ACTIONS.values() if status in froms}
    for status in Consignment.Status
}


class ConsignmentAnimal(models.Model):
    """An animal of a consignment. ``holding`` is true while the consignment holds it."""

    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="items")
    animal = models.ForeignKey("livestock.Animal", on_delete=models.PROTECT, related_name="consignment_items")
    # The tag at declaration: what the certificate lists, whatever happens to the tag later.
    national_code = models.CharField(_("national code"), max_length=15)
    holding = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("animal of a consignment")
        verbose_name_plural = _("animals of consignments")
        ordering = ["national_code"]
        constraints = [
            models.UniqueConstraint(fields=["consignment", "animal"], name="consignment_animal_once"),
            # An animal is held by at most one open (or approved) consignment at a time.
            models.UniqueConstraint(
                fields=["animal"], condition=Q(holding=True), name="consignment_animal_one_open"
            ),
        ]

    def __str__(self):
        return self.national_code


class ConsignmentStatusChange(models.Model):
    """One arrow of the workflow taken: who, when, from where to where, and why."""

    consignment = models.ForeignKey(Consignment, on_delete=models.CASCADE, related_name="status_changes")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=12, choices=Consignment.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Consignment.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("consignment status change")
        verbose_name_plural = _("consignment status changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.consignment_id}: {self.from_status} → {self.to_status}"


class Examination(models.Model):
    """The inspector's clinical examination of a consignment's animals, by the species' checklist."""

    consignment = models.OneToOneField(Consignment, on_delete=models.CASCADE, related_name="examination")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    examined_on = models.DateField(_("examined on"))
    # [{"item": id, "text_zh": ..., "text_en": ..., "ok": true, "note": ""}]: the checklist as it stood.
    answers = models.JSONField(_("answers"), default=list)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("clinical examination")
        verbose_name_plural = _("clinical examinations")

    def __str__(self):
        return f"{self.consignment} {self.examined_on}"


class Sample(models.Model):
    """A sample taken from one animal of a consignment, known to the lab by its number."""

    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="samples")
    number = models.CharField(_("sample number"), max_length=24, unique=True)
    animal = models.ForeignKey("livestock.Animal", on_delete=models.PROTECT, related_name="+")
    national_code = models.CharField(_("national code"), max_length=15)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField(_("taken"))

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        ordering = ["number"]

    def __str__(self):
        return self.number


class LabResult(models.Model):
    """The lab's result for one analyte of one sample."""

    class Source(models.TextChoices):
        ENTERED = "entered", _("Entered")
        LIMS = "lims", _("LIMS import")

    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="results")
    analyte = models.ForeignKey(Analyte, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=4, null=True, blank=True)
    positive = models.BooleanField(_("positive"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ENTERED)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lab result")
        verbose_name_plural = _("lab results")
        ordering = ["sample", "analyte"]
        constraints = [models.UniqueConstraint(fields=["sample", "analyte"], name="lab_result_once")]

    def __str__(self):
        return f"{self.sample} {self.analyte}: {'+' if self.positive else '-'}"


class SignedRecordError(Exception):
    """A signed certificate was about to be changed other than by voiding or replacing it."""


class Certificate(models.Model):
    """The signed health certificate (动物卫生证书) of an approved consignment.

    Once signed it never changes: it can only be voided or replaced (the new one names it), both
    with reasons. ``content`` is exactly what was signed (quarantine.signing); any change to the
    row, by any path, is found by quarantine.certificates.certificate_check.
    """

    # The only fields that may change after signing (voiding; a replacement voids the old one).
    # Released at the port, it is marked used (once): it cannot take another truck out.
    MUTABLE = frozenset({"voided_at", "void_reason", "voided_by", "used_at", "used_by"})

    consignment = models.ForeignKey(Consignment, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("certificate number"), max_length=24, unique=True)
    # A random token printed with the number: the public page asks for both.
    token = models.CharField(_("verification token"), max_length=16)
    issued_at = models.DateTimeField(_("issued"))
    valid_until = models.DateField(_("valid until"))
    content = models.JSONField(_("signed content"))
    signature = models.CharField(_("signature"), max_length=100)
    key_id = models.CharField(_("key ID"), max_length=16)
    # The QR code's signed compact payload (quarantine.compact), made at signing.
    qr_payload = models.CharField(_("QR payload"), max_length=400)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(_("signer"), max_length=100)
    signer_capacity = models.CharField(_("capacity"), max_length=100)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    replace_reason = models.CharField(_("reason for replacing"), max_length=300, blank=True)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    used_at = models.DateTimeField(_("used at the port"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("health certificate")
        verbose_name_plural = _("health certificates")
        ordering = ["-issued_at", "-pk"]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        if self.pk and kwargs.get("update_fields") is None:
            raise SignedRecordError("a signed certificate is saved only with update_fields (voiding)")
        if self.pk and not set(kwargs["update_fields"]) <= self.MUTABLE:
            raise SignedRecordError(f"a signed certificate cannot change {kwargs['update_fields']}")
        super().save(*args, **kwargs)
