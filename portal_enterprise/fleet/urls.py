from django.urls import path

from . import views

urlpatterns = [
    path("", views.FleetView.as_view(), name="fleet"),
    path("vehicles/new/", views.VehicleCreateView.as_view(), name="vehicle_create"),
    path("vehicles/<int:pk>/", views.VehicleDetailView.as_view(), name="vehicle_detail"),
    path(
        "vehicles/<int:pk>/disinfection/", views.DisinfectionCreateView.as_view(), name="vehicle_disinfection"
    ),
    path("drivers/new/", views.DriverCreateView.as_view(), name="driver_create"),
    path("units/new/", views.UnitCreateView.as_view(), name="gps_unit_create"),
    path("units/<int:pk>/token/", views.UnitTokenView.as_view(), name="gps_unit_token"),
    path("<str:kind>/<int:pk>/<str:action>/", views.FleetActView.as_view(), name="fleet_act"),
]
