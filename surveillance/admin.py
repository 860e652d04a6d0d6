"""The disease table on the admin site (managers edit it in the bureau portal); alerts read-only."""

from django.contrib import admin

from accounts.admin_history import HistoryAdmin

from .models import Alert, Disease, DiseaseReport, Zone


@admin.register(Disease)
class DiseaseAdmin(HistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "species", "infected_radius_km", "surveillance_radius_km")
    list_filter = ("is_active",)


class ReadOnly(HistoryAdmin):
    """Reports, zones and alerts change only through their services (reasons, trail, restrictions)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DiseaseReport)
class DiseaseReportAdmin(ReadOnly):
    list_display = ("pk", "disease", "confirmed_on", "status", "county_code")
    list_filter = ("status", "disease")


@admin.register(Zone)
class ZoneAdmin(ReadOnly):
    list_display = ("pk", "report", "kind", "radius_km", "lifted_at")


@admin.register(Alert)
class AlertAdmin(ReadOnly):
    list_display = ("pk", "kind", "severity", "state", "organisation", "raised_at", "count")
    list_filter = ("kind", "severity", "state")
    search_fields = ("key", "text_zh", "text_en")
