"""The port officer's forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledFormMixin
from transit.selectors.port import SOURCES


class PortCheckForm(StyledFormMixin, forms.Form):
    q = forms.CharField(widget=forms.HiddenInput, max_length=400)
    source = forms.ChoiceField(
        label=_("Tags from"),
        choices=list(SOURCES.items()),
        initial="typed",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    tags = forms.CharField(
        label=_("Tags read, typed or scanned"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "class": "form-control font-monospace", "autocomplete": "off"}
        ),
    )
    seals_intact = forms.TypedChoiceField(
        label=_("Seals"),
        choices=[("1", _("Intact and matching")), ("0", _("Broken or not matching"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    head_counted = forms.IntegerField(label=_("Head counted"), min_value=0, max_value=100000)
    reason = forms.CharField(label=_("Reason for holding"), required=False, max_length=500)


class OverrideForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Written reason for overriding the hold"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
