"""Forms of the bureau's supervision pages: planning, the visit checklist, findings, follow-up."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledFormMixin
from accounts.models import Role
from accounts.params import DateField
from farms.models import ChecklistTemplate, Finding, VisitAnswer

DATE = {"type": "date"}


class FarmChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, farm):
        number = f" · {farm.registration_number}" if farm.registration_number else ""
        return f"{farm.name}{number} ({farm.enterprise.name})"


class InspectorChoiceField(forms.ModelChoiceField):
    with_branch = False  # a manager picks among every branch's inspectors

    def label_from_instance(self, person):
        name = person.full_name or person.username
        return f"{name} · {person.organisation.name}" if self.with_branch else name


class VisitPlanForm(StyledFormMixin, forms.Form):
    farm = FarmChoiceField(label=_("Farm"), queryset=None, empty_label=_("Choose a registered farm"))
    inspector = InspectorChoiceField(label=_("Inspector"), queryset=None, empty_label=None)
    planned_on = DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. routine quarterly inspection")}),
    )

    def __init__(self, *args, farms, inspectors, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["farm"].queryset = farms
        self.fields["inspector"].queryset = inspectors
        if user is not None and user.role == Role.INSPECTOR:
            self.fields["inspector"].initial = user.pk
        else:
            self.fields["inspector"].with_branch = True


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one input; their content is checked by the service (accounts.uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


class VisitForm(StyledFormMixin, forms.Form):
    """The visit itself and the checklist: one result and one note per question of the template."""

    visited_on = DateField(label=_("Visited on"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    summary = forms.CharField(
        label=_("Visit summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was seen, who was present, what the farm was told."),
    )
    photos = MultipleImageField(
        label=_("Photos"), required=False, help_text=_("JPEG or PNG; several at once.")
    )

    def __init__(self, *args, template: ChecklistTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        self.items = list(template.items.all())
        for item in self.items:
            # Not required here: the service refuses a checklist with gaps and names the questions.
            self.fields[f"answer_{item.pk}"] = forms.ChoiceField(
                label=item.text,
                choices=VisitAnswer.Result.choices,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"),
                max_length=300,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("Note (optional)")}),
            )

    def rows(self):
        """Return (item, answer field, note field) for each question, in the template's order."""
        return [(item, self[f"answer_{item.pk}"], self[f"note_{item.pk}"]) for item in self.items]

    def answers(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            item.pk: (data[f"answer_{item.pk}"], data[f"note_{item.pk}"])
            for item in self.items
            if data.get(f"answer_{item.pk}")
        }

    def mark_missing(self) -> None:
        """Put an error beside each unanswered question (the service's message says which)."""
        for item in self.items:
            if not self.cleaned_data.get(f"answer_{item.pk}"):
                self.add_error(f"answer_{item.pk}", _("Choose a result."))


class FindingForm(StyledFormMixin, forms.Form):
    """One finding; a row left blank is ignored."""

    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", "—"), *Finding.Severity.choices]
    )
    item = forms.TypedChoiceField(label=_("Checklist question"), required=False, coerce=int, empty_value=None)
    description = forms.CharField(
        label=_("What was found"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    action = forms.CharField(
        label=_("Corrective action required"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = DateField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        help_text=_("30 days if left empty."),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("— none —"))] + [
            (i.pk, f"{n}. {i.text}") for n, i in enumerate(items, start=1)
        ]

    def clean(self):
        data = super().clean()
        if any(data.get(k) for k in ("severity", "description", "action")):
            if not data.get("severity"):
                self.add_error("severity", _("Choose the severity."))
            if not (data.get("description") or "").strip():
                self.add_error("description", _("Describe what was found."))
        return data

    def finding(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("severity"):
            return None
        return {k: data.get(k) for k in ("severity", "item", "description", "action", "deadline")}


FindingFormSet = forms.formset_factory(FindingForm, extra=4, max_num=20)


class ActionVerifyForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("verify", _("Verify")), ("reopen", _("Reopen"))])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
