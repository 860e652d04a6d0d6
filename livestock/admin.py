"""The admin site's part in livestock: the bureau's configurable tables.

Animals, tags, records and events change only through the services (they carry events and
audit), so they are not edited here; the portals show them.
"""

from django.contrib import admin

from accounts.admin_history import HistoryAdmin

from .models import BannedSubstance, VaccinationRequirement


@admin.register(BannedSubstance)
class BannedSubstanceAdmin(HistoryAdmin):
    list_display = ["name_zh", "name_en", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name_zh", "name_en", "aliases"]


@admin.register(VaccinationRequirement)
class VaccinationRequirementAdmin(HistoryAdmin):
    list_display = ["species", "disease_zh", "disease_en", "first_age_days", "repeat_days", "is_active"]
    list_filter = ["species", "is_active"]
