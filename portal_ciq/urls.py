from django.urls import include, path

from . import views

app_name = "portal_ciq"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisations/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation_detail"),
    path("audit/", views.HistoryListView.as_view(), name="history_list"),
    path("audit/<str:model>/<int:pk>/", views.HistoryDetailView.as_view(), name="history_detail"),
    # Each module of the bureau side keeps its own URLs, in this portal's namespace.
    path("farms/", include("portal_ciq.farms.urls")),
    path("supervision/", include("portal_ciq.supervision.urls")),
    path("desk/", include("portal_ciq.desk.urls")),
    path("herds/", include("portal_ciq.livestock.urls")),
    path("readers/", include("portal_ciq.readers.urls")),
    path("consignments/", include("portal_ciq.quarantine.urls")),
    path("journeys/", include("portal_ciq.journeys.urls")),
    path("loading/", include("portal_ciq.loading.urls")),
    path("fleet/", include("portal_ciq.fleet.urls")),
    path("warehouse/", include("portal_ciq.warehouse.urls")),
    path("port/", include("portal_ciq.port.urls")),
    path("", include("portal_ciq.surveillance.urls")),
]
