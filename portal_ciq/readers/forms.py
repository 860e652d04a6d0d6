"""Forms of the reader pages; the services decide what is allowed and say why not."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledFormMixin
from accounts.models import Organisation, Role, User
from livestock.selectors import registrable_farms_for_user

STATES = [
    ("", _("All")),
    ("online", _("Online")),
    ("offline", _("Offline or never heard from")),
    ("revoked", _("Revoked")),
]


class ReaderFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Device ID, name, farm or site")}),
    )
    state = forms.ChoiceField(label=_("Status"), choices=STATES, required=False)


class ReaderRegisterForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Device ID"),
        max_length=64,
        help_text=_("Letters, digits, dots, hyphens or underscores, e.g. qsh-gate-1; the bridge uses it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("What staff call it on site, e.g. “Gate 1 loading chute”."),
    )
    farm = forms.ModelChoiceField(
        label=_("Farm"), queryset=None, required=False, empty_label=_("— not on a farm —")
    )
    site = forms.ModelChoiceField(
        label=_("Or site"),
        queryset=None,
        required=False,
        empty_label=_("— not at the warehouse or a port —"),
        help_text=_("The transit warehouse or a port, for a reader that is not on a farm."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        farms = self.fields["farm"]
        farms.queryset = registrable_farms_for_user(user=user)
        farms.label_from_instance = lambda farm: (
            f"{farm.name} · {farm.registration_number}" if farm.registration_number else farm.name
        )
        if user.role == Role.INSPECTOR:
            # Inspectors put readers only on their branch's farms (livestock.services.devices).
            del self.fields["site"]
            farms.empty_label = None
            farms.required = True
        else:
            self.fields["site"].queryset = Organisation.objects.filter(
                kind__in=[Organisation.Kind.WAREHOUSE, Organisation.Kind.PORT], is_active=True
            ).order_by("kind", "code")
            self.fields["site"].label_from_instance = lambda org: f"{org.name} ({org.get_kind_display()})"


class ReaderRevokeForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the bridge was stolen, or the reader was retired."),
        error_messages={"required": _("Say why the reader is revoked (stolen, retired, replaced…).")},
    )
