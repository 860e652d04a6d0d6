"""The admin site's part in farms: the bureau's configurable tables, and a look at the records."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ChecklistItem,
    ChecklistTemplate,
    CreditGradePolicy,
    Farm,
    Notice,
    ReferenceDocument,
    SurroundingRule,
)


@admin.register(SurroundingRule)
class SurroundingRuleAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "min_distance_m"]


@admin.register(CreditGradePolicy)
class CreditGradePolicyAdmin(admin.ModelAdmin):
    list_display = ["grade", "min_score", "sampling_percent", "description"]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["name_zh", "species", "is_active"]
    list_filter = ["species", "is_active"]
    inlines = [ChecklistItemInline]


@admin.register(Farm)
class FarmAdmin(SimpleHistoryAdmin):
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
class NoticeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "published_on", "is_pinned"]


@admin.register(ReferenceDocument)
class ReferenceDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "number", "issued_on"]
    list_filter = ["category"]
    search_fields = ["title", "number", "summary"]
