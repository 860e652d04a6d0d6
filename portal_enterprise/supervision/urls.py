from django.urls import path

from . import views

urlpatterns = [
    path("actions/", views.CorrectiveActionListView.as_view(), name="corrective_actions"),
    path("actions/<int:pk>/done/", views.CorrectiveActionDoneView.as_view(), name="corrective_action_done"),
    path("credit/", views.CreditView.as_view(), name="credit"),
]
