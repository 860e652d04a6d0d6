"""The enterprise's farms and applications (included under /enterprise/farms/)."""

from django.urls import path

from . import actions, views

urlpatterns = [
    path("", views.FarmListView.as_view(), name="farm_list"),
    path("new/", views.FarmCreateView.as_view(), name="farm_create"),
    path("counties/", actions.FarmCountiesView.as_view(), name="farm_counties"),
    path("<int:pk>/", views.FarmDetailView.as_view(), name="farm_detail"),
    path("<int:pk>/edit/", views.FarmEditView.as_view(), name="farm_edit"),
    path("<int:pk>/submit/", actions.FarmSubmitView.as_view(), name="farm_submit"),
    path("<int:pk>/withdraw/", actions.FarmWithdrawView.as_view(), name="farm_withdraw"),
    path("<int:pk>/attachments/", actions.FarmAttachmentAddView.as_view(), name="farm_attachment_add"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        actions.FarmAttachmentView.as_view(),
        name="farm_attachment",
    ),
]
