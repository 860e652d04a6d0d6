"""The inspector's herd pages: the farms' herds, one farm's herd, and banned-substance alerts."""

import datetime as dt
import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.models import Role, User
from farms.models import Farm
from livestock.models import LogAnimal, ProductionLog
from livestock.selectors import (
    alert_get_for_user,
    alert_list_for_user,
    animal_list_for_user,
    deaths_for_farm,
    farm_coverage,
    farm_herd_get_for_user,
    farms_with_herd_for_user,
    herd_counts,
    mortality_by_month,
    pens_of_farm,
    with_pen_rank,
    withdrawals_open,
)
from livestock.services.alerts import alert_handle
from livestock.services.records import SUBSTANCE_FIELDS

from .forms import AlertFilterForm, AlertHandleForm, AnimalFilterSet, HerdFilterSet
from .tables import AnimalTable, HerdTable

RECENT_DEATHS_DAYS = 30
WITHDRAWALS_SHOWN = 100  # a whole pen may be treated at once: the rest is in the animals table
DEATHS_SHOWN = 25
FARM_ALERTS_SHOWN = 20
ALERTS_PER_PAGE = 25
# Coverage at or above these is shown green, then amber; below, red.
COVERAGE_GOOD, COVERAGE_FAIR = 90, 70

HANDLED = _("The alert is handled; your note is kept with it.")


def herds_for_user(*, user: User) -> QuerySet[Farm]:
    """The user's farms with herds, with recent deaths and open alerts counted in the same query."""
    since = timezone.localdate() - dt.timedelta(days=RECENT_DEATHS_DAYS)
    open_alerts = (
        alert_list_for_user(user=user)
        .filter(farm=OuterRef("pk"), handled_at__isnull=True)
        .order_by()
        .values("farm")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return farms_with_herd_for_user(user=user).annotate(
        deaths_30=Count("animals", filter=Q(animals__died_on__gte=since)),
        open_alerts=Coalesce(Subquery(open_alerts, output_field=IntegerField()), 0),
    )


# An alert keeps what was typed as "product: …; active_substance: …" (livestock.services.records).
EVIDENCE_SPLIT = re.compile(r"(?:^|; )({}): ".format("|".join(SUBSTANCE_FIELDS)))


def evidence(alert) -> list[tuple[str, str]]:
    """What the clerk typed, field by field, with the fields' names in the reader's language."""
    parts = EVIDENCE_SPLIT.split(alert.entered)
    if len(parts) < 3 or parts[0]:
        return [("", alert.entered)]
    return [
        (ProductionLog._meta.get_field(name).verbose_name, value)
        for name, value in zip(parts[1::2], parts[2::2], strict=True)
    ]


def with_evidence(alerts) -> list:
    alerts = list(alerts)
    for alert in alerts:
        alert.evidence = evidence(alert)
    return alerts


def alerts_unhandled_first(qs):
    return qs.select_related("branch").order_by(
        F("handled_at").desc(nulls_first=True), "-attempted_at", "-pk"
    )


class HerdAccessMixin(RuleRequiredMixin):
    permission_required = "livestock.see_herds"
    nav_section = "herds"


class HerdListView(HerdAccessMixin, SingleTableMixin, FilterView):
    """The farms in the user's scope that keep a herd: head count, withdrawals, deaths, alerts."""

    template_name = "portal_ciq/livestock/herd_list.html"
    table_class = HerdTable
    filterset_class = HerdFilterSet

    def get_queryset(self):
        return herds_for_user(user=self.request.user)

    def get_table_kwargs(self):
        # An inspector's farms are the own branch's: the column would repeat one name.
        return {"exclude": ("branch",)} if self.request.user.role == Role.INSPECTOR else {}


def coverage_class(percent: int | None) -> str:
    if percent is None:
        return "cov-none"
    if percent >= COVERAGE_GOOD:
        return "cov-good"
    return "cov-fair" if percent >= COVERAGE_FAIR else "cov-poor"


def coverage_table(*, farm: Farm) -> dict:
    """Rows of pens by columns of programme items, each cell a percentage and its colour."""
    requirements, pens = farm_coverage(farm=farm)

    def cell(covered: int, due: int) -> dict:
        percent = round(100 * covered / due) if due else None
        return {"percent": percent, "covered": covered, "due": due, "css": coverage_class(percent)}

    rows = [
        {
            "pen": pen.pen,
            "animals": pen.animals,
            "cells": [cell(pen.covered.get(r.pk, 0), pen.due.get(r.pk, 0)) for r in requirements],
        }
        for pen in pens
    ]
    total = [
        cell(sum(p.covered.get(r.pk, 0) for p in pens), sum(p.due.get(r.pk, 0) for p in pens))
        for r in requirements
    ]
    return {"requirements": requirements, "rows": rows, "total": total}


def open_withdrawals(*, farm: Farm) -> list:
    """The animals in withdrawal, each with the medication that set its end day."""
    animals = list(withdrawals_open(farm=farm)[:WITHDRAWALS_SHOWN])
    links = (
        LogAnimal.objects.filter(
            animal__in=animals,
            log__kind=ProductionLog.Kind.MEDICATION,
            log__withdrawal_until__isnull=False,
        )
        .select_related("log")
        .order_by("log__withdrawal_until", "log__occurred_on", "log_id")
    )
    latest = {}
    for link in links:  # ordered: the last one seen ends the animal's withdrawal
        latest[link.animal_id] = link.log
    today = timezone.localdate()
    for animal in animals:
        animal.withdrawal_log = latest.get(animal.pk)
        animal.days_left = (animal.withdrawal_until - today).days
    return animals


class HerdFarmView(HerdAccessMixin, TemplateView):
    """One farm's herd as its inspector sees it."""

    template_name = "portal_ciq/livestock/herd_farm.html"

    @cached_property
    def farm(self) -> Farm:
        return farm_herd_get_for_user(user=self.request.user, pk=self.kwargs["farm_pk"])

    def get_context_data(self, **kwargs):
        farm, user, request = self.farm, self.request.user, self.request
        pens = pens_of_farm(farm=farm)
        animals = AnimalFilterSet(
            request.GET or None,
            queryset=with_pen_rank(animal_list_for_user(user=user, farm=farm), farm=farm),
            pens=[p["name"] for p in pens],
        )
        table = AnimalTable(animals.qs if animals.is_bound and animals.is_valid() else animals.queryset)
        RequestConfig(request).configure(table)
        counts = herd_counts(farm=farm)
        deaths = list(deaths_for_farm(farm=farm)[:DEATHS_SHOWN])
        farm_alerts = alert_list_for_user(user=user).filter(farm=farm)
        alerts = with_evidence(alerts_unhandled_first(farm_alerts)[:FARM_ALERTS_SHOWN])
        return super().get_context_data(
            farm=farm,
            counts=counts,
            filter=animals,
            table=table,
            withdrawals=open_withdrawals(farm=farm),
            withdrawals_more=max(0, counts["withdrawing"] - WITHDRAWALS_SHOWN),
            coverage=coverage_table(farm=farm),
            deaths=[(log, [link.animal for link in log.links.all()]) for log in deaths],
            alerts=alerts,
            alerts_open=farm_alerts.filter(handled_at__isnull=True).count(),
            mortality=mortality_by_month(farm=farm),
            chart_labels={
                "deaths": str(_("Deaths")),
                "rate": str(_("Mortality rate (%)")),
                "head": str(_("Head at the start of the month")),
                "empty": str(_("No deaths in the last 12 months.")),
            },
            coverage_good=COVERAGE_GOOD,
            coverage_fair=COVERAGE_FAIR,
            today=timezone.localdate(),
            **kwargs,
        )


class AlertListView(RuleRequiredMixin, TemplateView):
    """Banned-substance alerts of the user's branch (all, for a manager), unhandled first."""

    permission_required = "livestock.handle_alerts"
    nav_section = "alerts"
    template_name = "portal_ciq/livestock/alert_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        form = AlertFilterForm(self.request.GET or None)
        scoped = alert_list_for_user(user=user)
        alerts = scoped
        if form.is_valid():
            state, text = form.cleaned_data["state"], form.cleaned_data["q"].strip()
            if state:
                alerts = alerts.filter(handled_at__isnull=state == "open")
            if text:
                alerts = alerts.filter(
                    Q(farm__name_zh__icontains=text)
                    | Q(farm__name_en__icontains=text)
                    | Q(enterprise__name_zh__icontains=text)
                    | Q(enterprise__name_en__icontains=text)
                )
        page = Paginator(alerts_unhandled_first(alerts), ALERTS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=form,
            page_obj=page,
            paginator=page.paginator,
            alerts=with_evidence(page.object_list),
            querystring=query.urlencode(),
            show_branch=user.role != Role.INSPECTOR,
            **kwargs,
        )


class AlertHandleView(RuleRequiredMixin, View):
    """Close an alert with what was done about it."""

    permission_required = "livestock.handle_alerts"

    def post(self, request, pk):
        alert = alert_get_for_user(user=request.user, pk=pk)
        form = AlertHandleForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return self._back(request)
        try:
            alert_handle(actor=request.user, alert=alert, note=form.cleaned_data["note"])
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, HANDLED)
        return self._back(request)

    def _back(self, request):
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("portal_ciq:alert_list")
