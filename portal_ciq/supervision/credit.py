"""The credit pages of the bureau: the table of enterprises, one enterprise's rating, recompute."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView, TemplateView, View
from django_tables2 import SingleTableMixin

from accounts.access import RuleRequiredMixin
from farms.selectors import credit_rating_current
from farms.selectors_supervision import (
    credit_enterprise_get_for_user,
    credit_grade_policies,
    credit_summary,
    credit_table_for_user,
)
from farms.services.credit import credit_rating_compute

from .tables import CreditTable

RECOMPUTED = _("The rating has been recomputed: grade {grade}, score {score}.")
UNCHANGED = _("Nothing has changed since the last computation: grade {grade}, score {score}.")


class CreditMixin(RuleRequiredMixin):
    permission_required = "farms.view_credit"
    nav_section = "credit"


class CreditListView(CreditMixin, SingleTableMixin, ListView):
    """Every enterprise in scope with its grade, score, sampling ratio and recent findings."""

    template_name = "portal_ciq/supervision/credit_list.html"
    table_class = CreditTable

    def get_queryset(self):
        return credit_table_for_user(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(policies=credit_grade_policies(), **kwargs)


class CreditDetailView(CreditMixin, TemplateView):
    """One enterprise's rating in force, each reason, and the grade table."""

    template_name = "portal_ciq/supervision/credit_detail.html"

    def get_context_data(self, **kwargs):
        enterprise = credit_enterprise_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(
            enterprise=enterprise, **credit_summary(enterprise=enterprise), **kwargs
        )


class CreditRecomputeView(CreditMixin, View):
    permission_required = "farms.recompute_credit"

    def post(self, request, pk):
        enterprise = credit_enterprise_get_for_user(user=request.user, pk=pk)
        before = credit_rating_current(enterprise_id=enterprise.pk)
        rating = credit_rating_compute(enterprise=enterprise, actor=request.user, only_if_changed=True)
        text = UNCHANGED if before is not None and rating.pk == before.pk else RECOMPUTED
        messages.success(request, str(text).format(grade=rating.grade, score=rating.score))
        return redirect("portal_ciq:credit_detail", pk=enterprise.pk)
