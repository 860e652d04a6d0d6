"""The farm registry as a django-tables2 table."""

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from farms.models import Farm
from farms.places import county_label, county_short
from portal_shared.tables import Table


class FarmTable(Table):
    registration_number = tables.Column(
        verbose_name=_("Registration number"), attrs={"td": {"class": "font-monospace text-nowrap"}}
    )
    # The enterprise goes under the farm's name: the registry is wide enough as it is.
    name = tables.Column(
        verbose_name=_("Farm / enterprise"),
        order_by=("name_zh",),
        attrs={"td": {"style": "min-width: 13rem"}},
    )
    species = tables.Column(verbose_name=_("Species"))
    capacity = tables.Column(
        verbose_name=_("Capacity"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    county_code = tables.Column(verbose_name=_("County"), attrs={"td": {"class": "text-nowrap"}})
    branch = tables.Column(
        verbose_name=_("Supervising branch"),
        accessor="branch__name",
        order_by="branch__code",
        attrs={"td": {"class": "small", "style": "min-width: 7rem"}},
    )
    status = tables.Column(verbose_name=_("Status"), attrs={"td": {"class": "text-nowrap"}})
    credit_grade = tables.Column(verbose_name=_("Credit grade"), attrs={"td": {"class": "text-center"}})
    valid_until = tables.DateColumn(
        verbose_name=_("Valid until"), format="Y-m-d", attrs={"td": {"class": "text-nowrap"}}
    )

    class Meta:
        model = Farm
        fields = [
            "registration_number",
            "name",
            "species",
            "capacity",
            "county_code",
            "branch",
            "status",
            "credit_grade",
            "valid_until",
        ]
        attrs = {"class": "table table-hover table-sm align-middle", "data-testid": "farm-table"}
        row_attrs = {"data-farm": lambda record: record.pk}
        per_page = 25
        empty_text = _("No farms match these filters.")

    def render_name(self, value, record):
        return format_html(
            '<a class="fw-semibold text-decoration-none" data-testid="farm-link" href="{}">{}</a>'
            '<div class="small text-muted">{}</div>',
            reverse("portal_ciq:farm_detail", args=[record.pk]),
            value,
            record.enterprise.name,
        )

    def render_valid_until(self, value):
        if value is None:
            return "—"
        # A date in the past is an expired registration: say so at a glance.
        css = "text-danger" if value < timezone.localdate() else ""
        return format_html('<span class="{}">{}</span>', css, date_format(value, "Y-m-d"))

    def render_registration_number(self, value):
        return value or "—"

    def render_capacity(self, value):
        return f"{value:,}"

    def render_county_code(self, value):
        return format_html('<span title="{} ({})">{}</span>', county_label(value), value, county_short(value))

    def render_status(self, record):
        badge = render_to_string("farms/status_badge.html", {"farm": record})
        if getattr(record, "restricted", False):
            badge += render_to_string("surveillance/_restricted_badge.html", {"restricted": True})
        return badge

    def render_credit_grade(self, value):
        return format_html('<span class="credit-grade credit-grade-{0}">{0}</span>', value)
