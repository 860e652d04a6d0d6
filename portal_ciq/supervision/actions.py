"""Following up corrective actions: the branch's open list, and verify or reopen."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from accounts.errors import DomainError
from farms.models import CorrectiveAction
from farms.selectors_supervision import (
    corrective_action_get_for_user,
    corrective_actions_for_user,
    corrective_actions_open_for_user,
)
from farms.services.supervision import corrective_action_verify

from .forms import ActionVerifyForm
from .views import SupervisionMixin

VERIFIED = _("The corrective action is verified and closed.")
REOPENED = _("The corrective action is open again; the enterprise sees your note.")
SHOWN = 200  # closed actions shown at most; older ones stay in each visit's record


class ActionListView(SupervisionMixin, TemplateView):
    """Open corrective actions of the branch, overdue first; reported-done ones wait for a verdict."""

    nav_section = "actions"
    template_name = "portal_ciq/supervision/action_list.html"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        show_closed = self.request.GET.get("show") == "closed"
        if show_closed:
            actions = corrective_actions_for_user(user=user).filter(status=CorrectiveAction.Status.VERIFIED)
            actions = list(actions.order_by("-verified_at", "-pk")[:SHOWN])
        else:
            actions = list(corrective_actions_open_for_user(user=user))
        for action in actions:
            action.overdue = action.status == CorrectiveAction.Status.OPEN and action.deadline < today
        return super().get_context_data(
            actions=actions,
            show_closed=show_closed,
            counts={
                "overdue": sum(a.overdue for a in actions),
                "done": sum(a.status == CorrectiveAction.Status.DONE for a in actions),
                "open": sum(a.status == CorrectiveAction.Status.OPEN for a in actions),
            },
            today=today,
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
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("portal_ciq:action_list")
