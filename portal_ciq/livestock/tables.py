"""The herd pages' tables: the farms with their herds, and one farm's animals."""

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from farms.models import Farm
from livestock.models import Animal
from portal_shared.tables import Table

NUMBER = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


class HerdTable(Table):
    name = tables.Column(
        verbose_name=_("Farm / enterprise"),
        order_by=("name_zh",),
        attrs={"td": {"style": "min-width: 13rem"}},
    )
    branch = tables.Column(
        verbose_name=_("Supervising branch"),
        accessor="branch__name",
        order_by="branch__code",
        attrs={"td": {"class": "small", "style": "min-width: 7rem"}},
    )
    on_farm = tables.Column(verbose_name=_("Head on farm"), attrs=NUMBER)
    withdrawing = tables.Column(verbose_name=_("In withdrawal"), attrs=NUMBER)
    deaths_30 = tables.Column(verbose_name=_("Deaths (30 days)"), attrs=NUMBER)
    open_alerts = tables.Column(
        verbose_name=_("Open alerts"), attrs={"td": {"class": "text-center"}, "th": {"class": "text-center"}}
    )

    class Meta:
        model = Farm
        fields = ["name", "branch", "on_farm", "withdrawing", "deaths_30", "open_alerts"]
        attrs = {"class": "table table-hover table-sm align-middle", "data-testid": "herd-table"}
        row_attrs = {"data-farm": lambda record: record.pk}
        per_page = 25
        empty_text = _("No farm keeps animals on record yet, or none matches these filters.")

    def render_name(self, value, record):
        return format_html(
            '<a class="fw-semibold text-decoration-none" data-testid="herd-link" href="{}">{}</a>'
            '<div class="small text-muted">{}</div>',
            reverse("portal_ciq:herd_farm", args=[record.pk]),
            value,
            record.enterprise.name,
        )

    def render_withdrawing(self, value):
        if not value:
            return "0"
        return format_html('<span class="badge text-bg-warning">{}</span>', value)

    def render_deaths_30(self, value):
        return format_html('<span class="{}">{}</span>', "text-danger fw-semibold" if value else "", value)

    def render_open_alerts(self, value):
        if not value:
            return format_html('<span class="text-muted">{}</span>', "—")
        return format_html('<span class="badge rounded-pill text-bg-danger">{}</span>', value)


def _animal_url(pk: int) -> str | None:
    # The animal page is written elsewhere: the table keeps working on an installation without it.
    try:
        return reverse("portal_ciq:animal_detail", args=[pk])
    except NoReverseMatch:
        return None


class AnimalTable(Table):
    # A render method, not a TemplateColumn: a template per cell costs more than the rest of the row.
    national_code = tables.Column(verbose_name=_("Ear tag"), order_by="national_code")
    rfid = tables.Column(verbose_name=_("RFID"), attrs={"td": {"class": "font-monospace small text-muted"}})
    sex = tables.Column(verbose_name=_("Sex"))
    breed = tables.Column(verbose_name=_("Breed"))
    birth_date = tables.DateColumn(
        verbose_name=_("Born"), format="Y-m-d", attrs={"td": {"class": "text-nowrap"}}
    )
    # Sorted by the pens' natural order (livestock.selectors.with_pen_rank), not by their text.
    pen = tables.Column(verbose_name=_("Pen"), order_by=("pen_rank", "national_code"))
    origin = tables.Column(verbose_name=_("Origin"))
    status = tables.Column(verbose_name=_("Status"))
    withdrawal_until = tables.Column(
        verbose_name=_("Withdrawal until"), attrs={"td": {"class": "text-nowrap"}}
    )

    class Meta:
        model = Animal
        fields = [
            "national_code",
            "rfid",
            "sex",
            "breed",
            "birth_date",
            "pen",
            "origin",
            "status",
            "withdrawal_until",
        ]
        attrs = {"class": "table table-hover table-sm align-middle", "data-testid": "animal-table"}
        row_attrs = {"data-animal": lambda record: record.pk}
        per_page = 25
        empty_text = _("No animals match these filters.")

    def render_national_code(self, value, record):
        href = _animal_url(record.pk)
        if href is None:
            return format_html('<span class="font-monospace">{}</span>', value)
        return format_html(
            '<a class="font-monospace text-decoration-none" data-testid="animal-link" href="{}">{}</a>',
            href,
            value,
        )

    def render_origin(self, value, record):
        # Farms supplying Hong Kong breed their own stock: anything else stands out.
        if record.origin_flagged:
            return format_html(
                '<span class="badge text-bg-warning" title="{}">{}</span>', record.origin_note, value
            )
        return value

    def render_status(self, value, record):
        css = {
            Animal.Status.ON_FARM: "text-bg-success",
            Animal.Status.DEAD: "text-bg-dark",
            Animal.Status.DISPOSED: "text-bg-secondary",
        }.get(record.status, "text-bg-info")
        return format_html('<span class="badge {}">{}</span>', css, value)

    def render_withdrawal_until(self, value):
        if value < timezone.localdate():
            return format_html('<span class="text-muted">{}</span>', date_format(value, "Y-m-d"))
        return format_html('<span class="badge text-bg-warning">{}</span>', date_format(value, "Y-m-d"))
