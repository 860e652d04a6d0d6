"""The desk's forms that both portals use: attachments and the library search."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledForm
from farms.models import ReferenceDocument
from farms.services.desk import MAX_FILES

ACCEPT = "image/png,image/jpeg,application/pdf,.png,.jpg,.jpeg,.pdf"
# Lazy to the end: a hint formatted when the module is imported would stay in the language of
# that moment (it did: the English pages showed it in Chinese).
ATTACHMENTS_HINT = format_lazy(_("Photos (JPEG, PNG) or PDF scans, up to {count} files."), count=MAX_FILES)


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


def attachments_field() -> MultipleFileField:
    return MultipleFileField(label=_("Attachments"), help_text=ATTACHMENTS_HINT)


class LibrarySearchForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All"))] + ReferenceDocument.Category.choices
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Title, number, issuer or words of the summary")
