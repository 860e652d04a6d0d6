from django.urls import path

from . import views

urlpatterns = [
    path("", views.PortScreenView.as_view(), name="port_screen"),
    path("checks/<int:pk>/", views.PortCheckView.as_view(), name="port_check"),
    path("checks/<int:pk>/notice.pdf", views.NoticeView.as_view(fmt="pdf"), name="port_notice_pdf"),
    path("checks/<int:pk>/notice.json", views.NoticeView.as_view(fmt="json"), name="port_notice_json"),
]
