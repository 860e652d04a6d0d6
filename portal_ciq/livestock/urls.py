from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.HerdListView.as_view(), name="herd_list"),
    path("<int:farm_pk>/", views.HerdFarmView.as_view(), name="herd_farm"),
    path("alerts/", views.AlertListView.as_view(), name="alert_list"),
    # The animal page (animal_detail, animal_find) keeps its own URLs.
    path("", include("portal_ciq.livestock.animal_urls")),
]
