"""The enterprise's own trucks on the road and their replays (portal_shared.journeys, its own scope)."""

from portal_shared import journeys as shared


class EnterpriseJourneys:
    portal = "portal_enterprise"
    permission_required = "transit.see_own_journeys"


class LiveMapView(EnterpriseJourneys, shared.LiveMapView):
    template_name = "portal_enterprise/journeys/live.html"


class LiveDataView(EnterpriseJourneys, shared.LiveDataView):
    pass


class TripJourneyView(EnterpriseJourneys, shared.TripJourneyView):
    template_name = "portal_enterprise/journeys/trip.html"


class TripTrackView(EnterpriseJourneys, shared.TripTrackView):
    pass
