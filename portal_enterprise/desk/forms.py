"""Forms of the enterprise's desk: a question and a follow-up (portal_shared.desk_forms: the rest)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledFormMixin
from farms.services.desk import MESSAGE_EMPTY, SUBJECT_EMPTY
from portal_shared.desk_forms import attachments_field


class ReplyForm(StyledFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": MESSAGE_EMPTY},
    )
    files = attachments_field()


class FarmChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.registration_number}" if obj.registration_number else obj.name


class QuestionForm(StyledFormMixin, forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        error_messages={"required": SUBJECT_EMPTY},
        help_text=_("In a few words, e.g. “Isolation period for pigs during the ASF period”."),
    )
    farm = FarmChoiceField(
        label=_("Farm concerned"), queryset=None, required=False, empty_label=_("— not about one farm —")
    )
    body = forms.CharField(
        label=_("Question"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 7}),
        error_messages={"required": MESSAGE_EMPTY},
    )
    files = attachments_field()

    def __init__(self, *args, farms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms
