from django.urls import path

from . import views

urlpatterns = [
    path("", views.RestrictionsView.as_view(), name="alerts"),
]
