"""The admin site's part in transit: a read-only look at the records, and the corridors.

Everything in transit changes through its services, which check the step, write the events of
the individual record and the audit: vehicles, drivers and GPS units through registration and
the bureau's approval; loadings, seals and trips through the loading and the journey; arrivals,
animals set aside and port checks (holds, overrides, releases, the export notice) are regulated
records nobody edits afterwards. So they are shown here and never changed or deleted. Corridors
are the one table the administrator may draw here, and they are saved by ``corridor_save``,
which the bureau portal's map calls too.

``GpsPoint`` is not here: Django 5.2's admin refuses a model with a composite primary key. A
trip's page shows how many points it received (``JourneyState``); the track is the portals'.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_history import HistoryAdmin
from accounts.admin_paging import HugeTableMixin
from accounts.errors import DomainError

from .models import (
    Arrival,
    Corridor,
    Disinfection,
    Driver,
    GpsUnit,
    Ineligible,
    IneligiblePhoto,
    Loading,
    LoadingAnimal,
    PortCheck,
    Seal,
    Trip,
    Vehicle,
)
from .services.journeys import corridor_check, corridor_save


class ReadOnlyMixin:
    """Shown, never added, changed or deleted here (nor written back from their history)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, HistoryAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields  # a form field of a column nobody edits (uploaded_at) is refused


# --- fleet -------------------------------------------------------------------------------------


@admin.register(GpsUnit)
class GpsUnitAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "enterprise", "vehicle", "is_active", "last_seen_at", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["identifier", "enterprise__name_zh", "vehicle__plate"]
    list_select_related = ["enterprise", "vehicle"]
    # Only the hash of the token is kept; even its prefix is no business of the admin site.
    exclude = ["token_prefix"]


@admin.register(Vehicle)
class VehicleAdmin(ReadOnlyAdmin):
    list_display = ["plate", "hk_plate", "enterprise", "kind", "status", "permit_valid_until", "gps_unit"]
    list_filter = ["status", "kind"]
    search_fields = ["plate", "hk_plate", "permit_number", "enterprise__name_zh"]
    list_select_related = ["enterprise", "gps_unit"]


@admin.register(Driver)
class DriverAdmin(ReadOnlyAdmin):
    list_display = ["name", "enterprise", "phone", "status", "licence_valid_until"]
    list_filter = ["status"]
    search_fields = ["name", "id_number", "licence_number", "permit_number", "enterprise__name_zh"]
    list_select_related = ["enterprise"]


@admin.register(Disinfection)
class DisinfectionAdmin(ReadOnlyAdmin):
    list_display = ["performed_at", "target", "vehicle", "pen", "site", "agent", "performed_by"]
    list_filter = ["target"]
    search_fields = ["vehicle__plate", "pen", "agent", "performed_by"]
    list_select_related = ["vehicle", "site"]


# --- loading and trips -------------------------------------------------------------------------


class SealInline(ReadOnlyInline):
    model = Seal
    # Columns of the seal itself: a user per row would be a query per row.
    fields = ["number", "stage", "applied_at", "broken_at", "broken_note"]


@admin.register(Loading)
class LoadingAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "consignment",
        "enterprise",
        "vehicle",
        "driver",
        "status",
        "head_expected",
        "head_loaded",
        "opened_at",
        "closed_at",
    ]
    list_filter = ["status"]
    search_fields = ["number", "consignment__number", "vehicle__plate", "driver__name"]
    list_select_related = ["consignment", "enterprise", "vehicle", "driver"]
    inlines = [SealInline]


@admin.register(LoadingAnimal)
class LoadingAnimalAdmin(HugeTableMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Every animal ever loaded: searched by its code or its loading's number, never counted."""

    list_display = ["national_code", "loading", "how", "read_at"]
    list_filter = ["how"]
    # Exact matches: a pattern search would read the whole table.
    search_fields = ["=national_code", "=loading__number"]
    list_select_related = ["loading"]


@admin.register(Seal)
class SealAdmin(ReadOnlyAdmin):
    list_display = ["number", "loading", "stage", "applied_at", "broken_at"]
    list_filter = ["stage"]
    search_fields = ["number", "loading__number"]
    list_select_related = ["loading"]


@admin.register(Trip)
class TripAdmin(ReadOnlyAdmin):
    list_display = [
        "loading",
        "vehicle",
        "driver",
        "status",
        "departed_at",
        "due_at",
        "ended_at",
        "last_position_at",
    ]
    list_filter = ["status"]
    search_fields = ["loading__number", "vehicle__plate", "driver__name"]
    # Trip.__str__ names its loading and vehicle.
    list_select_related = ["loading", "vehicle", "driver"]
    readonly_fields = ["points_received", "points_flagged"]

    @admin.display(description=_("GPS points received"))
    def points_received(self, trip):
        return getattr(getattr(trip, "journey", None), "points", 0)

    @admin.display(description=_("GPS points flagged"))
    def points_flagged(self, trip):
        return getattr(getattr(trip, "journey", None), "flagged", 0)


# --- journeys ----------------------------------------------------------------------------------


class CorridorForm(forms.ModelForm):
    actor = None  # the administrator who posts the form (CorridorAdmin.get_form)

    class Meta:
        model = Corridor
        fields = ["farm", "route", "buffer_m", "planned_minutes", "stop_minutes", "note"]

    def clean(self):
        data = super().clean()
        farm = data.get("farm") or (self.instance.farm if self.instance.farm_id else None)
        if self.errors or farm is None:
            return data
        try:
            corridor_check(
                actor=self.actor,
                farm=farm,
                route=data["route"],
                buffer_m=data["buffer_m"],
                planned_minutes=data["planned_minutes"],
                stop_minutes=data["stop_minutes"],
            )
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, str(exc))
        return data


@admin.register(Corridor)
class CorridorAdmin(HistoryAdmin):
    form = CorridorForm
    list_display = [
        "farm",
        "buffer_m",
        "planned_minutes",
        "stop_minutes",
        "length_km",
        "updated_by",
        "updated_at",
    ]
    search_fields = ["farm__name_zh", "farm__registration_number"]
    list_select_related = ["farm", "updated_by"]
    autocomplete_fields = ["farm"]

    def get_readonly_fields(self, request, obj=None):
        # The corridor belongs to its farm: another farm's is drawn as a corridor of its own.
        fixed = ["length_km", "updated_by", "updated_at"]
        return ["farm", *fixed] if obj is not None else fixed

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = corridor_save(
            actor=request.user,
            farm=obj.farm,
            route=data["route"],
            buffer_m=data["buffer_m"],
            planned_minutes=data["planned_minutes"],
            stop_minutes=data["stop_minutes"],
            note=data["note"],
        )
        obj.pk, obj._state.adding = saved.pk, False
        obj.refresh_from_db()

    # Every trip of the farm is checked against its corridor: it is redrawn, never removed.
    def has_delete_permission(self, request, obj=None):
        return False


# --- the warehouse and the port ----------------------------------------------------------------


@admin.register(Arrival)
class ArrivalAdmin(ReadOnlyAdmin):
    list_display = [
        "trip",
        "warehouse",
        "arrived_at",
        "pen",
        "head_expected",
        "head_counted",
        "seals_intact",
        "clinical_ok",
        "left_at",
    ]
    list_filter = ["seals_intact", "clinical_ok"]
    search_fields = ["pen", "trip__loading__number", "trip__vehicle__plate"]
    list_select_related = ["trip__loading", "trip__vehicle", "warehouse"]


class IneligiblePhotoInline(ReadOnlyInline):
    model = IneligiblePhoto
    # The file itself is not linked: uploads are not served under MEDIA_URL.
    fields = ["original_name", "content_type", "size", "uploaded_at"]


@admin.register(Ineligible)
class IneligibleAdmin(ReadOnlyAdmin):
    list_display = ["national_code", "condition", "cause", "disposal_method", "disposed_at", "arrival"]
    list_filter = ["condition", "disposal_method"]
    search_fields = ["national_code", "arrival__trip__loading__number"]
    list_select_related = ["arrival"]
    inlines = [IneligiblePhotoInline]


@admin.register(PortCheck)
class PortCheckAdmin(ReadOnlyAdmin):
    """Holds, overrides and releases, each with the export notice it produced."""

    list_display = ["trip", "certificate", "port", "outcome", "checked_by", "checked_at", "override_at"]
    list_filter = ["outcome", "seals_intact"]
    search_fields = ["certificate__number", "trip__loading__number", "trip__vehicle__plate"]
    list_select_related = ["trip__loading", "trip__vehicle", "certificate", "port", "checked_by"]
