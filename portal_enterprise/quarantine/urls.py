from django.urls import path

from . import views

urlpatterns = [
    path("", views.ConsignmentListView.as_view(), name="consignment_list"),
    path("declare/", views.DeclareView.as_view(), name="consignment_declare"),
    path("<int:pk>/", views.ConsignmentDetailView.as_view(), name="consignment_detail"),
    path("<int:pk>/withdraw/", views.ConsignmentWithdrawView.as_view(), name="consignment_withdraw"),
    path(
        "<int:pk>/certificates/<str:number>.pdf", views.CertificatePdfView.as_view(), name="certificate_pdf"
    ),
]
