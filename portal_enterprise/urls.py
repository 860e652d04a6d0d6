from django.urls import include, path

from . import views

app_name = "portal_enterprise"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("settings/organisation/", views.OrganisationSettingsView.as_view(), name="organisation_settings"),
    path("settings/users/", views.UserListView.as_view(), name="user_list"),
    path("settings/users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("settings/users/<int:pk>/", views.UserEditView.as_view(), name="user_edit"),
    path("settings/users/<int:pk>/deactivate/", views.UserDeactivateView.as_view(), name="user_deactivate"),
    path("settings/users/<int:pk>/reactivate/", views.UserReactivateView.as_view(), name="user_reactivate"),
    # Each module of the enterprise side keeps its own URLs, in this portal's namespace.
    path("farms/", include("portal_enterprise.farms.urls")),
    path("supervision/", include("portal_enterprise.supervision.urls")),
    path("desk/", include("portal_enterprise.desk.urls")),
    path("herd/", include("portal_enterprise.livestock.urls")),
    path("alerts/", include("portal_enterprise.surveillance.urls")),
    path("consignments/", include("portal_enterprise.quarantine.urls")),
    path("journeys/", include("portal_enterprise.journeys.urls")),
    path("fleet/", include("portal_enterprise.fleet.urls")),
]
