"""Forms of the bureau's desk: an answer, a notice, a library entry (portal_shared.desk_forms: the rest)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledFormMixin
from accounts.params import DateField
from farms.models import ReferenceDocument
from farms.services.desk import BODY_EMPTY, DOCUMENT_TITLE_EMPTY, MESSAGE_EMPTY, TITLE_EMPTY
from portal_shared.desk_forms import ACCEPT, attachments_field


class AnswerForm(StyledFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": MESSAGE_EMPTY},
    )
    files = attachments_field()


class NoticeForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, error_messages={"required": TITLE_EMPTY})
    published_on = DateField(
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
    issued_on = DateField(
        label=_("Issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("Optional: the official text as a PDF (or a scan as an image)."),
    )
