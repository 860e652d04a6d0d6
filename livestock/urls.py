"""The bridge API (included under /api/bridge/; paths from rfid_bridge.protocol)."""

from django.urls import path

from . import api

app_name = "bridge_api"

urlpatterns = [
    path("reads/", api.reads, name="reads"),
    path("heartbeat/", api.heartbeat, name="heartbeat"),
]
