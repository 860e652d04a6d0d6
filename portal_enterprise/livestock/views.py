"""The enterprise's herd: its farms, the animals of a farm, one animal's record and its changes."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView, TemplateView

from accounts.errors import DomainError
from accounts.pagecache import PageCacheMixin
from accounts.params import ClampedPageMixin
from farms.selectors import farm_list_for_user
from livestock.models import Animal, EarTag, ProductionLog
from livestock.selectors import (
    animal_find_for_user,
    animal_get_for_user,
    animal_list_for_user,
    animal_record,
    farm_coverage,
    herd_counts,
    pens_of_farm,
    tag_list_for_user,
    with_pen_rank,
)
from livestock.services.animals import animal_register, animal_retag, animal_update
from livestock.services.common import HERD_STATUSES

from .common import WRITE, FarmMixin, HerdMixin, KeeperMixin, herd_farms_for_user, refuse
from .filters import AnimalFilterSet
from .forms import ICONS, REASONS, AnimalEditForm, AnimalForm, RetagForm

REGISTERED = _("Registered {code}.")
REGISTERED_IN_PEN = _("Registered {code} in {pen}.")
UPDATED = _("The details of {code} have been saved.")
RETAGGED = _("{old} has been replaced by {new}; the old tag stays in the animal's record.")
# The fields that stay filled in after "register and next": the next animal is usually alike.
STICKY = ("sex", "breed", "birth_date", "entry_date", "pen", "origin", "origin_note")
GO = {"records": "portal_enterprise:log_list", "quick": "portal_enterprise:quick_entry"}


def record_kinds():
    """The kinds of production record with their icons, for the "new record" menus."""
    return [(k, label, ICONS[k]) for k, label in ProductionLog.Kind.choices]


class HerdHomeView(HerdMixin, TemplateView):
    """The farms that keep a herd, with head counts; the way in to records, quick entry and tags."""

    template_name = "portal_enterprise/livestock/herd_home.html"

    @property
    def nav_section(self):
        return {"records": "herd_records", "quick": "herd_quick"}.get(self.request.GET.get("go"), "herd")

    def get(self, request, *args, **kwargs):
        go = request.GET.get("go")
        if go in GO:
            farms = list(herd_farms_for_user(user=request.user).values_list("pk", flat=True)[:2])
            if len(farms) == 1:  # one farm: nothing to choose
                return redirect(GO[go], farm_pk=farms[0])
        if request.GET.get("fragment") == "summary":
            self.template_name = "portal_enterprise/livestock/_home_summary.html"
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        farms = list(herd_farms_for_user(user=user))
        stock = dict(
            tag_list_for_user(user=user)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        return super().get_context_data(
            farms=farms,
            go=self.request.GET.get("go", ""),
            totals={
                "on_farm": sum(f.on_farm for f in farms),
                "withdrawing": sum(f.withdrawing for f in farms),
                "flagged": sum(f.flagged for f in farms),
                "tags_available": stock.get(EarTag.Status.AVAILABLE, 0),
            },
            applications=farm_list_for_user(user=user).exclude(status__in=HERD_STATUSES).count(),
            kinds=record_kinds(),
            **kwargs,
        )


class HerdFarmView(ClampedPageMixin, FarmMixin, PageCacheMixin, ListView):
    """The animals of one farm (filtered, 50 a page) and its pens with their vaccination coverage."""

    template_name = "portal_enterprise/livestock/herd_farm.html"
    context_object_name = "animals"
    paginate_by = 50

    def get_queryset(self):
        # The pens are read once: they rank the animals and head the page.
        self.pens = pens_of_farm(farm=self.farm)
        queryset = with_pen_rank(
            animal_list_for_user(user=self.request.user, farm=self.farm), farm=self.farm, pens=self.pens
        )
        queryset = queryset.order_by("pen_rank", "national_code")
        self.filterset = AnimalFilterSet(
            self.request.GET, queryset=queryset, farm=self.farm, request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        farm = self.farm
        requirements, coverage = farm_coverage(farm=farm)
        by_pen = {c.pen: c for c in coverage}
        pens = []
        for pen in self.pens:
            cover = by_pen.get(pen["name"])
            pen["coverage"] = [(r, cover.percent(r.pk) if cover else None) for r in requirements]
            pens.append(pen)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter=self.filterset,
            counts=herd_counts(farm=farm),
            pens=pens,
            requirements=requirements,
            querystring=query.urlencode(),
            kinds=record_kinds(),
            today=timezone.localdate(),
        )
        return context


class AnimalCreateView(KeeperMixin, FormView):
    """Register one animal: read its tag with the reader (or type it), fill in the rest."""

    template_name = "portal_enterprise/livestock/animal_form.html"
    form_class = AnimalForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["farm"] = self.farm
        kwargs["initial"] = {n: self.request.GET[n] for n in STICKY if n in self.request.GET}
        return kwargs

    def get_context_data(self, **kwargs):
        user, farm = self.request.user, self.farm
        return super().get_context_data(
            available=tag_list_for_user(user=user)
            .filter(status=EarTag.Status.AVAILABLE, species=farm.species)
            .count(),
            recent=animal_list_for_user(user=user, farm=farm).order_by("-registered_at", "-pk")[:8],
            **kwargs,
        )

    def form_valid(self, form):
        try:
            animal = animal_register(actor=self.request.user, farm=self.farm, data=form.service_data())
        except DomainError as exc:
            refuse(form, exc)
            return self.form_invalid(form)
        if animal.pen:
            message = format_lazy(REGISTERED_IN_PEN, code=animal.national_code, pen=animal.pen)
        else:
            message = format_lazy(REGISTERED, code=animal.national_code)
        messages.success(self.request, message)
        if "next" in self.request.POST:
            sticky = {n: form.cleaned_data[n] for n in STICKY if form.cleaned_data.get(n)}
            url = reverse("portal_enterprise:animal_create", kwargs={"farm_pk": self.farm.pk})
            return redirect(f"{url}?{urlencode(sticky)}" if sticky else url)
        return redirect("portal_enterprise:animal_detail", pk=animal.pk)


class AnimalMixin(HerdMixin):
    @cached_property
    def animal(self) -> Animal:
        return animal_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            animal=self.animal, farm=self.animal.farm, on_farm=self.animal.status in Animal.ON_FARM, **kwargs
        )


class AnimalDetailView(AnimalMixin, TemplateView):
    """The individual record: tags, farm, coverage, the production records (``?logs_page=``) and the
    events in time order (``?events_page=``), each a page at a time."""

    template_name = "portal_enterprise/livestock/animal_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        newest_first = self.request.GET.get("order") == "newest"
        context.update(
            animal_record(
                animal=self.animal,
                newest_first=newest_first,
                events_page=self.request.GET.get("events_page"),
                logs_page=self.request.GET.get("logs_page"),
            )
        )
        context.update(
            kinds=record_kinds(),
            can_keep=self.request.user.has_perms(WRITE) and context["on_farm"],
            log_url_name="portal_enterprise:log_detail",
            kind_query=urlencode({"animal": self.animal.pk}),
        )
        return context


class AnimalEditView(AnimalMixin, FormView):
    """Correct an animal's details or move it to another pen (each change is an event)."""

    permission_required = WRITE
    template_name = "portal_enterprise/livestock/animal_edit.html"
    form_class = AnimalEditForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        animal = self.animal
        kwargs["farm"] = animal.farm
        kwargs["initial"] = {
            "sex": animal.sex,
            "breed": animal.breed,
            "birth_date": animal.birth_date.isoformat() if animal.birth_date else "",
            "entry_date": animal.entry_date.isoformat() if animal.entry_date else "",
            "pen": animal.pen,
            "origin": animal.origin,
            "origin_note": animal.origin_note,
        }
        return kwargs

    def form_valid(self, form):
        try:
            animal = animal_update(actor=self.request.user, animal=self.animal, data=form.service_data())
        except DomainError as exc:
            refuse(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, format_lazy(UPDATED, code=animal.national_code))
        return redirect("portal_enterprise:animal_detail", pk=animal.pk)


class AnimalRetagView(AnimalMixin, FormView):
    """Put a replacement tag on an animal; the old one stays in its history."""

    permission_required = WRITE
    template_name = "portal_enterprise/livestock/animal_retag.html"
    form_class = RetagForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(reasons=REASONS, **kwargs)

    def form_valid(self, form):
        old = self.animal.national_code
        try:
            animal = animal_retag(
                actor=self.request.user,
                animal=self.animal,
                new_tag=form.cleaned_data["new_tag"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            refuse(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, format_lazy(RETAGGED, old=old, new=animal.national_code))
        return redirect("portal_enterprise:animal_detail", pk=animal.pk)


class AnimalFindView(HerdMixin, TemplateView):
    """Scan a tag (current or former, any form) and go to the animal; else say it was not found."""

    template_name = "portal_enterprise/livestock/animal_find.html"

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "").strip()
        if query:
            animal = animal_find_for_user(user=request.user, text=query)
            if animal is not None:
                return redirect("portal_enterprise:animal_detail", pk=animal.pk)
        return super().get(request, *args, query=query, **kwargs)
