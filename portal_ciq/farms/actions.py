"""The review actions on a farm: which statuses offer each one, its form, its service, and its POST view.

The page offers an action where Farm.ACTIONS allows it (assign also while under review, to
reassign; inspect while under review). The service still decides, so a stale page that posts
an action out of order gets the service's message and nothing changes.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.params import next_param
from farms import services
from farms.models import Farm
from farms.selectors import farm_get_for_user

from .forms import AssignForm, InspectionForm, ReasonForm, form_errors

S = Farm.Status


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    statuses: frozenset
    form: type
    done: str
    style: str = "outline-secondary"
    icon: str = "arrow-right"
    needs_reason: bool = True

    def call(self, *, actor, farm, data):
        if self.name == "assign":
            return services.farm_assign(actor=actor, farm=farm, inspector=data["inspector"])
        if self.name == "inspect":
            return services.site_inspection_record(actor=actor, farm=farm, **data)
        return getattr(services, f"farm_{self.name}")(actor=actor, farm=farm, reason=data["reason"])


def _action(name, label, statuses, done, **kw):
    """Describe one action; its statuses come from Farm.ACTIONS unless the page needs others."""
    statuses = Farm.ACTIONS[name][0] if statuses is None else statuses
    return Action(
        name=name, label=label, statuses=frozenset(statuses), form=kw.pop("form", ReasonForm), done=done, **kw
    )


ACTIONS = {
    a.name: a
    for a in [
        _action(
            "assign",
            _("Assign inspector"),
            {S.SUBMITTED, S.UNDER_REVIEW},
            _("The application is assigned."),
            form=AssignForm,
            style="primary",
            icon="person-check",
            needs_reason=False,
        ),
        _action(
            "inspect",
            _("Record site inspection"),
            {S.UNDER_REVIEW},
            _("The site inspection is recorded."),
            form=InspectionForm,
            style="primary",
            icon="clipboard-check",
            needs_reason=False,
        ),
        _action(
            "approve",
            _("Approve registration"),
            None,
            _("The farm is registered."),
            style="success",
            icon="patch-check",
            needs_reason=False,
        ),
        _action(
            "return",
            _("Return for changes"),
            None,
            _("The application is returned to the enterprise."),
            style="warning",
            icon="arrow-return-left",
        ),
        _action(
            "reject",
            _("Reject"),
            None,
            _("The application is rejected."),
            style="outline-danger",
            icon="x-octagon",
        ),
        _action(
            "suspend",
            _("Suspend"),
            None,
            _("The registration is suspended."),
            style="warning",
            icon="pause-circle",
        ),
        _action(
            "reinstate",
            _("Reinstate"),
            None,
            _("The registration is reinstated."),
            style="success",
            icon="play-circle",
        ),
        _action(
            "revoke",
            _("Revoke"),
            None,
            _("The registration is revoked."),
            style="outline-danger",
            icon="slash-circle",
        ),
        _action(
            "renew",
            _("Renew registration"),
            None,
            _("The registration is renewed."),
            style="outline-primary",
            icon="arrow-repeat",
            needs_reason=False,
        ),
    ]
}


def actions_for(*, user, farm: Farm) -> list[Action]:
    """Return the actions ``user`` may take on ``farm`` in its current status, in page order."""
    if not user.has_perm("farms.review"):
        return []
    return [a for a in ACTIONS.values() if farm.status in a.statuses]


class FarmActionView(RuleRequiredMixin, View):
    """POST one review action; a refused one becomes a message on the farm's page."""

    permission_required = "farms.review"
    http_method_names = ["post"]
    action = ""

    def post(self, request, pk):
        farm = farm_get_for_user(user=request.user, pk=pk)
        spec = ACTIONS[self.action]
        form = spec.form(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
        else:
            try:
                spec.call(actor=request.user, farm=farm, data=form.cleaned_data)
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, spec.done)
        return redirect(self.next_url(farm))

    def next_url(self, farm):
        return next_param(self.request, default=reverse("portal_ciq:farm_detail", args=[farm.pk]))
