from django.urls import path

from . import actions, credit, views, visits

urlpatterns = [
    path("calendar/", views.CalendarView.as_view(), name="supervision_calendar"),
    path("plans/new/", views.VisitPlanCreateView.as_view(), name="visit_plan_create"),
    path("visits/new/", visits.VisitCreateView.as_view(), name="visit_create"),
    path("visits/<int:pk>/", visits.VisitDetailView.as_view(), name="visit_detail"),
    path("photos/<int:pk>/", visits.VisitPhotoView.as_view(), name="visit_photo"),
    path("actions/", actions.ActionListView.as_view(), name="action_list"),
    path("actions/<int:pk>/verify/", actions.ActionVerifyView.as_view(), name="action_verify"),
    path("credit/", credit.CreditListView.as_view(), name="credit_list"),
    path("credit/<int:pk>/", credit.CreditDetailView.as_view(), name="credit_detail"),
    path("credit/<int:pk>/recompute/", credit.CreditRecomputeView.as_view(), name="credit_recompute"),
]
