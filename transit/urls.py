"""The GPS units' API (included under /api/gps/)."""

from django.urls import path

from . import api

app_name = "gps_api"

urlpatterns = [
    path("points/", api.points, name="points"),
    path("nmea/", api.nmea, name="nmea"),
]
