"""The credit table of the bureau: every enterprise in scope with its rating in force."""

import django_tables2 as tables
from django.db.models import F
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from portal_shared.tables import Table


class NullsLastColumn(tables.Column):
    """A column over an annotation where "never rated" sorts after every rated enterprise."""

    def order(self, queryset, is_descending):
        field = F(self.accessor.replace(".", "__"))
        key = field.desc(nulls_last=True) if is_descending else field.asc(nulls_last=True)
        return queryset.order_by(key, "name_zh"), True


class CreditTable(Table):
    grade = NullsLastColumn(verbose_name=_("Grade"), empty_values=(), attrs={"td": {"class": "text-center"}})
    name_zh = tables.LinkColumn(
        "portal_ciq:credit_detail", args=[tables.A("pk")], verbose_name=_("Enterprise"), text=lambda r: r.name
    )
    branch = tables.Column(
        verbose_name=_("Supervising branch"), accessor="branch__name", order_by="branch__name_zh"
    )
    score = NullsLastColumn(verbose_name=_("Score"), attrs={"td": {"class": "text-end fw-semibold"}})
    sampling_percent = NullsLastColumn(verbose_name=_("Sampling ratio"), attrs={"td": {"class": "text-end"}})
    finding_count = tables.Column(
        verbose_name=_("Findings in the window"), attrs={"td": {"class": "text-end"}}
    )
    computed_at = NullsLastColumn(verbose_name=_("Last computed"))

    class Meta:
        model = Organisation
        fields = ["grade", "name_zh", "branch", "score", "sampling_percent", "finding_count", "computed_at"]
        attrs = {"class": "table table-hover align-middle", "data-testid": "credit-table"}
        row_attrs = {"data-enterprise": lambda record: record.code}
        per_page = 50
        empty_text = _("No enterprises in your scope.")

    def render_grade(self, value):
        return render_to_string("portal_ciq/supervision/grade_badge.html", {"grade": value})

    def render_sampling_percent(self, value):
        return f"{value} %"

    def render_computed_at(self, value):
        return date_format(localtime(value), "SHORT_DATETIME_FORMAT")
