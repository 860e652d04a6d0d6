"""The bureau's journeys: the live map of the trucks on the road, a trip's replay (portal_shared.journeys),
and the corridors drawn per farm (static/js/transit_corridor.js draws into a hidden field of the form).
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from accounts import jsoninput
from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.pagecache import PageCacheMixin
from accounts.params import paginate
from portal_shared import journeys as shared
from transit.selectors.journeys import corridor_farm_get_for_user, corridor_farms_for_user, corridor_geojson
from transit.services.journeys import corridor_save

SAVED = _("The corridor of {farm} is saved; every trip from the farm is checked against it.")


class LiveMapView(shared.LiveMapView):
    template_name = "portal_ciq/journeys/live.html"


class LiveDataView(shared.LiveDataView):
    pass


class TripJourneyView(shared.TripJourneyView):
    template_name = "portal_ciq/journeys/trip.html"


class TripTrackView(shared.TripTrackView):
    pass


class CorridorAccessMixin(RuleRequiredMixin):
    permission_required = "transit.draw_corridors"
    nav_section = "corridors"


class CorridorListView(CorridorAccessMixin, PageCacheMixin, TemplateView):
    template_name = "portal_ciq/journeys/corridor_list.html"
    per_page = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Only what the list shows: the farm's layout and the corridor's route (thousands of
        # vertices) are JSON that would be parsed for every row (make bench BENCH=load).
        farms = corridor_farms_for_user(user=self.request.user).only(
            "pk",
            "name_zh",
            "name_en",
            "enterprise",
            "enterprise__name_zh",
            "enterprise__name_en",
            "corridor__farm",
            "corridor__length_km",
            "corridor__buffer_m",
            "corridor__planned_minutes",
        )
        # A page of farms, not all of them: a row costs more to render than to read.
        context["page_obj"] = paginate(self.request, farms, self.per_page)
        context["farms"] = context["page_obj"].object_list
        return context


class CorridorForm(forms.Form):
    route = forms.CharField(widget=forms.HiddenInput, max_length=400_000)
    buffer_m = forms.IntegerField(label=_("Corridor width each side (m)"), initial=500)
    planned_minutes = forms.IntegerField(label=_("Planned duration (minutes)"), initial=180)
    stop_minutes = forms.IntegerField(label=_("Longest stop allowed (minutes)"), initial=30)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_route(self):
        try:
            return jsoninput.loads(self.cleaned_data["route"], max_depth=6)
        except jsoninput.JSONInputError as exc:
            raise forms.ValidationError(exc.message) from None


class CorridorEditView(CorridorAccessMixin, FormView):
    template_name = "portal_ciq/journeys/corridor_form.html"
    form_class = CorridorForm

    @cached_property
    def farm(self):
        return corridor_farm_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        self.farm  # noqa: B018 - a farm outside the scope is a 404 before anything else
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.farm  # noqa: B018
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        corridor = getattr(self.farm, "corridor", None)
        if corridor is None:
            return {}
        return {
            "buffer_m": corridor.buffer_m,
            "planned_minutes": corridor.planned_minutes,
            "stop_minutes": corridor.stop_minutes,
            "note": corridor.note,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        corridor = getattr(self.farm, "corridor", None)
        context["farm"] = self.farm
        context["config"] = {
            "farm": [float(self.farm.latitude), float(self.farm.longitude)] if self.farm.latitude else None,
            "corridor": corridor_geojson(corridor) if corridor else None,
            **shared.map_base(),
        }
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            corridor_save(
                actor=self.request.user,
                farm=self.farm,
                route=data["route"],
                buffer_m=data["buffer_m"],
                planned_minutes=data["planned_minutes"],
                stop_minutes=data["stop_minutes"],
                note=data["note"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, format_lazy(SAVED, farm=self.farm.name))
        return redirect("portal_ciq:corridor_list")
