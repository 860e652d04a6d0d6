"""The alerts centre (预警中心): every warning in the user's scope, answered in place with htmx."""

import datetime as dt

from django.contrib import messages
from django.db.models import Count, F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.models import Organisation, Role
from accounts.pagecache import PageCacheMixin
from accounts.params import next_param, paginate
from accounts.selectors import ALL_SEEING_ROLES
from livestock.models import SubstanceAlert
from surveillance.models import Alert
from surveillance.selectors import alert_counts_for_user, alert_get_for_user, alert_list_for_user, alert_notes
from surveillance.services import alert_acknowledge, alert_close, alert_note_add, alert_show_to_enterprise

from ..livestock.views import with_evidence
from .forms import AlertFilterSet, NoteForm
from .links import subject_link

PER_PAGE = 25
EVIDENCE_SHOWN = 10

DONE = {
    "acknowledge": _("Acknowledged. Close the alert with a note once it is dealt with."),
    "note": _("Your note is kept with the alert."),
    "close": _("The alert is closed; your note is kept with it."),
    "show": _("The enterprise now sees this alert."),
    "hide": _("The enterprise no longer sees this alert."),
}


def decorate(alerts, *, user) -> list[Alert]:
    """Give each alert its link and whether ``user`` may act on it (no query per alert)."""
    alerts = list(alerts)
    may_handle = user.has_perm("surveillance.handle_alerts")
    may_show = user.has_perm("surveillance.show_alerts")
    for alert in alerts:
        own = user.role in ALL_SEEING_ROLES or alert.organisation_id == user.organisation_id
        alert.link = subject_link(alert)
        alert.may_act = may_handle and own and alert.is_open
        alert.may_show = may_show and own and alert.enterprise_id is not None
    return alerts


class AlertsMixin(RuleRequiredMixin):
    nav_section = "alert_centre"
    permission_required = "surveillance.view_alerts"


class AlertCentreView(AlertsMixin, PageCacheMixin, TemplateView):
    """Every alert in the user's scope: counts, filters, and the list answered in place."""

    page_cache_period = "minute"  # "5 minutes ago"

    template_name = "portal_ciq/surveillance/alert_centre.html"

    def organisations(self):
        """The organisations a manager may filter by (those alerts are addressed to)."""
        if self.request.user.role not in ALL_SEEING_ROLES:
            return None
        return Organisation.objects.exclude(kind=Organisation.Kind.ENTERPRISE).order_by("kind", "code")

    def get_context_data(self, **kwargs):
        user = self.request.user
        scoped = alert_list_for_user(user=user)
        filterset = AlertFilterSet(self.request.GET, queryset=scoped, organisations=self.organisations())
        alerts = filterset.qs if filterset.is_valid() else scoped.filter(state__in=Alert.OPEN)
        # Open before closed, then the most severe, then the newest.
        alerts = alerts.annotate(note_count=Count("notes")).order_by(
            F("closed_at").desc(nulls_first=True), "-severity", "-raised_at", "-pk"
        )
        page = paginate(self.request, alerts, PER_PAGE)
        query = self.request.GET.copy()
        query.pop("page", None)
        week_ago = timezone.now() - dt.timedelta(days=7)
        return super().get_context_data(
            filter=filterset,
            page_obj=page,
            alerts=decorate(page.object_list, user=user),
            counts=alert_counts_for_user(user=user),
            closed_week=scoped.filter(state=Alert.State.CLOSED, closed_at__gte=week_ago).count(),
            querystring=query.urlencode(),
            show_for=user.role != Role.INSPECTOR,
            next_url=self.request.get_full_path(),
            # The clock the page shows, from the clock its cache key takes its minute from
            # (the {% now %} tag reads the system's: a page kept in one minute could show another).
            shown_at=timezone.localtime(),
            **kwargs,
        )


class AlertDetailView(AlertsMixin, TemplateView):
    """One alert: what, who must act, its trail, its evidence, and the actions left."""

    template_name = "portal_ciq/surveillance/alert_detail.html"

    def get_context_data(self, **kwargs):
        alert = decorate(
            [alert_get_for_user(user=self.request.user, pk=self.kwargs["pk"])], user=self.request.user
        )[0]
        attempts = []
        if alert.kind == Alert.Kind.BANNED_SUBSTANCE:
            attempts = with_evidence(
                SubstanceAlert.objects.filter(alert=alert)
                .select_related("substance", "attempted_by")
                .order_by("-attempted_at")[:EVIDENCE_SHOWN]
            )
        return super().get_context_data(
            alert=alert,
            notes=alert_notes(alert=alert),
            attempts=attempts,
            note_form=NoteForm(),
            next_url=self.request.get_full_path(),
            **kwargs,
        )


class AlertActionView(RuleRequiredMixin, View):
    """Acknowledge, note, close, show or hide an alert; htmx gets the alert's row back in place."""

    permission_required = "surveillance.handle_alerts"
    action = ""  # acknowledge | note | close | show

    @cached_property
    def alert(self) -> Alert:
        return alert_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def perform(self, note: str) -> str:
        user, alert = self.request.user, self.alert
        if self.action == "acknowledge":
            alert_acknowledge(actor=user, alert=alert, note=note)
        elif self.action == "note":
            alert_note_add(actor=user, alert=alert, note=note)
        elif self.action == "close":
            alert_close(actor=user, alert=alert, note=note)
        else:
            shown = self.request.POST.get("shown") == "1"
            alert_show_to_enterprise(actor=user, alert=alert, shown=shown, note=note)
            return "show" if shown else "hide"
        return self.action

    def post(self, request, pk):
        form = NoteForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        error = None
        try:
            done = self.perform(note)
        except DomainError as exc:
            error = exc.message
        if request.htmx:
            alert = decorate([alert_get_for_user(user=request.user, pk=pk)], user=request.user)[0]
            alert.note_count = alert.notes.count()
            return render(
                request,
                "portal_ciq/surveillance/_alert_row.html",
                {
                    "alert": alert,
                    "error": error,
                    "done": None if error else DONE[done],
                    "note": note if error else "",
                    "next_url": request.POST.get("next", ""),
                    "show_for": request.user.role != Role.INSPECTOR,
                },
            )
        if error:
            messages.error(request, error)
        else:
            messages.success(request, DONE[done])
        return redirect(next_param(request, default=reverse("portal_ciq:alert_detail", args=[pk])))


class AlertShowView(AlertActionView):
    """Show an alert to the enterprise it is about, or hide it again (inspectors and managers)."""

    permission_required = "surveillance.show_alerts"
    action = "show"
