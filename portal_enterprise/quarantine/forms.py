"""The enterprise's declaration form: the fields, and the tags pasted, uploaded or picked."""

import re

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from farms.models import Farm, Species
from livestock.models import ReaderDevice
from quarantine.selectors import READER_WINDOW_MIN, exit_ports, tags_read_on

SPLIT = re.compile(r"[\s,;，；、]+")
MAX_FILE = 512 * 1024


class DeclarationForm(forms.Form):
    farm = forms.ModelChoiceField(label=_("Farm"), queryset=Farm.objects.none())
    species = forms.ChoiceField(label=_("Species"), choices=Species.choices)
    tags = forms.CharField(
        label=_("Ear tags"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
        help_text=_("Paste the tags, one per line or separated by spaces or commas, or tick them below."),
    )
    tags_file = forms.FileField(
        label=_("Or upload a list of tags"),
        required=False,
        help_text=_("A text or CSV file with one tag per line."),
    )
    reader = forms.ModelChoiceField(
        label=_("Or take the tags read on a reader"),
        queryset=None,
        required=False,
        help_text=format_lazy(
            _("Every tag this reader read in the last {minutes} minutes is added to the list."),
            minutes=READER_WINDOW_MIN,
        ),
    )
    head_count = forms.IntegerField(label=_("Head count"), min_value=1, max_value=5000)
    planned_loading_on = forms.DateField(
        label=_("Planned loading date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    isolation_started_on = forms.DateField(
        label=_("Isolation started on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    exit_port = forms.ModelChoiceField(label=_("Exit port"), queryset=exit_ports())
    consignee = forms.CharField(label=_("Consignee"), max_length=200)
    destination = forms.CharField(label=_("Destination"), max_length=200)
    contact_name = forms.CharField(label=_("Contact"), max_length=100)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40)

    def __init__(self, *args, farms=None, picked=(), readers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms if farms is not None else Farm.objects.none()
        # Only the enterprise's own readers: another's is "not one of the available choices".
        self.fields["reader"].queryset = readers if readers is not None else ReaderDevice.objects.none()
        self.picked = list(picked)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} {field.widget.attrs.get('class', '')}".strip()

    def clean_tags_file(self):
        upload = self.cleaned_data.get("tags_file")
        if upload and upload.size > MAX_FILE:
            raise forms.ValidationError(_("The file is larger than 512 KB; a tag list is much smaller."))
        return upload

    def all_tags(self) -> list[str]:
        text = self.cleaned_data.get("tags") or ""
        upload = self.cleaned_data.get("tags_file")
        if upload:
            try:
                text += "\n" + upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("tags_file", _("The file is not UTF-8 text; save it as a text or CSV file."))
        found = [t for t in SPLIT.split(text) if t]
        reader = self.cleaned_data.get("reader")
        read = tags_read_on(device=reader) if reader else []
        return found + [t for t in self.picked if t] + read
