"""The enterprise's side of surveillance: its farms in disease zones, and the alerts shown to it."""

from django.db.models import F
from django.views.generic import TemplateView

from accounts.access import RuleRequiredMixin
from accounts.params import paginate
from surveillance.selectors import alert_list_for_user, flagged_farms_for_user

PER_PAGE = 25


class RestrictionsView(RuleRequiredMixin, TemplateView):
    """Its restricted farms (which zone, which disease, since when) and the bureau's alerts about it."""

    nav_section = "alerts"
    permission_required = "surveillance.see_own_alerts"
    template_name = "portal_enterprise/surveillance/alerts.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        # Open first, then the most severe, then the newest.
        alerts = alert_list_for_user(user=user).order_by(
            F("closed_at").desc(nulls_first=True), "-severity", "-raised_at", "-pk"
        )
        page = paginate(self.request, alerts, PER_PAGE)
        return super().get_context_data(
            flagged=flagged_farms_for_user(user=user),
            page_obj=page,
            alerts=page.object_list,
            **kwargs,
        )
