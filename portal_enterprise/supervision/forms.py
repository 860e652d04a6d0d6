from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledFormMixin


class ActionDoneForm(StyledFormMixin, forms.Form):
    response = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say what was done to put it right.")},
    )
