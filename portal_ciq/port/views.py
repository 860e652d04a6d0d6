"""The port officer's screen (part III of the certificate): open a certificate by its number or its
QR code, see at once its validity, the seals, the head count and the tags against the manifest,
then release or hold; a supervisor overrides a hold; the export notice as PDF and JSON."""

import json

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.pagecache import PageCacheMixin
from accounts.params import text_param
from portal_shared.desk import form_error
from transit.models import PortCheck
from transit.pdf_port import export_notice_pdf
from transit.selectors.port import (
    port_certificate_for_user,
    port_check_get_for_user,
    port_checks_for_user,
    port_checks_recent_for_user,
    port_queue_for_user,
    port_view,
    trip_of_certificate,
)
from transit.services.port import is_supervisor, port_hold, port_override, port_release

from ..warehouse.forms import split
from .forms import OverrideForm, PortCheckForm

RELEASED = _("Released: certificate {number} is now used and the consignment closed as exported.")
HELD = _("Held: {reason}")
OVERRIDDEN = _("Hold overridden. The truck may now be released.")
QR_LIMIT = 400


class PortMixin(RuleRequiredMixin):
    permission_required = "transit.see_port"
    nav_section = "port"


class PortScreenView(PortMixin, PageCacheMixin, TemplateView):
    """Find a certificate and check its truck; POST checks again, releases or holds."""

    template_name = "portal_ciq/port/screen.html"

    def get(self, request, *args, **kwargs):
        q = text_param(request.GET.get("q"), max_length=QR_LIMIT)
        context = {"q": q}
        if q:
            context.update(self._lookup(q))
        return self.render_to_response(self.get_context_data(**context))

    def _lookup(self, q, form=None):
        try:
            certificate = port_certificate_for_user(user=self.request.user, text=q)
        except DomainError as exc:
            return {"lookup_error": str(exc)}
        trip = trip_of_certificate(certificate)
        has_arrival = bool(trip and hasattr(trip, "arrival"))
        if form is None:
            source = "warehouse" if has_arrival else "typed"
            form = PortCheckForm(
                initial={"q": certificate.number, "source": source, "head_counted": None, "seals_intact": "1"}
            )
            view = port_view(certificate=certificate, trip=trip, source=source)
        else:
            data = form.cleaned_data if form.is_valid() else {}
            view = port_view(
                certificate=certificate,
                trip=trip,
                tags=split(data.get("tags", "")),
                source=data.get("source", "typed"),
            )
            view.seals_intact = data.get("seals_intact", True)
            view.head_counted = data.get("head_counted")
        # A truck held here shows its hold (and any override) above the form: the template's banner.
        held = None
        if trip is not None and trip.status == "held":
            held = (
                port_checks_for_user(user=self.request.user)
                .filter(trip=trip, outcome=PortCheck.Outcome.HELD)
                .first()
            )
        return {
            "check": view,
            "certificate": certificate,
            "trip": trip,
            "form": form,
            "has_arrival": has_arrival,
            "held": held,
        }

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("transit.work_port"):
            return self.handle_no_permission()
        form = PortCheckForm(request.POST)
        q = text_param(request.POST.get("q"), max_length=QR_LIMIT)
        action = request.POST.get("action", "check")
        context = {"q": q, **self._lookup(q, form)}
        certificate = context.get("certificate")
        if certificate is not None and form.is_valid() and action in ("release", "hold"):
            data = form.cleaned_data
            args = {
                "actor": request.user,
                "certificate": certificate,
                "head_counted": data["head_counted"],
                "seals_intact": data["seals_intact"],
                "tags": split(data["tags"]),
                "source": data["source"],
            }
            try:
                if action == "release":
                    check = port_release(**args)
                    messages.success(request, format_lazy(RELEASED, number=certificate.number))
                else:
                    check = port_hold(reason=data["reason"], **args)
                    messages.warning(request, format_lazy(HELD, reason=check.reason))
            except DomainError as exc:
                form_error(form, exc)
            else:
                return redirect("portal_ciq:port_check", pk=check.pk)
        return self.render_to_response(self.get_context_data(**context))

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            queue=list(port_queue_for_user(user=user)[:30]),
            recent=port_checks_recent_for_user(user=user),
            can_work=user.has_perm("transit.work_port"),
            **kwargs,
        )


class PortCheckView(PortMixin, TemplateView):
    """One decision: what was found, the hold's reason, its override, the export notice."""

    template_name = "portal_ciq/port/check.html"
    permission_required = "transit.see_export_notice"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.check = port_check_get_for_user(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("transit.override_hold"):
            return self.handle_no_permission()
        form = OverrideForm(request.POST)
        if form.is_valid():
            try:
                port_override(actor=request.user, check=self.check, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, OVERRIDDEN)
                return redirect("portal_ciq:port_check", pk=self.check.pk)
        return self.render_to_response(self.get_context_data(override_form=form))

    def get_context_data(self, **kwargs):
        check = self.check
        user = self.request.user
        kwargs.setdefault("override_form", OverrideForm())
        may_override = (
            check.outcome == PortCheck.Outcome.HELD
            and not check.override_at
            and check.trip.status == "held"
            and is_supervisor(user, check.port_id)
            and check.checked_by_id != user.pk
        )
        return super().get_context_data(
            check=check,
            may_override=may_override,
            notice_json=json.dumps(check.notice, ensure_ascii=False, indent=2) if check.notice else "",
            **kwargs,
        )


class NoticeView(PortMixin, View):
    """The export notice for the Hong Kong side, as PDF or JSON."""

    permission_required = "transit.see_export_notice"
    fmt = "pdf"

    def get(self, request, pk):
        check = port_check_get_for_user(user=request.user, pk=pk)
        if not check.notice:
            return HttpResponse(status=404)
        name = f"export-notice-{check.certificate.number}"
        if self.fmt == "json":
            response = JsonResponse(check.notice, json_dumps_params={"ensure_ascii": False, "indent": 2})
            response["Content-Disposition"] = f'attachment; filename="{name}.json"'
            return response
        response = HttpResponse(export_notice_pdf(check.notice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response
