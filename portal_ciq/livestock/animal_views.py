"""The bureau's page of one animal (its individual record) and the tag look-up that leads to it.

The page body is the enterprise portal's (templates/livestock/_record.html): one record, read the
same on both sides; only the frame around it is the bureau's.
"""

from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views.generic import TemplateView

from accounts.access import RuleRequiredMixin
from accounts.pagecache import PageCacheMixin
from livestock.selectors import (
    animal_find_for_user,
    animal_get_for_user,
    animal_record,
)


class BureauAnimalMixin(RuleRequiredMixin):
    # Inspectors see the animals of the farms their branch supervises, managers all of them
    # (livestock.selectors decides which; outside them a page is a 404).
    permission_required = "livestock.see_herds"
    nav_section = "herds"


def herd_url(farm_id: int) -> str:
    """The bureau's page of the farm's herd (empty while that page does not exist)."""
    try:
        return reverse("portal_ciq:herd_farm", kwargs={"farm_pk": farm_id})
    except NoReverseMatch:
        return ""


class AnimalDetailView(BureauAnimalMixin, PageCacheMixin, TemplateView):
    """One animal's individual record: tags, farm, coverage, the production records
    (``?logs_page=``) and the events in time order (``?events_page=``), each a page at a time."""

    template_name = "portal_ciq/livestock/animal_record.html"

    def get_context_data(self, **kwargs):
        animal = animal_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        context = super().get_context_data(**kwargs)
        context.update(
            animal_record(
                animal=animal,
                newest_first=self.request.GET.get("order") == "newest",
                events_page=self.request.GET.get("events_page"),
                logs_page=self.request.GET.get("logs_page"),
            )
        )
        context["farm_url"] = herd_url(animal.farm_id)
        return context


class AnimalFindView(BureauAnimalMixin, TemplateView):
    """Scan or type a tag (any form, current or former) and go to its animal, or say it is unknown."""

    template_name = "portal_ciq/livestock/animal_find.html"

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "").strip()
        if query:
            animal = animal_find_for_user(user=request.user, text=query)
            if animal is not None:
                return redirect("portal_ciq:animal_detail", pk=animal.pk)
        return super().get(request, *args, query=query, **kwargs)
