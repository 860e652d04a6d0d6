"""The farm application form, its surroundings formset, and the small forms of the detail page."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts import jsoninput
from accounts.forms import StyledFormMixin
from accounts.models import Organisation
from farms import places, regions
from farms.models import FarmAttachment, Species, SurroundingKind
from farms.services.registration import REQUIRED_TO_SUBMIT

LAYOUT_UNREADABLE = _("The drawn layout could not be read. Clear it and draw it again.")
DISTANCE_MISSING = _("Give the distance in metres, or clear the row.")
SIX_PLACES = Decimal("0.000001")


def ciq_branches():
    """Return the CIQ branches an application may be filed with (all active ones: a farm in
    another province is supervised by that province's branch, not the enterprise's own)."""
    return Organisation.objects.filter(kind=Organisation.Kind.CIQ_BRANCH, is_active=True).order_by("code")


def province_choices():
    english = places.english()
    return [("", _("Choose a province…"))] + [(p.code, p.local_name(english)) for p in regions.provinces()]


def county_choices(province_code: str):
    if not province_code:
        return [("", _("Choose a province first"))]
    return [("", _("Choose a county…"))] + places.county_options(province_code)


class FarmForm(StyledFormMixin, forms.Form):
    """Everything the bureau asks of a farm; the services decide whether it is acceptable."""

    name_zh = forms.CharField(label=_("Farm name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Farm name (English)"), max_length=200, required=False)
    species = forms.ChoiceField(label=_("Species"), choices=Species.choices)
    capacity = forms.IntegerField(label=_("Capacity (head)"), min_value=1, max_value=10_000_000)
    area_m2 = forms.IntegerField(
        label=_("Site area (m²)"), min_value=1, max_value=100_000_000, required=False
    )
    branch = forms.ModelChoiceField(label=_("Supervising CIQ branch"), queryset=Organisation.objects.none())
    # The province only narrows the county list; the county code is what is filed.
    province = forms.ChoiceField(label=_("Province"), required=False)
    # A free code rather than a fixed choice, so that an unknown code gets the service's
    # message ("not a county code of GB/T 2260") instead of Django's generic one.
    county_code = forms.CharField(label=_("County"), max_length=6, widget=forms.Select)
    address = forms.CharField(label=_("Address"), max_length=300)
    latitude = forms.DecimalField(label=_("Latitude"), min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("Longitude"), min_value=-180, max_value=180)
    layout = forms.CharField(widget=forms.HiddenInput, required=False)
    disease_history = forms.CharField(
        label=_("Disease history (last 3 years)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Outbreaks, culls and their dates; write “none” if there were none."),
    )
    vet_name = forms.CharField(label=_("Full name"), max_length=100)
    vet_licence = forms.CharField(label=_("Licence number"), max_length=50)
    vet_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    immunisation_programme = forms.CharField(
        label=_("Immunisation programme"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Vaccines, ages and intervals, as carried out on the farm."),
    )

    # Needed to submit, not to save a draft: the service (farm_submit) names what is missing.
    needed_to_submit = frozenset(REQUIRED_TO_SUBMIT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.needed_to_submit:
            self.fields[name].required = False
        self.fields["branch"].queryset = ciq_branches()
        self.fields["province"].choices = province_choices()
        province = self.data.get("province") if self.is_bound else self.initial.get("province")
        self.fields["county_code"].widget.choices = county_choices(province or "")
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update(step="0.000001", inputmode="decimal")

    def _six_places(self, name):
        value = self.cleaned_data[name]
        return None if value is None else value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)

    def clean_latitude(self):
        return self._six_places("latitude")

    def clean_longitude(self):
        return self._six_places("longitude")

    def clean_layout(self):
        text = (self.cleaned_data.get("layout") or "").strip()
        if not text:
            return {}
        try:
            layout = jsoninput.loads(text)  # no NaN, no endless nesting (accounts.jsoninput)
        except jsoninput.JSONInputError as exc:
            raise forms.ValidationError(format_lazy("{} {}", LAYOUT_UNREADABLE, exc.message)) from exc
        # An empty collection is no layout at all; anything else is for the service to judge.
        if (
            isinstance(layout, dict)
            and layout.get("type") == "FeatureCollection"
            and not layout.get("features")
        ):
            return {}
        return layout

    def farm_data(self) -> dict:
        """Return the cleaned data in the shape farm_application_save takes."""
        return {k: v for k, v in self.cleaned_data.items() if k != "province"}


class SurroundingForm(StyledFormMixin, forms.Form):
    """One neighbour and its distance; a row left without a distance is not declared."""

    kind = forms.ChoiceField(label=_("Kind"), choices=SurroundingKind.choices)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    distance_m = forms.IntegerField(label=_("Distance (m)"), min_value=0, max_value=1_000_000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distance_m"].widget.attrs.update(inputmode="numeric", placeholder=_("metres"))
        self.fields["description"].widget.attrs["placeholder"] = _("village, road or site")

    def clean(self):
        data = super().clean()
        if data.get("distance_m") is None and data.get("description"):
            self.add_error("distance_m", DISTANCE_MISSING)
        return data


class BaseSurroundingFormSet(forms.BaseFormSet):
    def declared(self) -> list[dict]:
        """Return the rows that declare a distance and are not marked for deletion."""
        return [
            {k: f.cleaned_data[k] for k in ("kind", "description", "distance_m")}
            for f in self.forms
            if f.cleaned_data
            and f.cleaned_data.get("distance_m") is not None
            and not self._should_delete_form(f)
        ]


SurroundingFormSet = forms.formset_factory(
    SurroundingForm, formset=BaseSurroundingFormSet, extra=0, can_delete=True, max_num=30, validate_max=True
)
SURROUNDINGS_PREFIX = "surroundings"


class AttachmentForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FarmAttachment.Kind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("A photo (JPEG, PNG) or a PDF."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,application/pdf,.pdf,.jpg,.jpeg,.png"}
        ),
    )


class WithdrawForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
