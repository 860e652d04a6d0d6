from django.urls import path

from . import views
from .actions import ACTIONS, FarmActionView

# The POST endpoints keep the names the issue gives them (inspect records a site inspection).
urlpatterns = [
    path("", views.FarmListView.as_view(), name="farm_list"),
    path("queue/", views.FarmQueueView.as_view(), name="farm_queue"),
    path("export.xlsx", views.FarmExportView.as_view(), name="farm_export"),
    path("map/", views.FarmMapView.as_view(), name="farm_map"),
    path("map/data.json", views.FarmMapDataView.as_view(), name="farm_map_data"),
    path("<int:pk>/", views.FarmDetailView.as_view(), name="farm_detail"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.FarmAttachmentView.as_view(),
        name="farm_attachment",
    ),
    *[
        path(f"<int:pk>/{name}/", FarmActionView.as_view(action=name), name=f"farm_{name}")
        for name in ACTIONS
    ],
]
