"""Forms of the bureau's desk: an answer, a notice, a library entry, and the library search."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledForm, StyledFormMixin
from farms.models import ReferenceDocument
from farms.services.desk import BODY_EMPTY, DOCUMENT_TITLE_EMPTY, MAX_FILES, MESSAGE_EMPTY, TITLE_EMPTY

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


class AnswerForm(StyledFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": MESSAGE_EMPTY},
    )
    files = MultipleFileField(
        label=_("Attachments"),
        help_text=_("Photos (JPEG, PNG) or PDF scans, up to %(count)s files.") % {"count": MAX_FILES},
    )


class NoticeForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, error_messages={"required": TITLE_EMPTY})
    published_on = forms.DateField(
        label=_("Publication date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    body = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}), error_messages={"required": BODY_EMPTY}
    )
    is_pinned = forms.BooleanField(
        label=_("Pin to the top of the list"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class ReferenceDocumentForm(StyledFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=ReferenceDocument.Category.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        error_messages={"required": DOCUMENT_TITLE_EMPTY},
        help_text=_("Without the book-title marks 《》, e.g. 供港澳活猪检验检疫管理办法."),
    )
    number = forms.CharField(
        label=_("Document number"),
        max_length=100,
        required=False,
        help_text=_("e.g. GB 16548-2006, or the number of the order; leave empty if unknown."),
    )
    issued_by = forms.CharField(label=_("Issued by"), max_length=200, required=False)
    issued_on = forms.DateField(
        label=_("Issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("Optional: the official text as a PDF (or a scan as an image)."),
    )


class LibrarySearchForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All"))] + ReferenceDocument.Category.choices
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Title, number, issuer or words of the summary")
