"""The warehouse's forms: only the shape of the input; what is allowed is the services' to refuse."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledFormMixin
from portal_shared.desk_forms import MultipleFileField
from transit.models import Disinfection, Ineligible

SPLIT = re.compile(r"[\s,;，；、]+")


def split(text: str) -> list[str]:
    return [t for t in SPLIT.split(text or "") if t]


class LocalDateTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], **kwargs)


class ArrivalForm(StyledFormMixin, forms.Form):
    seals_found = forms.CharField(
        label=_("Seals found intact"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("The numbers of the loading's seals found intact, separated by spaces."),
    )
    seal_note = forms.CharField(label=_("Note on the seals"), required=False, max_length=300)
    head_counted = forms.IntegerField(label=_("Head counted"), min_value=0, max_value=100000)
    pen = forms.CharField(label=_("Pen"), max_length=60)
    device = forms.ChoiceField(label=_("Reader"), required=False)
    tags = forms.CharField(
        label=_("Tags read, typed or scanned"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "class": "form-control font-monospace", "autocomplete": "off"}
        ),
    )

    def __init__(self, *args, readers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.readers = {str(r.pk): r for r in readers}
        self.fields["device"].choices = [("", _("No reader: tags typed or scanned"))] + [
            (str(r.pk), r.name) for r in readers
        ]


class IneligibleForm(StyledFormMixin, forms.Form):
    national_code = forms.CharField(label=_("Ear tag"), max_length=20)
    condition = forms.ChoiceField(label=_("Condition"), choices=Ineligible.Condition.choices)
    cause = forms.CharField(label=_("Cause"), max_length=300)
    disposal_method = forms.ChoiceField(label=_("Harmless disposal"), choices=Ineligible.Disposal.choices)
    disposed_at = LocalDateTimeField(label=_("Disposed of at"))
    witnesses = forms.CharField(label=_("Witnesses"), max_length=300)
    photos = MultipleFileField(label=_("Photos"), required=False)


class ClinicalForm(StyledFormMixin, forms.Form):
    healthy = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Healthy: no clinical signs")), ("0", _("Signs found"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=500)


class DepartForm(StyledFormMixin, forms.Form):
    seals = forms.CharField(
        label=_("New seal numbers"), max_length=400, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class TreatmentForm(StyledFormMixin, forms.Form):
    target = forms.ChoiceField(label=_("What"), choices=Disinfection.Target.choices)
    plate = forms.CharField(label=_("Vehicle plate"), required=False, max_length=20)
    pen = forms.CharField(label=_("Pen"), required=False, max_length=60)
    agent = forms.CharField(label=_("Disinfectant"), max_length=100)
    concentration = forms.CharField(label=_("Concentration"), max_length=40)
    performed_by = forms.CharField(label=_("Performed by"), max_length=100)
    performed_at = LocalDateTimeField(label=_("Performed at"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
