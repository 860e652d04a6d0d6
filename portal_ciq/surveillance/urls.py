from django.urls import path

from . import alerts, views

urlpatterns = [
    path("surveillance/zones/", views.ZoneMapView.as_view(), name="zone_map"),
    path("surveillance/reports/", views.ReportListView.as_view(), name="report_list"),
    path("surveillance/reports/new/", views.ReportCreateView.as_view(), name="report_create"),
    path("surveillance/reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("surveillance/reports/<int:pk>/lift/", views.ReportLiftView.as_view(), name="report_lift"),
    path(
        "surveillance/reports/<int:pk>/evidence/<int:file_pk>/",
        views.ReportEvidenceView.as_view(),
        name="report_evidence",
    ),
    path("surveillance/counties.json", views.CountiesView.as_view(), name="surveillance_counties"),
    path("surveillance/diseases/", views.DiseaseListView.as_view(), name="disease_list"),
    path("surveillance/diseases/new/", views.DiseaseEditView.as_view(), name="disease_create"),
    path("surveillance/diseases/<int:pk>/", views.DiseaseEditView.as_view(), name="disease_edit"),
    path("alerts/", alerts.AlertCentreView.as_view(), name="alert_centre"),
    path("alerts/<int:pk>/", alerts.AlertDetailView.as_view(), name="alert_detail"),
    *[
        path(
            f"alerts/<int:pk>/{action}/",
            alerts.AlertActionView.as_view(action=action),
            name=f"alert_{action}",
        )
        for action in ("acknowledge", "note", "close")
    ],
    path("alerts/<int:pk>/show/", alerts.AlertShowView.as_view(), name="alert_show"),
]
