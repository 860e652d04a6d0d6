"""The bureau's supervision calendar: a month of planned and made visits, and planning one more."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.models import Organisation
from accounts.pagecache import PageCacheMixin
from accounts.params import date_param, id_param
from accounts.selectors import organisation_list_for_user
from farms.selectors_supervision import (
    inspectors_for_user,
    supervised_farms_for_user,
    visit_plans_between,
    visits_between,
)
from farms.services.supervision import visit_plan_create

from .forms import VisitPlanForm
from .month import month_bounds, month_grid, month_parse, month_shift, plan_state

PLANNED = _("Visit of {farm} planned for {date}.")


class SupervisionMixin(RuleRequiredMixin):
    permission_required = "farms.supervise"
    nav_section = "supervision"


class CalendarView(SupervisionMixin, PageCacheMixin, TemplateView):
    """A month of planned and made visits, with the form to plan one more."""

    template_name = "portal_ciq/supervision/calendar.html"

    @cached_property
    def branch(self):
        """The branch a manager narrowed the calendar to (inspectors always see their own)."""
        pk = id_param(self.request.GET.get("branch"))
        if self.request.user.organisation.kind == Organisation.Kind.CIQ_BRANCH or pk is None:
            return None
        return self.branches.filter(pk=pk).first()

    @cached_property
    def branches(self):
        return organisation_list_for_user(user=self.request.user).filter(kind=Organisation.Kind.CIQ_BRANCH)

    def plan_form(self, data=None):
        user = self.request.user
        # Every farm in scope is an option: only what its label shows is loaded.
        farms = (
            supervised_farms_for_user(user=user)
            .select_related(None)
            .select_related("enterprise")
            .only(
                "pk",
                "name_zh",
                "name_en",
                "registration_number",
                "enterprise__name_zh",
                "enterprise__name_en",
            )
        )
        inspectors = inspectors_for_user(user=user)
        if self.branch:
            farms, inspectors = farms.filter(branch=self.branch), inspectors.filter(organisation=self.branch)
        initial = {"planned_on": date_param(self.request.GET.get("day"), default=timezone.localdate())}
        return VisitPlanForm(data, farms=farms, inspectors=inspectors, user=user, initial=initial)

    def get_context_data(self, form=None, **kwargs):
        user, today = self.request.user, timezone.localdate()
        first = month_parse(self.request.GET.get("month"))
        start, end = month_bounds(first)
        plans, visits = (
            visit_plans_between(user=user, start=start, end=end),
            visits_between(user=user, start=start, end=end),
        )
        if self.branch:
            plans, visits = plans.filter(farm__branch=self.branch), visits.filter(farm__branch=self.branch)
        plans, visits = list(plans), list(visits)
        for plan in plans:
            plan.state = plan_state(plan, today)
        in_month = [p for p in plans if p.planned_on.month == first.month]
        return super().get_context_data(
            form=form or self.plan_form(),
            month=first,
            prev_month=month_shift(first, -1),
            next_month=month_shift(first, 1),
            weeks=month_grid(first, plans, visits),
            counts={
                state: sum(1 for p in in_month if p.state == state)
                for state in ("planned", "done", "overdue")
            },
            unplanned=sum(1 for v in visits if v.plan_id is None and v.visited_on.month == first.month),
            upcoming=[p for p in plans if p.state != "done" and p.planned_on >= today][:8],
            branches=self.branches if user.organisation.kind != Organisation.Kind.CIQ_BRANCH else None,
            branch=self.branch,
            today=today,
            **kwargs,
        )


class VisitPlanCreateView(CalendarView):
    """Plan a visit (POST); a refused plan is shown on the calendar's form."""

    def post(self, request, *args, **kwargs):
        form = self.plan_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = visit_plan_create(actor=request.user, **data)
            except DomainError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                messages.success(request, format_lazy(PLANNED, farm=plan.farm.name, date=plan.planned_on))
                url = reverse("portal_ciq:supervision_calendar")
                return redirect(f"{url}?month={plan.planned_on:%Y-%m}")
        return self.render_to_response(self.get_context_data(form=form))
