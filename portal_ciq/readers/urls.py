from django.urls import path

from . import views

urlpatterns = [
    path("", views.ReaderListView.as_view(), name="reader_list"),
    path("new/", views.ReaderCreateView.as_view(), name="reader_create"),
    path("<int:pk>/", views.ReaderDetailView.as_view(), name="reader_detail"),
    path("<int:pk>/feed/", views.ReaderFeedView.as_view(), name="reader_feed"),
    path("<int:pk>/revoke/", views.ReaderRevokeView.as_view(), name="reader_revoke"),
]
