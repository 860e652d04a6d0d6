from django.urls import path

from . import views

urlpatterns = [
    path("", views.LoadingListView.as_view(), name="loading_list"),
    path("new/<int:consignment>/", views.LoadingOpenView.as_view(), name="loading_open"),
    path("<int:pk>/", views.LoadingDetailView.as_view(), name="loading_detail"),
    path("<int:pk>/live/", views.LoadingLiveView.as_view(), name="loading_live"),
    path("<int:pk>/tag/", views.LoadingTagView.as_view(), name="loading_tag"),
    path("<int:pk>/seal/", views.LoadingSealView.as_view(), name="loading_seal"),
    path("<int:pk>/close/", views.LoadingCloseView.as_view(), name="loading_close"),
    path("<int:pk>/cancel/", views.LoadingCancelView.as_view(), name="loading_cancel"),
]
