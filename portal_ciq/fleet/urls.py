from django.urls import path

from . import views

urlpatterns = [
    path("", views.FleetReviewView.as_view(), name="fleet_review"),
    path("<str:kind>/<int:pk>/<str:action>/", views.FleetActView.as_view(), name="fleet_review_act"),
]
