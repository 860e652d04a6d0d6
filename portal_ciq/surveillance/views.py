"""The bureau's outbreak pages: reports (list, new, one, lift), the zone map, and the disease table."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.pagecache import PageCacheMixin
from accounts.params import paginate
from farms import regions
from farms.models import Farm
from farms.selectors import farm_scope_q
from surveillance import geo
from surveillance.models import Disease, DiseaseReport, Zone
from surveillance.selectors import (
    disease_list,
    flagged_farms_for_user,
    report_get_for_user,
    report_list_for_user,
    zone_map_data,
    zones_of_report,
)
from surveillance.services import disease_save, report_create, report_lift

from .forms import DiseaseForm, LiftForm, ReportFilterSet, ReportForm

REPORTED = _("Outbreak {number} recorded: {count} farms flagged in its zones.")
LIFTED = _("Lifted. The restrictions of its farms have ended.")
ZONE_LIFTED = _("The {zone} is lifted.")
SAVED = _("Saved: {disease}.")
PER_PAGE = 25
# Farms drawn around the zones (grey dots), beyond the zone's own radius.
MAP_MARGIN_KM = 8
MAP_FARMS_MAX = 3000
LIFTED_SHOWN_DAYS = 365


def map_config(**extra) -> dict:
    """What zones.js needs: outlines, tiles, links and its words, in the user's language."""
    return {
        "outlines": static("vendor/china/provinces.geojson"),
        "counties": static("vendor/china/counties/"),
        "tiles": settings.MAP_TILES_URL,
        "tilesAttribution": settings.MAP_TILES_ATTRIBUTION,
        "farmUrl": reverse("portal_ciq:farm_detail", args=[0]),
        "reportUrl": reverse("portal_ciq:report_detail", args=[0]),
        "labels": {
            "infected": str(Zone.Kind.INFECTED.label),
            "surveillance": str(Zone.Kind.SURVEILLANCE.label),
            "lifted": str(_("Lifted zone")),
            "flagged": str(_("Farm in a zone")),
            "farm": str(_("Other farm")),
            "outbreak": str(_("Outbreak")),
            "since": str(_("since")),
            "review": str(_("due for review")),
            "open": str(_("Open")),
            "km": str(_("km")),
        },
        **extra,
    }


def farms_around(*, user, zones: list[dict]) -> list[list]:
    """The farms in ``user``'s scope near the zones, as short rows for the map (one query)."""
    if not zones:
        return []
    near = Q()
    for z in zones:
        box = geo.bounding_box(z["lat"], z["lng"], z["radiusKm"] + MAP_MARGIN_KM)
        near |= Q(
            latitude__gte=box.min_lat,
            latitude__lte=box.max_lat,
            longitude__gte=box.min_lng,
            longitude__lte=box.max_lng,
        )
    english = (get_language() or "").startswith("en")
    rows = (
        Farm.objects.filter(farm_scope_q(user=user))
        .filter(near)
        .exclude(status__in=[Farm.Status.WITHDRAWN, Farm.Status.REJECTED])
        .values_list("pk", "name_zh", "name_en", "latitude", "longitude", "status")
        .order_by("pk")[:MAP_FARMS_MAX]
    )
    return [
        [pk, (english and en) or zh, round(float(lat), 5), round(float(lng), 5), status]
        for pk, zh, en, lat, lng, status in rows
    ]


def flagged_rows(flagged: list[dict]) -> list[dict]:
    """The flagged farms as the map wants them: id and the innermost zone's kind."""
    return [{"id": f["farm"].pk, "zone": f["restriction"].zone.kind} for f in flagged]


class ZonesMixin(RuleRequiredMixin):
    permission_required = "surveillance.view_zones"
    nav_section = "reports"


class ZoneMapView(ZonesMixin, PageCacheMixin, TemplateView):
    """Every active zone as circles over the farms, and the flagged farms listed beside the map."""

    nav_section = "zone_map"
    template_name = "portal_ciq/surveillance/zone_map.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        zones = zone_map_data(user=user)
        flagged = flagged_farms_for_user(user=user)
        reports = list(report_list_for_user(user=user).filter(status=DiseaseReport.Status.CONFIRMED))
        by_report: dict[int, list] = {r.pk: [] for r in reports}
        for f in flagged:
            by_report.setdefault(f["restriction"].zone.report_id, []).append(f)
        for r in reports:
            r.flagged = by_report.get(r.pk, [])
        return super().get_context_data(
            reports=reports,
            flagged_total=len(flagged),
            map_data={
                **map_config(focus=self.request.GET.get("report", "")),
                "zones": zones,
                "farms": farms_around(user=user, zones=zones),
                "flagged": flagged_rows(flagged),
            },
            **kwargs,
        )


class ReportListView(ZonesMixin, TemplateView):
    """The outbreak reports, newest first, over a map of their zones (lifted ones faded)."""

    template_name = "portal_ciq/surveillance/report_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        scoped = report_list_for_user(user=user)
        filterset = ReportFilterSet(self.request.GET or None, queryset=scoped)
        reports = filterset.qs if filterset.is_bound and filterset.is_valid() else scoped
        page = paginate(self.request, reports, PER_PAGE)
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter=filterset,
            page_obj=page,
            reports=page.object_list,
            querystring=query.urlencode(),
            map_data={
                **map_config(fitAll=True),
                "zones": zone_map_data(user=user, include_lifted_days=LIFTED_SHOWN_DAYS),
            },
            **kwargs,
        )


class ReportCreateView(ZonesMixin, FormView):
    """A manager records a confirmed outbreak: its zones are drawn and the farms inside flagged at once."""

    permission_required = "surveillance.report_outbreaks"
    template_name = "portal_ciq/surveillance/report_form.html"
    form_class = ReportForm

    def get_initial(self):
        disease = Disease.objects.filter(code="asf", is_active=True).first()
        return {
            "disease": disease,
            "confirmed_on": timezone.localdate(),
            "source": DiseaseReport.Source.NATIONAL_BULLETIN,
            "radius_infected": disease.infected_radius_km if disease else "",
            "radius_surveillance": disease.surveillance_radius_km if disease else "",
        }

    def get_context_data(self, **kwargs):
        defaults = {
            d.pk: {"infected": str(d.infected_radius_km), "surveillance": str(d.surveillance_radius_km)}
            for d in Disease.objects.filter(is_active=True)
        }
        user = self.request.user
        zones = zone_map_data(user=user)
        return super().get_context_data(
            map_data={
                **map_config(
                    defaults=defaults,
                    countiesUrl=reverse("portal_ciq:surveillance_counties"),
                    chooseCounty=str(_("Choose a county…")),
                    picked=str(_("The outbreak")),
                ),
                "zones": zones,
            },
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            report = report_create(
                actor=self.request.user,
                disease=data["disease"],
                confirmed_on=data["confirmed_on"],
                source=data["source"],
                latitude=data["latitude"] or None,
                longitude=data["longitude"] or None,
                county_code=data["county_code"],
                place=data["place"],
                source_reference=data["source_reference"],
                notes=data["notes"],
                radii={
                    Zone.Kind.INFECTED: data["radius_infected"],
                    Zone.Kind.SURVEILLANCE: data["radius_surveillance"],
                },
                files=data["files"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            return self.form_invalid(form)
        messages.success(
            self.request, format_lazy(REPORTED, number=report.number, count=report.flagged_count)
        )
        return redirect("portal_ciq:report_detail", pk=report.pk)


class ReportDetailView(ZonesMixin, TemplateView):
    """One report: its zones, the farms they hold, its evidence, and lifting."""

    template_name = "portal_ciq/surveillance/report_detail.html"

    @cached_property
    def report(self) -> DiseaseReport:
        return report_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        user, report = self.request.user, self.report
        zones = zones_of_report(report=report)
        flagged = flagged_farms_for_user(user=user, report=report)
        shown = [z for z in zone_map_data(user=user, include_lifted_days=100_000) if z["report"] == report.pk]
        county = regions.county(report.county_code) if report.county_code else None
        return super().get_context_data(
            report=report,
            county=county,
            zones=zones,
            flagged=flagged,
            evidence=list(report.evidence.select_related("uploaded_by")),
            lift_form=LiftForm(),
            can_lift=user.has_perm("surveillance.report_outbreaks") and report.can("lift"),
            map_data={
                **map_config(focus=str(report.pk)),
                "zones": shown,
                "farms": farms_around(user=user, zones=shown),
                "flagged": flagged_rows(flagged),
            },
            **kwargs,
        )


class ReportLiftView(RuleRequiredMixin, View):
    """Lift a report (all its zones), or one zone of it, with the reason."""

    permission_required = "surveillance.report_outbreaks"

    def post(self, request, pk):
        report = report_get_for_user(user=request.user, pk=pk)
        form = LiftForm(request.POST)
        form.is_valid()
        data = form.cleaned_data
        zone = None
        if data.get("zone"):
            zone = get_object_or_404(Zone, pk=data["zone"], report=report)
        try:
            report_lift(actor=request.user, report=report, reason=data.get("reason", ""), zone=zone)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, format_lazy(ZONE_LIFTED, zone=zone.get_kind_display()) if zone else LIFTED
            )
        return redirect("portal_ciq:report_detail", pk=pk)


class ReportEvidenceView(ZonesMixin, View):
    """An evidence file of a report, served only to those who may read the report."""

    def get(self, request, pk, file_pk):
        report = report_get_for_user(user=request.user, pk=pk)
        evidence = get_object_or_404(report.evidence, pk=file_pk)
        try:
            handle = evidence.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle,
            as_attachment=False,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )
        response["Cache-Control"] = "private, no-store"
        return response


class CountiesView(ZonesMixin, View):
    """The counties of a province (?province=44), for the report form's county list."""

    permission_required = "surveillance.report_outbreaks"

    def get(self, request):
        counties = regions.counties_in(request.GET.get("province", ""))
        return JsonResponse(
            {
                "counties": [
                    {"code": c.code, "name": c.city_name + c.name, "lat": c.latitude, "lng": c.longitude}
                    for c in counties
                ]
            }
        )


class DiseaseListView(ZonesMixin, TemplateView):
    """The diseases of the bureau's list, with the zones and period a report of each draws by default."""

    nav_section = "diseases"
    template_name = "portal_ciq/surveillance/disease_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(diseases=list(disease_list()), **kwargs)


class DiseaseEditView(RuleRequiredMixin, FormView):
    """A manager adds a disease or changes its default zones and period."""

    nav_section = "diseases"
    permission_required = "surveillance.edit_diseases"
    template_name = "portal_ciq/surveillance/disease_form.html"
    form_class = DiseaseForm

    @cached_property
    def disease(self) -> Disease | None:
        pk = self.kwargs.get("pk")
        return get_object_or_404(Disease, pk=pk) if pk else None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.disease}

    def get_context_data(self, **kwargs):
        return super().get_context_data(disease=self.disease, **kwargs)

    def form_valid(self, form):
        data = {**form.cleaned_data, "species": "".join(form.cleaned_data["species"])}
        if self.disease is not None:
            data.pop("code", None)
        try:
            disease = disease_save(actor=self.request.user, disease=self.disease, data=data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, format_lazy(SAVED, disease=disease.name))
        return redirect("portal_ciq:disease_list")
