"""The bureau portal: home with the map of the chain, organisations, and the audit trail."""

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from accounts.access import RuleRequiredMixin
from accounts.models import Organisation
from accounts.pagecache import PageCacheMixin
from accounts.selectors import (
    organisation_list_for_user,
    organisation_map_points_for_user,
    user_list_for_user,
)
from farms.selectors import farm_summary_for_user
from surveillance.selectors import alert_counts_for_user, zone_map_data

from .filters import OrganisationFilterSet
from .forms import HistoryFilterForm
from .history import audited_model, audited_models, recent_changes, record_changes
from .tables import OrganisationTable

# Each kind of organisation as counted on the home page: "1 port", "6 ports" (the kinds'
# own labels are singular).
KIND_COUNTED = {
    Organisation.Kind.ENTERPRISE: lambda n: npgettext("counted", "Enterprise", "Enterprises", n),
    Organisation.Kind.CIQ_BRANCH: lambda n: npgettext("counted", "CIQ branch", "CIQ branches", n),
    Organisation.Kind.PORT: lambda n: npgettext("counted", "Port", "Ports", n),
    Organisation.Kind.WAREHOUSE: lambda n: npgettext("counted", "Transit warehouse", "Transit warehouses", n),
    Organisation.Kind.LABORATORY: lambda n: npgettext("counted", "Laboratory", "Laboratories", n),
    Organisation.Kind.HEAD_OFFICE: lambda n: npgettext(
        "counted", "Bureau head office", "Bureau head offices", n
    ),
}


class BureauMixin(RuleRequiredMixin):
    permission_required = "portal_ciq.access"


class HomeView(BureauMixin, PageCacheMixin, TemplateView):
    nav_section = "home"
    template_name = "portal_ciq/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        by_kind = dict(
            organisation_list_for_user(user=user)
            .filter(is_active=True)
            .values_list("kind")
            .annotate(n=Count("pk"))
            .order_by()
        )
        kinds = [
            (value, KIND_COUNTED[value](by_kind.get(value, 0)), by_kind.get(value, 0))
            for value in Organisation.Kind.values
        ]
        alerts = alert_counts_for_user(user=user)
        self.request._open_alert_count = alerts["open"]  # the navigation's badge reads it
        return super().get_context_data(
            organisation=user.organisation,
            kinds=kinds,
            map_points=organisation_map_points_for_user(user=user),
            farms=farm_summary_for_user(user=user),
            alerts=alerts,
            zones_data={"zones": zone_map_data(user=user)},
            colleagues=user_list_for_user(user=user).filter(
                organisation_id=user.organisation_id, is_active=True
            ),
            **kwargs,
        )


class OrganisationListView(BureauMixin, SingleTableMixin, FilterView):
    nav_section = "organisations"
    template_name = "portal_ciq/organisation_list.html"
    table_class = OrganisationTable
    filterset_class = OrganisationFilterSet

    def get_queryset(self):
        return organisation_list_for_user(user=self.request.user).annotate(
            people_count=Count("users", filter=Q(users__is_active=True))
        )


class OrganisationDetailView(BureauMixin, DetailView):
    nav_section = "organisations"
    template_name = "portal_ciq/organisation_detail.html"
    context_object_name = "org"

    def get_queryset(self):
        return organisation_list_for_user(user=self.request.user)

    def get_context_data(self, **kwargs):
        org = self.object
        return super().get_context_data(
            people=user_list_for_user(user=self.request.user)
            .filter(organisation=org)
            .order_by("-is_active", "role"),
            enterprises=organisation_list_for_user(user=self.request.user).filter(branch=org)
            if org.kind == Organisation.Kind.CIQ_BRANCH
            else None,
            map_points=[
                p for p in organisation_map_points_for_user(user=self.request.user) if p["id"] == org.pk
            ],
            **kwargs,
        )


class HistoryListView(RuleRequiredMixin, TemplateView):
    """The newest changes to any audited record, filterable by kind of record, person and date."""

    nav_section = "audit"
    permission_required = "accounts.view_history"
    template_name = "portal_ciq/history_list.html"

    def get_context_data(self, **kwargs):
        form = HistoryFilterForm(self.request.GET or None, models=audited_models())
        filters = form.cleaned_data if form.is_valid() else {}
        model = audited_model(filters["model"]) if filters.get("model") else None
        return super().get_context_data(
            form=form,
            records=recent_changes(
                model=model,
                user_id=filters.get("user") and filters["user"].pk,
                since=filters.get("since"),
                seeded=bool(filters.get("seeded")),
            ),
            **kwargs,
        )


class HistoryDetailView(RuleRequiredMixin, TemplateView):
    """Every version of one record, oldest first, with who changed what, when and why."""

    nav_section = "audit"
    permission_required = "accounts.view_history"
    template_name = "portal_ciq/history_detail.html"

    def get_context_data(self, **kwargs):
        model = audited_model(self.kwargs["model"])
        records = list(
            model.history.filter(**{model._meta.pk.attname: self.kwargs["pk"]})
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        if not records:
            raise Http404(_("This record has no history."))
        current = model._default_manager.filter(pk=self.kwargs["pk"]).first()
        return super().get_context_data(
            model_name=model._meta.verbose_name,
            label=model._meta.label_lower,
            current=current,
            title=str(current or records[-1]),
            versions=list(reversed(record_changes(records))),
            **kwargs,
        )
