from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledFormMixin
from accounts.models import User


class HistoryFilterForm(StyledFormMixin, forms.Form):
    model = forms.ChoiceField(label=_("Record type"), required=False)
    user = forms.ModelChoiceField(
        label=_("Changed by"),
        queryset=User.objects.order_by("username"),
        required=False,
        empty_label=_("All"),
    )
    since = forms.DateTimeField(
        label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    seeded = forms.BooleanField(
        label=_("Include data the system loaded (reference tables, demo data)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, models=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("All"))] + [
            (m._meta.label_lower, str(m._meta.verbose_name).capitalize()) for m in models
        ]
