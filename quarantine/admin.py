"""The admin site's part in quarantine: the bureau's tables, and a read-only look at the records.

Consignments and certificates change only through the services (the workflow, voiding); a
certificate changed here anyway would be caught by its signature wherever it is shown.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Analyte, Certificate, Consignment, ExamChecklistItem, ExportRule


@admin.register(ExportRule)
class ExportRuleAdmin(SimpleHistoryAdmin):
    list_display = ["species", "isolation_days", "certificate_valid_days", "min_samples"]


@admin.register(ExamChecklistItem)
class ExamChecklistItemAdmin(SimpleHistoryAdmin):
    list_display = ["species", "order", "text_zh", "text_en", "is_active"]
    list_filter = ["species", "is_active"]


@admin.register(Analyte)
class AnalyteAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "species", "limit", "unit", "is_active"]
    list_filter = ["kind", "is_active"]


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consignment)
class ConsignmentAdmin(ReadOnlyAdmin):
    list_display = ["number", "enterprise", "farm", "status", "planned_loading_on", "head_count"]
    list_filter = ["status", "species"]
    search_fields = ["number"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "consignment", "issued_at", "valid_until", "voided_at"]
    search_fields = ["number"]
