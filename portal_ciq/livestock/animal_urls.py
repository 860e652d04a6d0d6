"""The bureau's animal page and tag look-up (included by portal_ciq/livestock/urls.py)."""

from django.urls import path

from . import animal_views

urlpatterns = [
    path("animals/find/", animal_views.AnimalFindView.as_view(), name="animal_find"),
    path("animals/<int:pk>/", animal_views.AnimalDetailView.as_view(), name="animal_detail"),
]
