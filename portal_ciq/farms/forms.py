"""The forms of the review actions on a farm's page; the services decide whether an action is allowed."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledFormMixin
from accounts.models import User
from accounts.params import DateField
from farms.models import SiteInspection


class AssignForm(StyledFormMixin, forms.Form):
    inspector = forms.ModelChoiceField(label=_("Inspector"), queryset=User.objects.none(), empty_label=None)

    def __init__(self, *args, inspectors=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Any active inspector may be posted: the service refuses one of another branch
        # with its own message, which the page shows.
        self.fields["inspector"].queryset = (
            inspectors if inspectors is not None else User.objects.filter(is_active=True)
        )
        self.fields["inspector"].label_from_instance = lambda u: u.full_name or u.username


class InspectionForm(StyledFormMixin, forms.Form):
    inspected_on = DateField(
        label=_("Inspected on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=SiteInspection.Conclusion.choices)
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you checked on site and what you found."),
    )


class ReasonForm(StyledFormMixin, forms.Form):
    """A reason the enterprise will read; whether it is required, the service decides."""

    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def form_errors(form: forms.Form) -> str:
    """Return a form's errors as one line, for a message on the farm's page."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return " ".join(parts)
