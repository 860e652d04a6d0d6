from django.urls import path

from . import views

urlpatterns = [
    path("questions/", views.QuestionQueueView.as_view(), name="question_queue"),
    path("questions/<int:pk>/", views.QuestionDetailView.as_view(), name="question_detail"),
    path("questions/<int:pk>/close/", views.QuestionCloseView.as_view(), name="question_close"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="desk_attachment"),
    path("notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("notices/new/", views.NoticeCreateView.as_view(), name="notice_create"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path("notices/<int:pk>/edit/", views.NoticeEditView.as_view(), name="notice_edit"),
    path("library/", views.LibraryView.as_view(), name="library"),
    path("library/new/", views.LibraryAddView.as_view(), name="library_add"),
    path("library/<int:pk>/file/", views.LibraryDownloadView.as_view(), name="library_download"),
]
