from django.urls import path

from . import views

urlpatterns = [
    path("", views.BoardView.as_view(), name="warehouse_board"),
    path("trips/<int:pk>/arrive/", views.ArriveView.as_view(), name="warehouse_arrive"),
    path("arrivals/<int:pk>/", views.ArrivalView.as_view(), name="warehouse_arrival"),
    path("treatment/", views.TreatmentView.as_view(), name="warehouse_treatment"),
]
