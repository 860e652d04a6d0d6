import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledForm
from accounts.models import Organisation


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Organisation.Kind.choices, empty_label=_("All")
    )
    province = django_filters.CharFilter(label=_("Province"), lookup_expr="icontains")

    class Meta:
        model = Organisation
        fields = ["q", "kind", "province"]
        form = StyledForm

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name_zh__icontains=value)
            | Q(name_en__icontains=value)
            | Q(code__icontains=value)
            | Q(credit_code__icontains=value)
        )
