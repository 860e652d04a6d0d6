"""The inspector's herd pages: the farms' herds and one farm's herd (alerts are the alerts centre's)."""

import datetime as dt
import re

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView, TemplateView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from accounts.access import RuleRequiredMixin
from accounts.models import Role, User
from accounts.pagecache import PageCacheMixin
from farms.models import Farm
from livestock.models import Animal, LogAnimal, ProductionLog
from livestock.selectors import (
    GONE,
    animal_list_for_user,
    deaths_for_farm,
    farm_coverage,
    farm_herd_get_for_user,
    farms_with_herd_for_user,
    herd_counts,
    mortality_by_month,
    pens_of_farm,
    substance_attempts_for_user,
    with_pen_rank,
    withdrawals_open,
)
from livestock.services.records import SUBSTANCE_FIELDS
from surveillance.models import Alert
from surveillance.selectors import alert_list_for_user

from .forms import AnimalFilterSet, HerdFilterSet
from .tables import AnimalTable, HerdTable

RECENT_DEATHS_DAYS = 30
WITHDRAWALS_SHOWN = 100  # a whole pen may be treated at once: the rest is in the animals table
DEATHS_SHOWN = 25
FARM_ALERTS_SHOWN = 20
# Coverage at or above these is shown green, then amber; below, red.
COVERAGE_GOOD, COVERAGE_FAIR = 90, 70


def herds_for_user(*, user: User) -> QuerySet[Farm]:
    """The user's farms with herds, with recent deaths and open alerts counted in the same query."""
    since = timezone.localdate() - dt.timedelta(days=RECENT_DEATHS_DAYS)
    open_alerts = (
        alert_list_for_user(user=user)
        .filter(farm=OuterRef("pk"), state__in=Alert.OPEN)
        .order_by()
        .values("farm")
        .annotate(n=Count("pk"))
        .values("n")
    )
    deaths = (
        Animal.objects.filter(farm=OuterRef("pk"), status__in=GONE, died_on__gte=since)
        .order_by()
        .values("farm")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return farms_with_herd_for_user(user=user).annotate(
        deaths_30=Coalesce(Subquery(deaths, output_field=IntegerField()), 0),
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


def attempts_open_first(qs):
    """Attempts whose alert is still open first, newest first within each."""
    return qs.order_by(F("alert__closed_at").desc(nulls_first=True), "-attempted_at", "-pk")


class HerdAccessMixin(RuleRequiredMixin):
    permission_required = "livestock.see_herds"
    nav_section = "herds"


class HerdListView(HerdAccessMixin, PageCacheMixin, SingleTableMixin, FilterView):
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


class HerdFarmView(HerdAccessMixin, PageCacheMixin, TemplateView):
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
            queryset=with_pen_rank(animal_list_for_user(user=user, farm=farm), farm=farm, pens=pens),
            pens=[p["name"] for p in pens],
        )
        table = AnimalTable(animals.qs if animals.is_bound and animals.is_valid() else animals.queryset)
        RequestConfig(request).configure(table)
        counts = herd_counts(farm=farm)
        deaths = list(deaths_for_farm(farm=farm)[:DEATHS_SHOWN])
        attempts = substance_attempts_for_user(user=user).filter(farm=farm)
        alerts = with_evidence(attempts_open_first(attempts)[:FARM_ALERTS_SHOWN])
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
            alerts_open=alert_list_for_user(user=user).filter(farm=farm, state__in=Alert.OPEN).count(),
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


class AlertListView(RuleRequiredMixin, RedirectView):
    """The old list of banned-substance alerts: they live in the alerts centre now."""

    permission_required = "livestock.handle_alerts"

    def get_redirect_url(self, *args, **kwargs):
        query = QueryDict(mutable=True)
        query["kind"] = Alert.Kind.BANNED_SUBSTANCE
        if self.request.GET.get("state") == "open":
            query["state"] = "open"
        return f"{reverse('portal_ciq:alert_centre')}?{query.urlencode()}"
