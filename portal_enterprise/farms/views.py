"""The enterprise's farms: the list, the application form and the farm's page."""

import json
from collections import Counter
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView, TemplateView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.params import ClampedPageMixin
from farms import regions
from farms.labels import ACTION_LABELS, LAYOUT_KIND_LABELS
from farms.models import Farm, FarmAttachment, SurroundingKind, SurroundingRule
from farms.places import county_label
from farms.selectors import farm_get_for_user, farm_list_for_user
from farms.services.registration import (
    NOT_EDITABLE,
    farm_application_save,
    farm_submit,
    surroundings_shortfalls,
)
from surveillance.selectors import farms_annotate_restricted

from .forms import SURROUNDINGS_PREFIX, AttachmentForm, FarmForm, SurroundingFormSet, WithdrawForm

SAVED = _("The application “{name}” has been saved as a draft.")
SUBMITTED = _("The application “{name}” has been submitted to {branch} for review.")
SAVED_WITH_SHORTFALLS = _(
    "Saved, but it cannot be submitted like this — too close to its surroundings: {items}. "
    "Move the farm or correct the distances."
)
# The words farm_form.js shows, in the user's language.
JS_TEXT = {
    "whatIsIt": _("What did you draw?"),
    "remove": _("Remove"),
    "chooseCounty": _("Choose a county…"),
    "noCounty": _("No county found."),
    "farmHere": _("The farm"),
    "area": _("m²"),
    "atLeast": _("at least {minimum} m"),
}


class FarmsMixin(RuleRequiredMixin):
    nav_section = "farms"
    permission_required = "farms.apply"

    @cached_property
    def farm(self) -> Farm:
        # Looked up after the rule check, so a visitor who is not logged in is sent to log in.
        return farm_get_for_user(user=self.request.user, pk=self.kwargs["pk"])


def surrounding_minimums() -> dict[str, int]:
    """Return the bureau's minimum distance (m) by kind of neighbour (a farms.selectors candidate)."""
    return dict(SurroundingRule.objects.order_by("kind").values_list("kind", "min_distance_m"))


@cache
def county_outline_urls() -> dict[str, str]:
    """Return the static URL of each province's county outlines, by province code."""
    return {
        p.code: static(f"vendor/china/counties/{p.code}.geojson")
        for p in regions.provinces()
        if (regions.COUNTIES_DIR / f"{p.code}.geojson").exists()
    }


class FarmListView(ClampedPageMixin, FarmsMixin, ListView):
    """The enterprise's farms and applications, newest change first, with counts by status."""

    template_name = "portal_enterprise/farms/farm_list.html"
    context_object_name = "farms"
    paginate_by = 50

    def get_queryset(self):
        farms = farms_annotate_restricted(farm_list_for_user(user=self.request.user)).order_by(
            "-updated_at", "-pk"
        )
        if (status := self.request.GET.get("status")) in Farm.Status.values:
            farms = farms.filter(status=status)
        return farms

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for farm in context["farms"]:
            farm.county_label = county_label(farm.county_code)
        counted = dict(
            farm_list_for_user(user=self.request.user)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        context["status_counts"] = [
            (s, label, counted[s]) for s, label in Farm.Status.choices if counted.get(s)
        ]
        context["total"] = sum(counted.values())
        context["current_status"] = self.request.GET.get("status", "")
        return context


class _FarmFormView(FarmsMixin, TemplateView):
    """Show the application form; save it (and submit it) through the services, all or nothing."""

    template_name = "portal_enterprise/farms/farm_form.html"

    def current(self) -> Farm | None:
        return None

    def initial(self):
        branch = self.request.user.organisation.branch_id
        rows = [{"kind": k} for k in surrounding_minimums()]
        return {"branch": branch}, rows or [{"kind": SurroundingKind.RESIDENTIAL}]

    def get(self, request, *args, **kwargs):
        initial, rows = self.initial()
        return self.render(
            FarmForm(initial=initial), SurroundingFormSet(initial=rows, prefix=SURROUNDINGS_PREFIX)
        )

    def post(self, request, *args, **kwargs):
        form = FarmForm(request.POST)
        formset = SurroundingFormSet(request.POST, prefix=SURROUNDINGS_PREFIX)
        if not (form.is_valid() and formset.is_valid()):
            return self.render(form, formset)
        submit = request.POST.get("action") == "submit"
        surroundings = formset.declared()
        try:
            # Saving and submitting are one step for the user: a refused submission keeps
            # nothing, and the form comes back as it was typed.
            with transaction.atomic():
                farm = farm_application_save(
                    actor=request.user, farm=self.current(), data=form.farm_data(), surroundings=surroundings
                )
                if submit:
                    farm = farm_submit(actor=request.user, farm=farm)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            return self.render(form, formset, refused_kinds=set(exc.items))
        if submit:
            messages.success(request, format_lazy(SUBMITTED, name=farm.name_zh, branch=farm.branch.name))
        elif shortfalls := surroundings_shortfalls(surroundings):
            messages.warning(
                request, format_lazy(SAVED_WITH_SHORTFALLS, items="; ".join(map(str, shortfalls)))
            )
        else:
            messages.success(request, format_lazy(SAVED, name=farm.name_zh))
        return redirect("portal_enterprise:farm_detail", pk=farm.pk)

    def render(self, form, formset, refused_kinds=()):
        minimums = surrounding_minimums()
        for row in formset.forms:
            kind = row["kind"].value()
            row.minimum = minimums.get(kind)
            row.refused = kind in refused_kinds
        config = {
            "minimums": minimums,
            "kinds": {k: str(v) for k, v in SurroundingKind.choices},
            "layoutKinds": {k: str(v) for k, v in LAYOUT_KIND_LABELS.items()},
            "countiesUrl": reverse("portal_enterprise:farm_counties"),
            "outlines": static("vendor/china/provinces.geojson"),
            "countyOutlines": county_outline_urls(),
            "text": JS_TEXT,
        }
        for name in form.errors:
            if name in form.fields:
                widget = form.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        return self.render_to_response(
            self.get_context_data(form=form, formset=formset, farm=self.current(), config=config)
        )


class FarmCreateView(_FarmFormView):
    pass


class FarmEditView(_FarmFormView):
    def current(self):
        return self.farm

    def dispatch(self, request, *args, **kwargs):
        allowed = request.user.is_authenticated and request.user.has_perm(self.permission_required)
        if allowed and not self.farm.is_editable:
            messages.error(request, format_lazy(NOT_EDITABLE, status=self.farm.get_status_display()))
            return redirect("portal_enterprise:farm_detail", pk=self.farm.pk)
        return super().dispatch(request, *args, **kwargs)

    def initial(self):
        farm = self.farm
        initial = {name: getattr(farm, name) for name in FarmForm.base_fields if hasattr(farm, name)}
        initial.update(
            branch=farm.branch_id,
            province=farm.county_code[:2] + "0000",
            layout=json.dumps(farm.layout or {}),
        )
        rows = [
            {"kind": s.kind, "description": s.description, "distance_m": s.distance_m}
            for s in farm.surroundings.all()
        ]
        return initial, rows or super().initial()[1]


class FarmDetailView(FarmsMixin, TemplateView):
    """Everything filed for one farm, its map, attachments and the history of its status."""

    template_name = "portal_enterprise/farms/farm_detail.html"

    def get_context_data(self, **kwargs):
        farm = self.farm
        surroundings = list(farm.surroundings.all())
        minimums = surrounding_minimums()
        for s in surroundings:
            s.minimum = minimums.get(s.kind)
        timeline = list(farm.status_changes.select_related("actor"))
        for change in timeline:
            change.action_label = ACTION_LABELS.get(change.action, change.action)
        counts = Counter(
            ((f or {}).get("properties") or {}).get("kind") for f in (farm.layout or {}).get("features", [])
        )
        attachments = list(farm.attachments.select_related("uploaded_by"))
        returns = [c.reason for c in timeline if c.action == "return"]
        return super().get_context_data(
            farm=farm,
            county_label=county_label(farm.county_code),
            surroundings=surroundings,
            shortfalls=surroundings_shortfalls(surroundings),
            attachments=attachments,
            timeline=timeline,
            return_reason=returns[-1] if returns else "",
            upload_limit=settings.UPLOAD_MAX_MB,
            layout_counts=[(label, counts[k]) for k, label in LAYOUT_KIND_LABELS.items() if counts.get(k)],
            layout_plans=sum(1 for a in attachments if a.kind == FarmAttachment.Kind.LAYOUT_PLAN),
            can_submit=farm.is_editable and farm.can("submit"),
            can_withdraw=farm.can("withdraw"),
            attachment_form=AttachmentForm(),
            withdraw_form=WithdrawForm(),
            map_data={
                "lat": None if farm.latitude is None else float(farm.latitude),
                "lng": None if farm.longitude is None else float(farm.longitude),
                "layout": farm.layout or {},
                "layoutKinds": LAYOUT_KIND_LABELS,
                "outlines": static("vendor/china/provinces.geojson"),
                "countyOutlines": county_outline_urls(),
                "county": farm.county_code,
            },
            **kwargs,
        )
