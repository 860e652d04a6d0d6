"""The bureau reviews the enterprises' vehicles and drivers: approve, return, suspend, reinstate."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.pagecache import PageCacheMixin
from accounts.params import text_param
from transit.selectors.fleet import (
    driver_get_for_user,
    driver_list_for_user,
    vehicle_get_for_user,
    vehicle_list_for_user,
)
from transit.services.fleet import BUREAU_ACTIONS, registration_act

SHOWN = 200


class FleetReviewView(RuleRequiredMixin, PageCacheMixin, TemplateView):
    """The vehicles and drivers of the branch's enterprises, those waiting first."""

    permission_required = "transit.review_fleet"
    nav_section = "fleet"
    template_name = "portal_ciq/fleet/review.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        order = ("-status", "enterprise_id", "pk")
        # Not the GPS unit, which the review does not show.
        vehicles = list(
            vehicle_list_for_user(user=user)
            .select_related(None)
            .select_related("enterprise")
            .order_by(*order)[:SHOWN]
        )
        drivers = list(driver_list_for_user(user=user).order_by(*order)[:SHOWN])
        return super().get_context_data(vehicles=vehicles, drivers=drivers, **kwargs)


class FleetActView(RuleRequiredMixin, View):
    permission_required = "transit.review_fleet"

    def post(self, request, kind, pk, action):
        getter = {"vehicle": vehicle_get_for_user, "driver": driver_get_for_user}.get(kind)
        if getter is None or action not in BUREAU_ACTIONS:
            raise Http404
        obj = getter(user=request.user, pk=pk)
        try:
            obj = registration_act(
                actor=request.user,
                obj=obj,
                action=action,
                reason=text_param(request.POST.get("reason"), max_length=500),
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(what)s is now “%(status)s”.") % {"what": obj, "status": obj.get_status_display()},
            )
        return redirect("portal_ciq:fleet_review")
