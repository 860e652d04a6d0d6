"""Production records: the farm's list, the full form, quick entry on a phone, one record."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView, TemplateView, View

from accounts.errors import DomainError
from accounts.pagecache import PageCacheMixin
from accounts.params import ClampedPageMixin, id_param
from livestock.models import Animal, ProductionLog
from livestock.selectors import logs_for_farm, pen_animals_coverage, pens_of_farm, with_pen_rank
from livestock.services.common import HERD_STATUSES
from livestock.services.records import log_record, record_tag_check

from .common import WRITE, FarmMixin, HerdMixin, KeeperMixin, log_get_for_user, refuse
from .forms import ICONS, LogForm
from .views import record_kinds

K = ProductionLog.Kind
RECORDED_NO_ANIMALS = _("Recorded: {kind}.")
NAMED_IN_MESSAGE = 10  # the animals a success message names; the rest are counted
ANIMALS_SHOWN = 1000
# A phone lists this many animals of a pen to tick; the rest are scanned (or the whole pen is
# recorded from the full form). Pens rarely hold more.
QUICK_LISTED = 300
# Quick entry puts these side by side, two to a row of a phone screen.
# What quick entry carries over from one record to the next (the animals and notes never).
REPEATED = (
    "product",
    "maker",
    "batch",
    "additives",
    "active_substance",
    "dose_unit",
    "route",
    "withdrawal_days",
    "area",
)
HALF_FIELDS = ("maker", "batch", "dose", "dose_unit", "route", "withdrawal_days", "disposal", "disposed_on")


def recorded_message(log: ProductionLog) -> str:
    """Say what was recorded and for which animals, by their tags (the first few, then a count)."""
    if not log.animal_count:
        return str(format_lazy(RECORDED_NO_ANIMALS, kind=log.get_kind_display()))
    codes = list(
        Animal.objects.filter(log_links__log=log)
        .order_by("national_code")
        .values_list("national_code", flat=True)[:NAMED_IN_MESSAGE]
    )
    animals = ", ".join(codes)
    if (more := log.animal_count - len(codes)) > 0:
        animals = gettext("{animals} and {more} more").format(animals=animals, more=more)
    text = ngettext(
        "Recorded: {kind} for {count} animal: {animals}.",
        "Recorded: {kind} for {count} animals: {animals}.",
        log.animal_count,
    )
    return text.format(kind=log.get_kind_display(), count=log.animal_count, animals=animals)


class LogListView(ClampedPageMixin, FarmMixin, PageCacheMixin, ListView):
    """A farm's production records, newest first, by kind."""

    nav_section = "herd_records"
    template_name = "portal_enterprise/livestock/log_list.html"
    context_object_name = "logs"
    paginate_by = 50

    def kind(self) -> str:
        kind = self.request.GET.get("kind", "")
        return kind if kind in K.values else ""

    def get_queryset(self):
        return logs_for_farm(farm=self.farm, kind=self.kind() or None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counted = dict(
            ProductionLog.objects.filter(farm=self.farm)
            .order_by()
            .values_list("kind")
            .annotate(n=Count("pk"))
            .values_list("kind", "n")
        )
        context.update(
            kind=self.kind(),
            kind_counts=[(k, label, ICONS[k], counted.get(k, 0)) for k, label in K.choices],
            kinds=record_kinds(),
            total=sum(counted.values()),
            querystring=urlencode({"kind": self.kind()}) if self.kind() else "",
        )
        return context


class _LogFormMixin(KeeperMixin):
    """Shared by the full form and quick entry: one kind of record, the animals it is for."""

    nav_section = "herd_records"
    form_class = LogForm

    def kind(self) -> str:
        raise NotImplementedError

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(farm=self.farm, kind=self.kind())
        return kwargs

    def chosen_ids(self) -> list[int]:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        ids = (id_param(value) for value in source.getlist("animals") + source.getlist("animal"))
        return [pk for pk in ids if pk is not None]

    def save(self, form, *, pen: str):
        return log_record(
            actor=self.request.user,
            farm=self.farm,
            kind=self.kind(),
            occurred_on=form.cleaned_data["occurred_on"],
            fields=form.service_fields(),
            animal_ids=form.cleaned_data.get("animals") or [],
            tags=form.scanned_tags(),
            pen=pen,
        )

    def form_valid(self, form):
        try:
            log = self.save(form, pen=self.pen_for(form))
        except DomainError as exc:
            refuse(form, exc)
            self.refused_items = exc.items
            return self.form_invalid(form)
        messages.success(self.request, recorded_message(log))
        return self.done(log)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            kind=self.kind(),
            kind_label=K(self.kind()).label,
            kind_icon=ICONS[self.kind()],
            kinds=record_kinds(),
            refused_items=getattr(self, "refused_items", []),
            **kwargs,
        )


class LogCreateView(_LogFormMixin, FormView):
    """The full form of one kind of record, for a pen, ticked animals or scanned tags."""

    template_name = "portal_enterprise/livestock/log_form.html"

    def kind(self) -> str:
        kind = self.kwargs["kind"]
        if kind not in K.values:
            raise Http404
        return kind

    def get_initial(self):
        return {"pen": self.request.GET.get("pen", "")}

    def pen_for(self, form) -> str:
        return form.cleaned_data.get("pen") or ""

    def done(self, log):
        return redirect("portal_enterprise:log_detail", pk=log.pk)

    def get_context_data(self, **kwargs):
        ids = self.chosen_ids()
        chosen = (
            list(
                Animal.objects.filter(farm=self.farm, pk__in=ids)
                .only("pk", "national_code", "rfid", "pen", "status")
                .order_by("national_code")
            )
            if ids
            else []
        )
        return super().get_context_data(chosen=chosen, **kwargs)


class QuickEntryView(_LogFormMixin, FormView):
    """Quick entry on a phone: pick a pen, tick animals or scan tags, fill in a few fields, submit."""

    nav_section = "herd_quick"
    template_name = "portal_enterprise/livestock/quick_entry.html"

    def kind(self) -> str:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        kind = source.get("kind", K.VACCINATION)
        return kind if kind in K.values else K.VACCINATION

    @cached_property
    def pens(self) -> list[dict]:
        return pens_of_farm(farm=self.farm)

    def pen(self) -> str:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        pen = source.get("pen", "")
        names = [p["name"] for p in self.pens]
        if pen in names:
            return pen
        # One pen, or the first with animals: the clerk standing in it rarely needs to choose.
        with_animals = [p["name"] for p in self.pens if p["count"]]
        return (with_animals or names or [""])[0]

    def get_initial(self):
        initial = {"pen": self.pen()}
        if (again := id_param(self.request.GET.get("again"))) is not None:
            # The next pen usually gets the same vaccine, drug or feed: start from the last record.
            log = log_get_for_user(user=self.request.user, pk=again)
            if log.farm_id == self.farm.pk and log.kind == self.kind():
                initial.update(
                    {name: getattr(log, name) for name in REPEATED if getattr(log, name) not in (None, "")}
                )
                initial["occurred_on"] = log.occurred_on
                if log.requirement_id:
                    initial["requirement"] = str(log.requirement_id)
                if log.dose is not None:
                    initial["dose"] = f"{log.dose.normalize():f}"
        return initial

    def pen_for(self, form) -> str:
        # Ticked nothing and scanned nothing is a mistake, not "the whole pen" — except for
        # disinfection, which is done to the pen itself.
        named = form.cleaned_data.get("animals") or form.scanned_tags()
        return self.pen() if named or self.kind() == K.DISINFECTION else ""

    def done(self, log):
        url = reverse("portal_enterprise:quick_entry", kwargs={"farm_pk": self.farm.pk})
        return redirect(f"{url}?{urlencode({'pen': self.pen(), 'kind': self.kind(), 'again': log.pk})}")

    def get_context_data(self, **kwargs):
        pen = self.pen()
        requirements, animals = pen_animals_coverage(farm=self.farm, pen=pen) if pen else ([], [])
        ticked = set(self.chosen_ids())
        return super().get_context_data(
            pens=self.pens,
            pen=pen,
            requirements=requirements,
            rows=[(a, covers, a.pk in ticked) for a, covers in animals[:QUICK_LISTED]],
            pen_count=len(animals),
            hidden_count=max(0, len(animals) - QUICK_LISTED),
            today=timezone.localdate(),
            half_fields=HALF_FIELDS,
            **kwargs,
        )


class QuickTagCheckView(KeeperMixin, View):
    """Check one tag as quick entry scans it (JSON): the farm's animal it names, or why not.

    The same check as saving the record (livestock.services.records.record_tag_check), so that
    an unknown tag is refused when it is scanned, not after the clerk has submitted the list.
    """

    def get(self, request, farm_pk):
        try:
            animal = record_tag_check(farm=self.farm, tag=request.GET.get("tag", "")[:64])
        except DomainError as exc:
            return JsonResponse({"ok": False, "error": str(exc)})
        return JsonResponse(
            {
                "ok": True,
                "id": animal.pk,
                "code": animal.national_code,
                "rfid": animal.rfid or "",
                "pen": animal.pen,
            }
        )


class LogDetailView(HerdMixin, TemplateView):
    """One production record: what, when, who, and every animal it covers."""

    nav_section = "herd_records"
    template_name = "portal_enterprise/livestock/log_detail.html"

    def get_context_data(self, **kwargs):
        log = log_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        animals = with_pen_rank(Animal.objects.filter(log_links__log=log), farm=log.farm)
        animals = list(
            animals.only("pk", "national_code", "rfid", "pen", "status", "withdrawal_until").order_by(
                "pen_rank", "national_code"
            )[:ANIMALS_SHOWN]
        )
        return super().get_context_data(
            log=log,
            farm=log.farm,
            kind_icon=ICONS[log.kind],
            animals=animals,
            more=max(0, log.animal_count - len(animals)),
            can_keep=self.request.user.has_perms(WRITE) and log.farm.status in HERD_STATUSES,
            today=timezone.localdate(),
            **kwargs,
        )
