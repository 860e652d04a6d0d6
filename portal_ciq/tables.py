import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from portal_shared.tables import Table


class OrganisationTable(Table):
    name_zh = tables.LinkColumn(
        "portal_ciq:organisation_detail", args=[tables.A("pk")], verbose_name=_("Name")
    )
    name_en = tables.Column(verbose_name=_("English name"))
    kind = tables.Column(verbose_name=_("Kind"))
    branch = tables.Column(
        verbose_name=_("Supervising branch"), accessor="branch__name", order_by="branch__name_zh"
    )
    province = tables.Column(verbose_name=_("Province"))
    people = tables.Column(verbose_name=_("People"), accessor="people_count", orderable=True)
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = Organisation
        fields = ["name_zh", "name_en", "kind", "branch", "province", "people", "is_active"]
        attrs = {"class": "table table-hover align-middle"}
        per_page = 25
