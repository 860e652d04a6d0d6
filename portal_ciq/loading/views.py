"""Supervised loading (监装) on a tablet: the branch's loadable consignments, opening a loading,
and the loading screen, whose progress panel polls its live part every 2 s (htmx, like the
reader page) while the loading is open."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.pagecache import PageCacheMixin
from accounts.params import int_param, text_param
from livestock.models import ReaderDevice
from transit.models import Driver, Loading, Vehicle
from transit.models.fleet import Approval
from transit.selectors.loading import (
    addendum_holds,
    current_certificate,
    loadable_consignments_for_user,
    loadable_waiting_for_user,
    loading_get_for_user,
    loading_progress,
    loading_rows_for_user,
)
from transit.services import loading as services

PER_PAGE = 30
# Past this, a page is an offset into years of loadings; nobody reads that far back here.
MAX_PAGE = 1000
WAITING_SHOWN = 50
POLL_SECONDS = 2


class LoadingMixin(RuleRequiredMixin):
    permission_required = "transit.supervise_loading"
    nav_section = "loading"


class LoadingListView(LoadingMixin, PageCacheMixin, TemplateView):
    """The consignments waiting to be loaded, and the loadings (open first, then newest first)."""

    template_name = "portal_ciq/loading/list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        page = int_param(self.request.GET.get("page"), default=1, minimum=1, maximum=MAX_PAGE)
        open_now, done, older = loading_rows_for_user(user=user, page=page, per_page=PER_PAGE)
        return super().get_context_data(
            waiting=loadable_waiting_for_user(user=user, limit=WAITING_SHOWN) if page == 1 else [],
            loadings=open_now + done,
            page=page,
            older=older,
            **kwargs,
        )


class OpenForm(forms.Form):
    vehicle = forms.ModelChoiceField(queryset=Vehicle.objects.none(), label=gettext_lazy("Vehicle"))
    driver = forms.ModelChoiceField(queryset=Driver.objects.none(), label=gettext_lazy("Driver"))
    device = forms.ModelChoiceField(
        queryset=ReaderDevice.objects.none(),
        required=False,
        label=gettext_lazy("Reader"),
        empty_label=gettext_lazy("No reader: type or scan the tags"),
    )

    def __init__(self, *args, consignment, **kwargs):
        super().__init__(*args, **kwargs)
        enterprise = consignment.enterprise_id
        # Every vehicle of the enterprise is offered: one that may not be loaded is refused with
        # its reason (not approved, permit, capacity, disinfection), not silently left out.
        self.fields["vehicle"].queryset = Vehicle.objects.filter(enterprise_id=enterprise).exclude(
            status=Approval.WITHDRAWN
        )
        self.fields["driver"].queryset = Driver.objects.filter(enterprise_id=enterprise).exclude(
            status=Approval.WITHDRAWN
        )
        self.fields["device"].queryset = ReaderDevice.objects.filter(
            farm_id=consignment.farm_id, is_active=True
        )
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-lg"


class LoadingOpenView(LoadingMixin, TemplateView):
    template_name = "portal_ciq/loading/open.html"

    @cached_property
    def consignment(self):
        return get_object_or_404(
            loadable_consignments_for_user(user=self.request.user).select_related("farm", "enterprise"),
            pk=self.kwargs["consignment"],
        )

    def get_context_data(self, **kwargs):
        kwargs.pop("consignment", None)  # the URL's id; the context gets the object
        kwargs.setdefault("form", OpenForm(consignment=self.consignment))
        return super().get_context_data(
            consignment=self.consignment, certificate=current_certificate(self.consignment), **kwargs
        )

    def post(self, request, consignment):
        form = OpenForm(request.POST, consignment=self.consignment)
        if form.is_valid():
            try:
                loading = services.loading_open(
                    actor=request.user, consignment=self.consignment, **form.cleaned_data
                )
            except DomainError as error:
                for problem in error.items or [error.message]:
                    form.add_error(error.field if error.field in form.fields else None, problem)
            else:
                return redirect("portal_ciq:loading_detail", pk=loading.pk)
        return self.render_to_response(self.get_context_data(form=form))


def live_context(loading: Loading) -> dict:
    progress = loading_progress(loading)
    return {"loading": loading, "progress": progress, "poll_seconds": POLL_SECONDS}


class LoadingDetailView(LoadingMixin, PageCacheMixin, TemplateView):
    """The loading screen: large head counts, the tags matched, missing and unexpected, seals.

    Kept in the page cache (a loading's page is opened by every officer at the truck and again
    after each action; its signed addendum is verified on each render): any read, tag, seal or
    status written moves a table it reads, and a page with a message to show is never cached."""

    template_name = "portal_ciq/loading/detail.html"

    def get_context_data(self, **kwargs):
        loading = loading_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(
            **live_context(loading),
            seals=list(loading.seals.all()),
            signed=addendum_holds(loading) if loading.status == Loading.Status.CLOSED else None,
            trip=getattr(loading, "trip", None) if loading.status == Loading.Status.CLOSED else None,
            **kwargs,
        )


class LoadingLiveView(LoadingMixin, View):
    """The live panel alone, asked every 2 s by the screen while the loading is open."""

    def get(self, request, pk):
        loading = loading_get_for_user(user=request.user, pk=pk)
        response = render(request, "portal_ciq/loading/_live.html", live_context(loading))
        response["Cache-Control"] = "no-store"
        patch_vary_headers(response, ("HX-Request",))
        return response


class ActionView(LoadingMixin, View):
    """A step posted from the loading screen; done or refused, back to the screen with a message."""

    done = ""

    def perform(self, request, loading):
        raise NotImplementedError

    def post(self, request, pk):
        loading = loading_get_for_user(user=request.user, pk=pk)
        try:
            self.perform(request, loading)
        except DomainError as error:
            for problem in error.items or [error.message]:
                messages.error(request, str(problem))
        else:
            messages.success(request, self.done_message(loading))
        return redirect("portal_ciq:loading_detail", pk=pk)

    def done_message(self, loading):
        return self.done


class LoadingTagView(ActionView):
    def perform(self, request, loading):
        self.item = services.loading_tag_add(
            actor=request.user, loading=loading, tag=text_param(request.POST.get("tag"), max_length=40)
        )

    def done_message(self, loading):
        return _("Tag %(tag)s loaded.") % {"tag": self.item.national_code}


class LoadingSealView(ActionView):
    def perform(self, request, loading):
        self.seal = services.loading_seal_add(
            actor=request.user, loading=loading, number=text_param(request.POST.get("seal"), max_length=40)
        )

    def done_message(self, loading):
        return _("Seal %(seal)s recorded.") % {"seal": self.seal.number}


class LoadingCloseView(ActionView):
    def perform(self, request, loading):
        services.loading_close(
            actor=request.user, loading=loading, reason=text_param(request.POST.get("reason"), max_length=500)
        )

    def done_message(self, loading):
        return _("Loading %(number)s is closed and sealed: the truck may leave.") % {"number": loading.number}


class LoadingCancelView(ActionView):
    def perform(self, request, loading):
        services.loading_cancel(
            actor=request.user, loading=loading, reason=text_param(request.POST.get("reason"), max_length=500)
        )

    def done_message(self, loading):
        return _("Loading %(number)s is cancelled.") % {"number": loading.number}
