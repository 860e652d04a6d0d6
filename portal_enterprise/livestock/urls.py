"""The enterprise's herd (included under /enterprise/herd/): animals, records, ear tags."""

from django.urls import path

from . import imports, records, tags, views

urlpatterns = [
    path("", views.HerdHomeView.as_view(), name="herd_home"),
    path("template.csv", imports.HerdTemplateView.as_view(), name="herd_template"),
    path("<int:farm_pk>/", views.HerdFarmView.as_view(), name="herd_farm"),
    path("<int:farm_pk>/animals/new/", views.AnimalCreateView.as_view(), name="animal_create"),
    path("<int:farm_pk>/import/", imports.AnimalImportView.as_view(), name="animal_import"),
    path("<int:farm_pk>/records/", records.LogListView.as_view(), name="log_list"),
    path("<int:farm_pk>/records/new/<str:kind>/", records.LogCreateView.as_view(), name="log_create"),
    path("<int:farm_pk>/quick/", records.QuickEntryView.as_view(), name="quick_entry"),
    path("<int:farm_pk>/quick/tag/", records.QuickTagCheckView.as_view(), name="quick_tag_check"),
    path("imports/<int:pk>/", imports.AnimalImportPreviewView.as_view(), name="animal_import_preview"),
    path(
        "imports/<int:pk>/errors.csv", imports.AnimalImportErrorsView.as_view(), name="animal_import_errors"
    ),
    path(
        "imports/<int:pk>/confirm/", imports.AnimalImportConfirmView.as_view(), name="animal_import_confirm"
    ),
    path("imports/<int:pk>/cancel/", imports.AnimalImportCancelView.as_view(), name="animal_import_cancel"),
    path("animals/find/", views.AnimalFindView.as_view(), name="animal_find"),
    path("animals/<int:pk>/", views.AnimalDetailView.as_view(), name="animal_detail"),
    path("animals/<int:pk>/edit/", views.AnimalEditView.as_view(), name="animal_edit"),
    path("animals/<int:pk>/retag/", views.AnimalRetagView.as_view(), name="animal_retag"),
    path("records/<int:pk>/", records.LogDetailView.as_view(), name="log_detail"),
    path("tags/", tags.TagListView.as_view(), name="tag_list"),
    path("tags/import/", tags.TagImportView.as_view(), name="tag_import"),
    path("tags/template.csv", tags.TagTemplateView.as_view(), name="tag_template"),
]
