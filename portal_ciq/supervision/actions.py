"""Following up corrective actions: the branch's open list, and verify or reopen."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from accounts.errors import DomainError
from accounts.params import next_param, paginate
from farms.selectors_supervision import (
    corrective_action_counts_for_user,
    corrective_action_get_for_user,
    corrective_actions_open_for_user,
    corrective_actions_verified_for_user,
)
from farms.services.supervision import corrective_action_verify

from .forms import ActionVerifyForm
from .views import SupervisionMixin

VERIFIED = _("The corrective action is verified and closed.")
REOPENED = _("The corrective action is open again; the enterprise sees your note.")
PER_PAGE = 50


class ActionListView(SupervisionMixin, TemplateView):
    """Open corrective actions of the branch, overdue first; reported-done ones wait for a verdict."""

    nav_section = "actions"
    template_name = "portal_ciq/supervision/action_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        show_closed = self.request.GET.get("show") == "closed"
        if show_closed:
            actions = corrective_actions_verified_for_user(user=user)
        else:
            actions = corrective_actions_open_for_user(user=user)
        # get_page, not page: a page number out of range or not a number shows the nearest page.
        page = paginate(self.request, actions, PER_PAGE)
        return super().get_context_data(
            actions=page.object_list,
            page_obj=page,
            paginator=page.paginator,
            querystring="show=closed" if show_closed else "",
            show_closed=show_closed,
            counts=None if show_closed else corrective_action_counts_for_user(user=user),
            today=timezone.localdate(),
            **kwargs,
        )


class ActionVerifyView(SupervisionMixin, View):
    """Verify a corrective action (close it) or reopen it with a note for the enterprise."""

    def post(self, request, pk):
        action = corrective_action_get_for_user(user=request.user, pk=pk)
        form = ActionVerifyForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose whether to verify or reopen the action."))
            return self._back(request)
        accepted = form.cleaned_data["decision"] == "verify"
        try:
            corrective_action_verify(
                actor=request.user, action=action, accepted=accepted, note=form.cleaned_data["note"]
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, VERIFIED if accepted else REOPENED)
        return self._back(request)

    def _back(self, request):
        return redirect(next_param(request, default=reverse("portal_ciq:action_list")))
