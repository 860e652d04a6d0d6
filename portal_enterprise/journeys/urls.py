from django.urls import path

from . import views

urlpatterns = [
    path("", views.LiveMapView.as_view(), name="journey_live"),
    path("live.json", views.LiveDataView.as_view(), name="journey_live_data"),
    path("<int:pk>/", views.TripJourneyView.as_view(), name="trip_journey"),
    path("<int:pk>/track.json", views.TripTrackView.as_view(), name="trip_track"),
]
