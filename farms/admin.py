"""The admin site's part in farms: the bureau's configurable tables, and a look at the records.

Farms are read-only here (they change only through the workflow); notices and the library are
saved by the same services as the bureau portal's pages, which check them the same way.
"""

from django import forms
from django.contrib import admin

from accounts.admin_history import HistoryAdmin
from accounts.errors import DomainError
from accounts.uploads import upload_check

from .models import (
    ChecklistItem,
    ChecklistTemplate,
    CreditGradePolicy,
    Farm,
    Notice,
    ReferenceDocument,
    SurroundingRule,
)
from .services.desk import notice_publish, notice_update, reference_document_add, reference_document_update


@admin.register(SurroundingRule)
class SurroundingRuleAdmin(HistoryAdmin):
    list_display = ["kind", "min_distance_m"]


@admin.register(CreditGradePolicy)
class CreditGradePolicyAdmin(admin.ModelAdmin):
    list_display = ["grade", "min_score", "sampling_percent", "description"]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(HistoryAdmin):
    list_display = ["name_zh", "species", "is_active"]
    list_filter = ["species", "is_active"]
    inlines = [ChecklistItemInline]


@admin.register(Farm)
class FarmAdmin(HistoryAdmin):
    """Read-only: farms change only through the workflow (farms.services)."""

    list_display = [
        "name_zh",
        "enterprise",
        "branch",
        "species",
        "status",
        "registration_number",
        "valid_until",
    ]
    list_filter = ["status", "species", "branch"]
    search_fields = ["name_zh", "name_en", "registration_number", "enterprise__name_zh"]
    list_select_related = ["enterprise", "branch"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(HistoryAdmin):
    list_display = ["title", "published_on", "is_pinned"]
    fields = ["title", "body", "published_on", "is_pinned"]

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in self.fields}
        if change:
            notice_update(actor=request.user, notice=obj, **data)
        else:
            obj.pk = notice_publish(actor=request.user, **data).pk
            obj._state.adding = False
        obj.refresh_from_db()


class ReferenceDocumentForm(forms.ModelForm):
    class Meta:
        model = ReferenceDocument
        fields = ["category", "title", "number", "issued_by", "issued_on", "summary", "file"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the file already kept
            try:
                upload_check(upload)
            except DomainError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return upload


@admin.register(ReferenceDocument)
class ReferenceDocumentAdmin(admin.ModelAdmin):
    form = ReferenceDocumentForm
    list_display = ["title", "category", "number", "issued_on"]
    list_filter = ["category"]
    search_fields = ["title", "number", "summary"]

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in ReferenceDocumentForm.Meta.fields}
        # Only a newly uploaded file is handed on; the one already stored stays as it is.
        data["file"] = data["file"] if "file" in form.changed_data and data["file"] else None
        if change:
            reference_document_update(actor=request.user, document=obj, **data)
        else:
            obj.pk = reference_document_add(actor=request.user, **data).pk
            obj._state.adding = False
        obj.refresh_from_db()
