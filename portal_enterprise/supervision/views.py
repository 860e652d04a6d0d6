"""The enterprise's side of supervision: its corrective actions, and its own credit rating."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.params import paginate
from farms.models import CorrectiveAction
from farms.selectors_supervision import (
    corrective_action_get_for_user,
    corrective_actions_open_for_user,
    corrective_actions_verified_for_user,
    credit_summary,
)
from farms.services.supervision import corrective_action_report_done

from .forms import ActionDoneForm

REPORTED = _("Reported done. The inspector will verify it.")
PAST_PER_PAGE = 25


class SupervisionMixin(RuleRequiredMixin):
    permission_required = "farms.apply"


class CorrectiveActionListView(SupervisionMixin, TemplateView):
    """What the bureau asked the enterprise to put right: open ones first, then the closed ones."""

    nav_section = "corrective_actions"
    template_name = "portal_enterprise/supervision/corrective_actions.html"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        current = list(corrective_actions_open_for_user(user=user))
        for action in current:
            action.days_left = (action.deadline - today).days
        page = paginate(self.request, corrective_actions_verified_for_user(user=user), PAST_PER_PAGE)
        return super().get_context_data(
            current=current,
            past=page.object_list,
            page_obj=page,
            paginator=page.paginator,
            to_answer=sum(a.status == CorrectiveAction.Status.OPEN for a in current),
            today=today,
            **kwargs,
        )


class CorrectiveActionDoneView(SupervisionMixin, View):
    """Report a corrective action done, with what was done (POST)."""

    def post(self, request, pk):
        action = corrective_action_get_for_user(user=request.user, pk=pk)
        form = ActionDoneForm(request.POST)
        if not form.is_valid():
            messages.error(request, form.errors["response"][0])
        else:
            try:
                corrective_action_report_done(
                    actor=request.user, action=action, response=form.cleaned_data["response"]
                )
            except DomainError as e:
                messages.error(request, e.message)
            else:
                messages.success(request, REPORTED)
        return redirect("portal_enterprise:corrective_actions")


class CreditView(SupervisionMixin, TemplateView):
    """The enterprise's own grade, score, sampling ratio and the reasons for them."""

    nav_section = "credit"
    template_name = "portal_enterprise/supervision/credit.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**credit_summary(enterprise=self.request.user.organisation), **kwargs)
