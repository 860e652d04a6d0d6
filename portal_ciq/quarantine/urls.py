from django.urls import path

from . import views

urlpatterns = [
    path("", views.QueueView.as_view(), name="consignment_queue"),
    path("lims/", views.LimsImportView.as_view(), name="lims_import"),
    path("<int:pk>/", views.ConsignmentView.as_view(), name="consignment_detail"),
    path("<int:pk>/accept/", views.AcceptView.as_view(), name="consignment_accept"),
    path("<int:pk>/examine/", views.ExamineView.as_view(), name="consignment_examine"),
    path("<int:pk>/sample/", views.SampleView.as_view(), name="consignment_sample"),
    path("<int:pk>/labels.pdf", views.SampleLabelsView.as_view(), name="sample_labels"),
    path("<int:pk>/results/", views.ResultsView.as_view(), name="consignment_results"),
    path("<int:pk>/approve/", views.ApproveView.as_view(), name="consignment_approve"),
    path("<int:pk>/reject/", views.RejectView.as_view(), name="consignment_reject"),
    path("<int:pk>/cancel/", views.CancelView.as_view(), name="consignment_cancel"),
    path(
        "<int:pk>/certificates/<str:number>.pdf", views.CertificatePdfView.as_view(), name="certificate_pdf"
    ),
    path(
        "<int:pk>/certificates/<str:number>/void/",
        views.CertificateVoidView.as_view(),
        name="certificate_void",
    ),
    path(
        "<int:pk>/certificates/<str:number>/replace/",
        views.CertificateReplaceView.as_view(),
        name="certificate_replace",
    ),
]
