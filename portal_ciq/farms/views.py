"""The bureau's farm pages: the review queue, the registry (and its export), a farm, the farm map."""

from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from accounts.access import RuleRequiredMixin
from accounts.models import Role
from accounts.pagecache import PageCacheMixin
from farms.labels import ACTION_LABELS, LAYOUT_KIND_LABELS
from farms.models import Farm, SiteInspection
from farms.places import county_label, county_parent, county_short
from farms.selectors import credit_rating_current, farm_get_for_user, farm_review_queue_for_user
from farms.services import surroundings_shortfalls
from surveillance.selectors import flagged_points_for_user, zone_map_data

from .actions import actions_for
from .exports import export_filename, farm_registry_workbook
from .filters import FarmFilterSet
from .forms import AssignForm, InspectionForm, ReasonForm
from .queries import branch_inspectors, farm_map_data_for_user, registry_for_user
from .tables import FarmTable

# Days after which a waiting application is shown as late (the bureau's 20 working days).
QUEUE_LATE_DAYS = 20


def map_config() -> dict:
    """Return what farm_map.js needs: where its data and outlines are, and its labels."""
    return {
        "outlines": static("vendor/china/provinces.geojson"),
        "counties": static("vendor/china/counties/"),
        "dataUrl": reverse("portal_ciq:farm_map_data"),
        "detailUrl": reverse("portal_ciq:farm_detail", args=[0]),
        "labels": {
            "statuses": {value: str(label) for value, label in Farm.Status.choices},
            "registration": str(_("Registration number")),
            "status": str(_("Status")),
            "grade": str(_("Credit grade")),
            "noGrade": str(_("Not rated")),
            "open": str(_("Open")),
            "none": str(_("No farms to show.")),
            "farmPoint": str(_("Farm location")),
        },
    }


class FarmQueueView(RuleRequiredMixin, TemplateView):
    """The applications waiting for the branch, oldest first."""

    nav_section = "farm_queue"
    permission_required = "farms.review"
    template_name = "portal_ciq/farms/farm_queue.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        now = timezone.now()
        farms = list(farm_review_queue_for_user(user=user))
        for farm in farms:
            farm.waiting_days = (now - farm.submitted_at).days if farm.submitted_at else 0
            farm.is_late = farm.waiting_days >= QUEUE_LATE_DAYS
            farm.county_short = county_short(farm.county_code)
            farm.county_parent = county_parent(farm.county_code)
        return super().get_context_data(
            farms=farms,
            counts={
                "total": len(farms),
                "unassigned": sum(f.status == Farm.Status.SUBMITTED for f in farms),
                "mine": sum(f.inspector_id == user.pk for f in farms),
                "late": sum(f.is_late for f in farms),
            },
            late_days=QUEUE_LATE_DAYS,
            can_take=user.role == Role.INSPECTOR,
            show_branch=user.role != Role.INSPECTOR,
            **kwargs,
        )


class FarmListView(RuleRequiredMixin, PageCacheMixin, SingleTableMixin, FilterView):
    """The farm registry: filter, sort, page, export."""

    nav_section = "farms"
    permission_required = "farms.view_registry"
    template_name = "portal_ciq/farms/farm_list.html"
    table_class = FarmTable
    filterset_class = FarmFilterSet

    def get_queryset(self):
        return registry_for_user(user=self.request.user)

    def get_table_kwargs(self):
        # An inspector's registry is the own branch's: the column would repeat one name.
        return {"exclude": ("branch",)} if self.request.user.role == Role.INSPECTOR else {}


class FarmExportView(RuleRequiredMixin, View):
    """The registry's filtered rows as an Excel file."""

    permission_required = "farms.view_registry"

    def get(self, request):
        filterset = FarmFilterSet(
            request.GET or None, queryset=registry_for_user(user=request.user), request=request
        )
        farms = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        # In the order the registry shows them (its default, or the column it was sorted by).
        table = FarmTable(farms)
        if request.GET.get("sort"):
            table.order_by = request.GET["sort"]
        return FileResponse(
            farm_registry_workbook(table.data.data),
            as_attachment=True,
            filename=export_filename(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


class FarmDetailView(RuleRequiredMixin, TemplateView):
    """Everything about one farm, and the actions its status allows."""

    nav_section = "farms"
    permission_required = "farms.view_registry"
    template_name = "portal_ciq/farms/farm_detail.html"

    @cached_property
    def farm(self) -> Farm:
        return farm_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        farm, user = self.farm, self.request.user
        surroundings = list(farm.surroundings.all())
        short = {(sf.kind, sf.distance_m): sf for sf in surroundings_shortfalls(surroundings)}
        actions = {a.name: a for a in actions_for(user=user, farm=farm)}
        inspections = list(farm.site_inspections.select_related("inspector"))
        assign_form = None
        if "assign" in actions:
            own_branch = user.organisation_id == farm.branch_id
            assign_form = AssignForm(
                inspectors=branch_inspectors(farm=farm),
                initial={"inspector": farm.inspector_id or (user.pk if own_branch else None)},
            )
        return super().get_context_data(
            farm=farm,
            county_name=county_label(farm.county_code),
            surroundings=[(s, short.get((s.kind, s.distance_m))) for s in surroundings],
            shortfall_count=sum((s.kind, s.distance_m) in short for s in surroundings),
            attachments=list(farm.attachments.all()),
            inspections=inspections,
            passed=bool(inspections) and inspections[0].conclusion == SiteInspection.Conclusion.PASS,
            timeline=[
                (change, ACTION_LABELS.get(change.action, change.action))
                for change in farm.status_changes.select_related("actor").order_by("-at", "-pk")
            ],
            rating=credit_rating_current(enterprise_id=farm.enterprise_id),
            assign_form=assign_form,
            inspection_form=InspectionForm() if "inspect" in actions else None,
            decisions=[a for name, a in actions.items() if name not in {"assign", "inspect"}],
            reason_form=ReasonForm(),
            layout_kinds={k: str(v) for k, v in LAYOUT_KIND_LABELS.items()},
            map_config=map_config(),
            map_data={
                "lat": None if farm.latitude is None else float(farm.latitude),
                "lng": None if farm.longitude is None else float(farm.longitude),
                "layout": farm.layout or {},
                "status": farm.status,
                "name": farm.name,
            },
            **kwargs,
        )


class FarmAttachmentView(RuleRequiredMixin, View):
    """A file the enterprise filed, served only to those who may see the farm."""

    permission_required = "farms.view_registry"

    def get(self, request, pk, attachment_pk):
        farm = farm_get_for_user(user=request.user, pk=pk)
        attachment = get_object_or_404(farm.attachments, pk=attachment_pk)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        inline = attachment.content_type.startswith("image/") or attachment.content_type == "application/pdf"
        response = FileResponse(
            handle,
            as_attachment=not inline,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        response["Cache-Control"] = "private, no-store"
        return response


class FarmMapView(RuleRequiredMixin, TemplateView):
    """Every farm in scope on a map, coloured by status or by credit grade."""

    nav_section = "farm_map"
    permission_required = "farms.view_registry"
    template_name = "portal_ciq/farms/farm_map.html"

    def get_context_data(self, **kwargs):
        # The active disease zones are drawn under the farms (static/js/zones.js).
        user = self.request.user
        return super().get_context_data(
            map_config=map_config(),
            zones_data={"zones": zone_map_data(user=user), "flagged": flagged_points_for_user(user=user)},
            **kwargs,
        )


class FarmMapDataView(RuleRequiredMixin, PageCacheMixin, View):
    """The farm map's data: one query, short rows."""

    permission_required = "farms.view_registry"

    def get(self, request):
        response = JsonResponse(farm_map_data_for_user(user=request.user))
        response["Cache-Control"] = "private, no-store"
        return response
