"""Forms of the herd pages. They carry what was typed; the livestock services decide what is valid.

Most fields are plain text on purpose: the services parse tags, dates and doses as clerks type
them (full-width digits, "2026年3月1日", "2,5") and explain a refusal in words a form could not.
"""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.forms import StyledFormMixin
from accounts.params import DateField
from farms.models import Farm
from livestock.models import Animal, ProductionLog, VaccinationRequirement
from livestock.services.common import HERD_STATUSES, farm_pens
from livestock.services.records import DOSE_UNIT_LABELS, REQUIRED

K = ProductionLog.Kind
DATE = {"type": "date"}
# A reader acting as a keyboard types the tag and presses Enter: herd.js turns that Enter into
# "next field" (or "add this tag") instead of submitting a half-filled form.
SCAN = {
    "autocomplete": "off",
    "autocapitalize": "characters",
    "spellcheck": "false",
    "class": "form-control form-control-lg font-monospace scan-input",
    "data-scan": "1",
}
REASONS = (_("Lost"), _("Damaged"), _("Unreadable"), _("Torn out"))


def pen_choices(farm: Farm, *, empty=None):
    pens = farm_pens(farm)
    return [("", empty or _("— none —")), *((p, p) for p in pens)]


def split_tags(text: str) -> list[str]:
    """One tag per line (a scanner ends each read with Enter); commas and semicolons also split.

    Spaces do not: "1 441322 00000123" and "156 000900000001" are single tags.
    """
    return [t.strip() for t in re.split(r"[\r\n,;，；]+", text or "") if t.strip()]


class HerdForm(StyledFormMixin, forms.Form):
    """A styled form whose fields turn red when they are refused, by the form or by a service."""

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


class TagInput(forms.TextInput):
    def __init__(self, attrs=None):
        super().__init__({**SCAN, **(attrs or {})})


class AnimalForm(HerdForm):
    """One animal, registered by reading (or typing) its tag."""

    tag = forms.CharField(
        label=_("Ear tag"),
        max_length=64,
        widget=TagInput(attrs={"autofocus": True, "data-scan-next": "id_sex"}),
        help_text=_("Scan the tag with the reader, or type the national code or the RFID number."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Animal.Sex.choices])
    breed = forms.CharField(label=_("Breed"), max_length=60, required=False)
    birth_date = forms.CharField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    entry_date = forms.CharField(
        label=_("Entry date"),
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        help_text=_("For an animal bought in: the day it came onto the farm."),
    )
    pen = forms.ChoiceField(label=_("Pen"), required=False)
    origin = forms.ChoiceField(
        label=_("Origin"), choices=Animal.Origin.choices, initial=Animal.Origin.SELF_BRED
    )
    origin_note = forms.CharField(
        label=_("Origin details"),
        max_length=200,
        required=False,
        help_text=_("Where a bought-in animal came from (seller, farm, certificate)."),
    )

    def __init__(self, *args, farm: Farm, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pen"].choices = pen_choices(farm)
        today = timezone.localdate().isoformat()
        for name in ("birth_date", "entry_date"):
            if name in self.fields:
                self.fields[name].widget.attrs["max"] = today

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class AnimalEditForm(AnimalForm):
    """An animal's details, corrected (the tag is changed by re-tagging, never here)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["tag"]


class RetagForm(HerdForm):
    new_tag = forms.CharField(
        label=_("New ear tag"),
        max_length=64,
        widget=TagInput(attrs={"autofocus": True, "data-scan-next": "id_reason"}),
        help_text=_("An unused tag of your enterprise. It goes in the right ear."),
    )
    reason = forms.CharField(
        label=_("Why is the tag replaced?"),
        max_length=200,
        widget=forms.TextInput(attrs={"list": "retag-reasons"}),
    )


class UploadForm(HerdForm):
    file = forms.FileField(
        label=_("Herd list (CSV or Excel .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class TagImportForm(HerdForm):
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    reference = forms.CharField(label=_("Delivery note / reference"), max_length=100, required=False)
    farm = forms.ModelChoiceField(
        label=_("For farm"),
        queryset=Farm.objects.none(),
        required=False,
        empty_label=_("Any farm of the enterprise"),
    )
    file = forms.FileField(
        label=_("Supplier's list (CSV or Excel .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        help_text=_("Two columns: the national code and the RFID number of each tag."),
    )

    def __init__(self, *args, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms.filter(status__in=HERD_STATUSES).order_by("name_zh")


class AnimalIdsField(forms.Field):
    """The ids of ticked animals (checkboxes the template draws); which exist, the service checks."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        ids = []
        for item in value or ():
            try:
                ids.append(int(item))
            except (TypeError, ValueError):
                raise forms.ValidationError(_("Tick animals from the list.")) from None
        return ids


# The fields of each kind of record, in the order a clerk fills them in.
KIND_FIELDS = {
    K.FEED: ("product", "maker", "batch", "additives", "notes"),
    K.VACCINATION: ("requirement", "product", "maker", "batch", "dose", "dose_unit", "route", "notes"),
    K.MEDICATION: (
        "product",
        "active_substance",
        "maker",
        "batch",
        "dose",
        "dose_unit",
        "withdrawal_days",
        "route",
        "symptoms",
        "notes",
    ),
    K.DISEASE: ("symptoms", "notes"),
    K.DEATH: ("cause", "disposal", "disposed_on", "notes"),
    K.DISINFECTION: ("product", "area", "notes"),
}
# Field labels that depend on the kind of record.
KIND_LABELS = {
    ("product", K.FEED): pgettext_lazy("product", "Feed"),
    ("product", K.VACCINATION): _("Vaccine"),
    ("product", K.MEDICATION): _("Drug"),
    ("product", K.DISINFECTION): _("Disinfectant"),
    ("maker", K.FEED): _("Supplier"),
    ("symptoms", K.MEDICATION): _("Reason (diagnosis)"),
    ("notes", K.DISINFECTION): _("Concentration and notes"),
}
ICONS = {
    K.FEED: "basket",
    K.VACCINATION: "shield-plus",
    K.MEDICATION: "capsule",
    K.DISEASE: "thermometer",
    K.DEATH: "x-octagon",
    K.DISINFECTION: "droplet",
}


class LogForm(HerdForm):
    """A production record of one kind, for ticked animals, scanned tags or a whole pen."""

    occurred_on = DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    requirement = forms.ChoiceField(
        label=_("Against (programme item)"),
        required=False,
        help_text=_("Choose the required vaccination it gives, so that coverage counts it."),
    )
    product = forms.CharField(max_length=120, label=_("Product"))
    maker = forms.CharField(max_length=120, label=_("Maker"))
    batch = forms.CharField(max_length=60, label=_("Batch"))
    additives = forms.CharField(max_length=300, label=_("Additives"))
    active_substance = forms.CharField(max_length=120, label=_("Active substance"))
    dose = forms.CharField(
        max_length=20,
        label=_("Dose"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Per animal."),
    )
    dose_unit = forms.ChoiceField(label=_("Unit"), choices=[("", "—"), *DOSE_UNIT_LABELS.items()])
    route = forms.CharField(max_length=40, label=_("Route"), widget=forms.TextInput(attrs={"list": "routes"}))
    withdrawal_days = forms.CharField(
        max_length=5,
        label=_("Withdrawal period (days)"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("The animals cannot be exported until it has ended."),
    )
    symptoms = forms.CharField(max_length=300, label=_("Signs / diagnosis"))
    cause = forms.CharField(max_length=200, label=_("Cause of death"))
    disposal = forms.ChoiceField(label=_("Disposal"), choices=[("", "—"), *ProductionLog.Disposal.choices])
    disposed_on = DateField(label=_("Disposed of on"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    area = forms.CharField(max_length=200, label=_("Area disinfected"))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}))
    # Which animals: ticked ones, scanned tags, or (neither) every animal of the pen.
    pen = forms.ChoiceField(label=_("Pen"), required=False)
    tags = forms.CharField(
        label=_("Scanned tags"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "class": "form-control font-monospace",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
        help_text=_("One tag per line: scan them one after the other."),
    )
    animals = AnimalIdsField(required=False)

    ANIMAL_FIELDS = ("pen", "tags", "animals")

    def __init__(self, *args, farm: Farm, kind: str, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("occurred_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.kind = K(kind)
        keep = {"occurred_on", *KIND_FIELDS[self.kind], *self.ANIMAL_FIELDS}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name, field in self.fields.items():
            if name not in ("occurred_on", *self.ANIMAL_FIELDS):
                field.required = name in REQUIRED[self.kind]
            if (name, self.kind) in KIND_LABELS:
                field.label = KIND_LABELS[(name, self.kind)]
        self.fields["occurred_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if "disposed_on" in self.fields:
            self.fields["disposed_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["pen"].choices = pen_choices(farm, empty=_("— choose a pen —"))
        if "requirement" in self.fields:
            items = VaccinationRequirement.objects.filter(species=farm.species, is_active=True)
            self.fields["requirement"].choices = [("", _("— not in the programme —"))] + [
                (str(r.pk), r.disease) for r in items
            ]

    def kind_field_names(self) -> list[str]:
        return [n for n in KIND_FIELDS[self.kind] if n in self.fields]

    def kind_fields(self):
        return [self[n] for n in self.kind_field_names()]

    def service_fields(self) -> dict:
        return {n: self.cleaned_data.get(n) for n in self.kind_field_names()}

    def scanned_tags(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tags", ""))
