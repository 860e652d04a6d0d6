"""The farm registry's filters: one FilterSet serves the HTML list and the Excel export."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.forms import StyledForm
from accounts.models import Organisation, Role
from farms.models import CreditGradePolicy, Farm, Species
from farms.places import province_choices


class BranchFarmFilterSet(django_filters.FilterSet):
    """What every bureau list of farms filters by: a search and the supervising branch (shown to
    those who see more than one branch). The farm registry and the herd list build on it."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    branch = django_filters.ModelChoiceFilter(
        label=_("Supervising branch"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.CIQ_BRANCH).order_by("code"),
        empty_label=_("All"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.role == Role.INSPECTOR:
            # An inspector sees only the own branch's farms: the choice would be noise.
            self.filters.pop("branch")

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name_zh__icontains=value)
            | Q(name_en__icontains=value)
            | Q(registration_number__icontains=value)
            | Q(enterprise__name_zh__icontains=value)
            | Q(enterprise__name_en__icontains=value)
        )


class FarmFilterSet(BranchFarmFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Farm.Status.choices, empty_label=_("All"))
    species = django_filters.ChoiceFilter(label=_("Species"), choices=Species.choices, empty_label=_("All"))
    province = django_filters.ChoiceFilter(
        label=_("Province"), choices=province_choices, empty_label=_("All"), method="in_province"
    )
    credit_grade = django_filters.ChoiceFilter(
        label=_("Credit grade"), choices=CreditGradePolicy.Grade.choices, empty_label=_("All")
    )

    class Meta:
        model = Farm
        fields = ["q", "status", "species", "branch", "province", "credit_grade"]
        form = StyledForm

    def in_province(self, queryset, name, value):
        # The first two digits of a GB/T 2260 county code are its province's.
        return queryset.filter(county_code__startswith=value)
