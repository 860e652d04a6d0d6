"""What every herd page shares: who may open it, the farm it is about, and the individual record."""

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import format_lazy

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from farms.models import Farm
from farms.selectors import farm_list_for_user
from livestock.models import Animal, AnimalImport, ProductionLog
from livestock.selectors import (
    farm_herd_get_for_user,
)
from livestock.services.common import HERD_STATUSES, NO_HERD_YET

READ = ("portal_enterprise.access", "livestock.see_animals")
WRITE = ("portal_enterprise.access", "livestock.keep_records")


class HerdMixin(RuleRequiredMixin):
    """A page of the enterprise's herd; the objects come through the user's selectors (404 outside)."""

    permission_required = READ
    nav_section = "herd"


class FarmMixin(HerdMixin):
    """A page about one farm's herd (``farm_pk`` in the URL)."""

    @cached_property
    def farm(self) -> Farm:
        # Looked up after the rule check, so a visitor who is not logged in is sent to log in.
        return farm_herd_get_for_user(user=self.request.user, pk=self.kwargs["farm_pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            farm=self.farm, keeps_herd=self.farm.status in HERD_STATUSES, **kwargs
        )


class KeeperMixin(FarmMixin):
    """A page that writes to a farm's herd: only for a farm that keeps one (else back to the herd)."""

    permission_required = WRITE

    def dispatch(self, request, *args, **kwargs):
        if self.has_permission() and self.farm.status not in HERD_STATUSES:
            farm = self.farm
            messages.error(
                request, format_lazy(NO_HERD_YET, farm=farm.name, status=farm.get_status_display())
            )
            return redirect("portal_enterprise:herd_farm", farm_pk=farm.pk)
        return super().dispatch(request, *args, **kwargs)


def refuse(form, exc: DomainError) -> None:
    """Put a service's refusal beside the field it names (or above the form)."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


def herd_farms_for_user(*, user) -> QuerySet[Farm]:
    """The user's farms that keep a herd, with their head counts (farms with none yet included)."""
    today = timezone.localdate()
    return (
        farm_list_for_user(user=user)
        .filter(status__in=HERD_STATUSES)
        .annotate(
            on_farm=Count("animals", filter=Q(animals__status__in=Animal.ON_FARM)),
            withdrawing=Count(
                "animals", filter=Q(animals__status__in=Animal.ON_FARM, animals__withdrawal_until__gte=today)
            ),
            flagged=Count(
                "animals",
                filter=Q(animals__status__in=Animal.ON_FARM) & ~Q(animals__origin=Animal.Origin.SELF_BRED),
            ),
            dead=Count("animals", filter=Q(animals__status__in=[Animal.Status.DEAD, Animal.Status.DISPOSED])),
        )
        .order_by("name_zh")
    )


def import_get_for_user(*, user, pk: int) -> AnimalImport:
    farms = farm_list_for_user(user=user).values("pk")
    return get_object_or_404(
        AnimalImport.objects.select_related("farm", "uploaded_by"), pk=pk, farm__in=farms
    )


def log_get_for_user(*, user, pk: int) -> ProductionLog:
    farms = farm_list_for_user(user=user).values("pk")
    return get_object_or_404(
        ProductionLog.objects.select_related("farm", "recorded_by", "requirement"), pk=pk, farm__in=farms
    )
