"""The journey pages both portals show (each its own scope, through transit.selectors.journeys):
the live map of the trucks on the road and a trip's replay. Each portal subclasses them with its
``portal`` (URL namespace) and templates.

The pages carry no data of their own beyond a json_script of URLs and words: static/js/transit_live.js
polls the live feed (JSON) every 15 s, static/js/transit_replay.js fetches the trip's track once.
"""

from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from accounts.access import RuleRequiredMixin
from accounts.pagecache import PageCacheMixin
from transit.selectors.journeys import (
    live_map_data,
    trip_alerts,
    trip_get_for_user,
    trip_track,
)

QINGSHUIHE = (22.5838, 114.1137)
WENJINDU = (22.5395, 114.1283)


def map_base() -> dict:
    """What every journey map needs besides its data: the places and the shipped outlines."""
    return {
        "places": {"warehouse": QINGSHUIHE, "port": WENJINDU},
        "outlines": static("vendor/china/counties/440000.geojson"),
        "words": map_words(),
    }


def map_words() -> dict:
    return {
        "late": str(_("Late")),
        "noPosition": str(_("No position yet")),
        "lastSeen": str(_("Last position")),
        "open": str(_("Open")),
        "play": str(_("Play")),
        "pause": str(_("Pause")),
        "corridor": str(_("Corridor")),
        "flagged": str(_("Flagged point")),
        "noTrack": str(_("No position received for this trip yet.")),
        "trucks": str(_("Trucks on the road")),
        "warehouse": str(_("Qingshuihe warehouse")),
        "port": str(_("Wenjindu port")),
    }


class JourneysAccessMixin(RuleRequiredMixin):
    permission_required = "transit.see_journeys"
    nav_section = "journeys"
    portal = "portal_ciq"

    def urls(self) -> dict:
        return {
            "liveUrl": reverse(f"{self.portal}:journey_live_data"),
            "tripUrl": reverse(f"{self.portal}:trip_journey", args=[0]),
        }


class LiveMapView(JourneysAccessMixin, PageCacheMixin, TemplateView):
    template_name = "portal_ciq/journeys/live.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["config"] = {
            **self.urls(),
            **map_base(),
            "refreshSeconds": 15,
        }
        return context


class LiveDataView(JourneysAccessMixin, PageCacheMixin, View):
    """The trucks on the road: polled by every open map every 15 s, and the same answer for
    all of them until a GPS batch or an alert moves a truck (the page cache's table versions).
    Kept for a minute at most: "late" turns on with the clock, at the trip's due minute."""

    page_cache_period = "minute"

    def get(self, request):
        return JsonResponse({"trucks": live_map_data(user=request.user)})


class TripJourneyView(JourneysAccessMixin, PageCacheMixin, TemplateView):
    """A trip's page: the replay map (its track fetched by TripTrackView), the trip and its
    alerts. Kept in the page cache: opened again and again while a truck is watched (make bench,
    trip_journey: 144 requests/s at 50 users rendered, against a floor of 724)."""

    template_name = "portal_ciq/journeys/trip.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        trip = trip_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        context["trip"] = trip
        context["alerts"] = trip_alerts(user=self.request.user, trip=trip)
        context["config"] = {
            "trackUrl": reverse(f"{self.portal}:trip_track", args=[trip.pk]),
            **map_base(),
        }
        return context


class TripTrackView(JourneysAccessMixin, PageCacheMixin, View):
    """The trip's track (thousands of points) and its corridor, as JSON for the replay. Kept in
    the page cache like the page: a finished trip's track never changes, and a track on the road
    changes only when a GPS batch is written (which moves the points table's version)."""

    def get(self, request, pk):
        trip = trip_get_for_user(user=request.user, pk=pk)
        return JsonResponse(trip_track(trip=trip))
