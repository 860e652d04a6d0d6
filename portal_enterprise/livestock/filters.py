"""Filters of the herd pages: the animals of a farm, production records, the ear-tag stock."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledForm
from livestock.models import Animal, EarTag
from livestock.pens import pen_sort_key
from livestock.services.cells import CellError, tag, tag_key
from livestock.services.common import farm_pens

ON_FARM = "here"
ALL = "all"


def tag_search(queryset, value: str, prefix: str = ""):
    """A tag in any form a reader prints finds its animal exactly; part of a number, by digits."""
    value = (value or "").strip()
    if not value:
        return queryset
    try:
        key, code = tag_key(tag(value))
        return queryset.filter(**{f"{prefix}{key}": code})
    except CellError:
        digits = "".join(value.split())
        return queryset.filter(
            Q(**{f"{prefix}national_code__contains": digits}) | Q(**{f"{prefix}rfid__contains": digits})
        )


class AnimalFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Tag"), method="search")
    pen = django_filters.ChoiceFilter(label=_("Pen"), empty_label=_("All pens"))
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        method="in_status",
        empty_label=None,
        choices=[(ON_FARM, _("On the farm")), (ALL, _("All")), *Animal.Status.choices],
    )
    withdrawal = django_filters.ChoiceFilter(
        label=_("Withdrawal period"),
        method="in_withdrawal",
        empty_label=_("Any"),
        choices=[("yes", _("In withdrawal: not for export")), ("no", _("Not in withdrawal"))],
    )
    origin = django_filters.ChoiceFilter(
        label=_("Origin"),
        method="of_origin",
        empty_label=_("Any"),
        choices=[("flagged", _("Flagged: not self-bred")), *Animal.Origin.choices],
    )

    class Meta:
        model = Animal
        fields = ["q", "pen", "status", "withdrawal", "origin"]
        form = StyledForm

    def __init__(self, data=None, *args, farm, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("status", ON_FARM)
        super().__init__(data, *args, **kwargs)
        pens = farm_pens(farm)
        used = self.queryset.order_by().values_list("pen", flat=True).distinct() if not pens else []
        self.filters["pen"].extra["choices"] = [
            (p, p) for p in (pens or sorted((p for p in used if p), key=pen_sort_key))
        ]
        self.form.fields["q"].widget.attrs.update(
            {
                "placeholder": _("Scan or type a tag"),
                "data-scan": "1",
                "autocomplete": "off",
                "class": "form-control font-monospace",
            }
        )

    def search(self, queryset, name, value):
        return tag_search(queryset, value)

    def in_status(self, queryset, name, value):
        if value == ON_FARM:
            return queryset.filter(status__in=Animal.ON_FARM)
        if value == ALL:
            return queryset
        return queryset.filter(status=value)

    def in_withdrawal(self, queryset, name, value):
        running = Q(withdrawal_until__gte=timezone.localdate())
        return queryset.filter(running) if value == "yes" else queryset.exclude(running)

    def of_origin(self, queryset, name, value):
        if value == "flagged":
            return queryset.exclude(origin=Animal.Origin.SELF_BRED)
        return queryset.filter(origin=value)


class TagFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Tag"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=EarTag.Status.choices, empty_label=_("All")
    )
    species = django_filters.ChoiceFilter(label=_("Species"), empty_label=_("All"))

    class Meta:
        model = EarTag
        fields = ["q", "status", "species"]
        form = StyledForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from farms.models import Species

        self.filters["species"].extra["choices"] = Species.choices
        self.form.fields["q"].widget.attrs.update(
            {
                "placeholder": _("Scan or type a tag"),
                "data-scan": "1",
                "autocomplete": "off",
                "class": "form-control font-monospace",
            }
        )

    def search(self, queryset, name, value):
        return tag_search(queryset, value)
