"""Forms of the enterprise's desk: a question, a follow-up, and the library search."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledForm, StyledFormMixin
from farms.models import ReferenceDocument
from farms.services.desk import MAX_FILES, MESSAGE_EMPTY, SUBJECT_EMPTY

ACCEPT = "image/png,image/jpeg,application/pdf,.png,.jpg,.jpeg,.pdf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; their content is checked by the service, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


def attachments_field():
    return MultipleFileField(
        label=_("Attachments"),
        help_text=_("Photos (JPEG, PNG) or PDF scans, up to %(count)s files.") % {"count": MAX_FILES},
    )


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


class LibrarySearchForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All"))] + ReferenceDocument.Category.choices
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Title, number, issuer or words of the summary")
