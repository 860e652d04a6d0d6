"""Forms of the bureau's outbreak pages and alerts centre. The services check every rule."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledForm, StyledFormMixin
from accounts.models import Organisation
from accounts.params import DateField
from farms import regions
from farms.models import Species
from portal_shared.filters import YearFilter
from surveillance.models import Alert, Disease, DiseaseReport


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ReportForm(StyledFormMixin, forms.Form):
    """A new outbreak: the disease, its place (point or county), date, source, zones and evidence.

    Only the shape of the input is checked here (a date is a date); what is allowed — a point in
    China, a real county, radii of 0-50 km, no date to come — is the service's to refuse.
    """

    disease = forms.ModelChoiceField(label=_("Disease"), queryset=Disease.objects.none(), empty_label=None)
    confirmed_on = DateField(
        label=_("Confirmed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    source = forms.ChoiceField(label=_("Source"), choices=DiseaseReport.Source.choices)
    source_reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=200,
        help_text=_("Bulletin number, letter or case file."),
    )
    latitude = forms.CharField(label=_("Latitude"), required=False, max_length=20)
    longitude = forms.CharField(label=_("Longitude"), required=False, max_length=20)
    province = forms.ChoiceField(label=_("Province"), required=False)
    county_code = forms.CharField(label=_("County"), required=False, max_length=6, widget=forms.Select)
    place = forms.CharField(
        label=_("Place"), required=False, max_length=200, help_text=_("Town, village, premises.")
    )
    radius_infected = forms.CharField(label=_("Infected zone (km)"), max_length=10)
    radius_surveillance = forms.CharField(label=_("Surveillance zone (km)"), max_length=10)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(
        label=_("Evidence"),
        required=False,
        help_text=_("The bulletin, the lab report, photos: PDF or images."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disease"].queryset = Disease.objects.filter(is_active=True).order_by("name_zh")
        self.fields["disease"].label_from_instance = lambda d: d.name
        self.fields["province"].choices = [("", _("Choose a province…"))] + [
            (p.code, p.name) for p in regions.provinces()
        ]
        # The county list follows the province in the browser (zones.js); the posted code is
        # checked by the service, so any value is accepted here.
        self.fields["county_code"].widget.choices = [("", _("Choose a county…"))]
        code = (self.data.get("county_code") or "") if self.is_bound else ""
        if county := regions.county(code):
            self.fields["county_code"].widget.choices.append((county.code, county.city_name + county.name))
        for name in ("latitude", "longitude", "radius_infected", "radius_surveillance"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        self.fields["files"].widget.attrs["accept"] = "application/pdf,image/png,image/jpeg"


class LiftForm(StyledFormMixin, forms.Form):
    # Emptiness is the service's to refuse (its message is the one shown).
    reason = forms.CharField(
        label=_("Why lifted"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    zone = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DiseaseForm(StyledFormMixin, forms.Form):
    """A disease of the bureau's table. The radii and the species are the service's to check."""

    code = forms.SlugField(label=_("Code"), max_length=40)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    infected_radius_km = forms.CharField(label=_("Infected zone (km)"), max_length=10)
    surveillance_radius_km = forms.CharField(label=_("Surveillance zone (km)"), max_length=10)
    restriction_days = forms.IntegerField(label=_("Restriction period (days)"), min_value=1, max_value=3650)
    species = forms.MultipleChoiceField(
        label=_("Species that catch it"),
        choices=Species.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    reason = forms.CharField(label=_("Why"), required=False, max_length=500)

    def __init__(self, *args, instance: Disease | None = None, **kwargs):
        if instance is not None:
            kwargs["initial"] = {
                **{
                    "code": instance.code,
                    "name_zh": instance.name_zh,
                    "name_en": instance.name_en,
                    "infected_radius_km": instance.infected_radius_km,
                    "surveillance_radius_km": instance.surveillance_radius_km,
                    "restriction_days": instance.restriction_days,
                    "species": list(instance.species),
                    "is_active": instance.is_active,
                },
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        self.fields["species"].widget.attrs["class"] = "form-check-input"
        self.fields["is_active"].widget.attrs["class"] = "form-check-input"
        if instance is not None:
            self.fields["code"].disabled = True


class NoteForm(forms.Form):
    # Whether a note is required (closing) the service decides, and says so.
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea)


STATE_CHOICES = [
    ("open", _("Still open")),
    (Alert.State.NEW, _("New")),
    (Alert.State.ACKNOWLEDGED, _("Acknowledged")),
    (Alert.State.CLOSED, _("Closed")),
    ("all", _("All")),
]


class AlertFilterSet(django_filters.FilterSet):
    """The alerts centre's filters: kind, severity, state (open by default), branch, dates, text."""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Alert.Kind.choices, empty_label=_("All kinds")
    )
    severity = django_filters.ChoiceFilter(
        label=_("Severity"), choices=Alert.Severity.choices, empty_label=_("All")
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=STATE_CHOICES, method="by_state", empty_label=None, null_label=None
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("For"), queryset=Organisation.objects.none(), empty_label=_("Everyone")
    )
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="raised_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("To"),
        field_name="raised_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = django_filters.CharFilter(label=_("Search"), method="by_text")

    class Meta:
        model = Alert
        fields = ["kind", "severity", "state", "organisation", "since", "until", "q"]
        form = StyledForm

    def __init__(self, data=None, *args, organisations=None, **kwargs):
        # Open alerts are what the centre is for: that is the default view.
        data = data.copy() if data is not None else None
        if data is not None and not data.get("state"):
            data["state"] = "open"
        super().__init__(data, *args, **kwargs)
        if organisations is None:
            del self.filters["organisation"]
        else:
            self.filters["organisation"].queryset = organisations
        self.form.fields["q"].widget.attrs["placeholder"] = _("Farm, enterprise or text")

    def by_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=Alert.OPEN)
        if value in Alert.State.values:
            return queryset.filter(state=value)
        return queryset

    def by_text(self, queryset, name, value):
        from django.db.models import Q

        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(text_zh__icontains=value)
            | Q(text_en__icontains=value)
            | Q(farm__name_zh__icontains=value)
            | Q(farm__name_en__icontains=value)
            | Q(enterprise__name_zh__icontains=value)
            | Q(enterprise__name_en__icontains=value)
        )


class ReportFilterSet(django_filters.FilterSet):
    disease = django_filters.ModelChoiceFilter(
        label=_("Disease"), queryset=Disease.objects.order_by("name_zh"), empty_label=_("All diseases")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=DiseaseReport.Status.choices, empty_label=_("All")
    )
    year = YearFilter(label=_("Year"), field_name="confirmed_on")

    class Meta:
        model = DiseaseReport
        fields = ["disease", "status", "year"]
        form = StyledForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["disease"].field.label_from_instance = lambda d: d.name
