"""Filters of the bureau's herd pages, and the form that closes a banned-substance alert."""

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledForm
from farms.models import Farm
from livestock.models import Animal

from ..farms.filters import BranchFarmFilterSet

# What an inspector scans the farm list for: the farms that need a look today.
ATTENTION = [
    ("alerts", _("With open alerts")),
    ("withdrawing", _("With animals in withdrawal")),
    ("deaths", _("With deaths in the last 30 days")),
]
ALERT_STATES = [("open", _("Not yet handled")), ("handled", _("Handled"))]


def tag_digits(text: str) -> str:
    """A typed tag without the spaces, dots and dashes readers and labels put in it."""
    return re.sub(r"[\s.\-_/]", "", text or "")


class HerdFilterSet(BranchFarmFilterSet):
    attention = django_filters.ChoiceFilter(
        label=_("Show"), choices=ATTENTION, empty_label=_("All farms"), method="needing"
    )

    class Meta:
        model = Farm
        fields = ["q", "branch", "attention"]
        form = StyledForm

    def needing(self, queryset, name, value):
        field = {"alerts": "open_alerts", "withdrawing": "withdrawing", "deaths": "deaths_30"}[value]
        return queryset.filter(**{f"{field}__gt": 0})


class AnimalFilterSet(django_filters.FilterSet):
    """The animals table of one farm: by tag, pen and status."""

    q = django_filters.CharFilter(label=_("Ear tag"), method="by_tag")
    pen = django_filters.ChoiceFilter(label=_("Pen"), empty_label=_("All pens"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Animal.Status.choices, empty_label=_("All")
    )

    class Meta:
        model = Animal
        fields = ["q", "pen", "status"]
        form = StyledForm

    def __init__(self, *args, pens=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["pen"].extra["choices"] = [(p, p) for p in pens]
        self.form.fields["q"].widget.attrs["placeholder"] = _("National code or RFID")

    def by_tag(self, queryset, name, value):
        digits = tag_digits(value)
        if not digits:
            return queryset
        return queryset.filter(Q(national_code__contains=digits) | Q(rfid__contains=digits))


class AlertFilterForm(StyledForm):
    state = forms.ChoiceField(label=_("Show"), choices=[("", _("All")), *ALERT_STATES], required=False)
    q = forms.CharField(label=_("Farm or enterprise"), required=False, max_length=100)


class AlertHandleForm(forms.Form):
    # Emptiness is the service's to refuse (alerts.NOTE_REQUIRED), so its message is the one shown.
    note = forms.CharField(label=_("What was done"), required=False, max_length=2000, widget=forms.Textarea)
