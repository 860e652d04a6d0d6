"""The bureau's side of origin quarantine: the branch's queue, a consignment and its actions."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.models import Role
from accounts.pagecache import PageCacheMixin
from accounts.params import open_page, paginate
from farms.models import CreditRating
from portal_shared.certificates import certificate_pdf_response
from quarantine import services
from quarantine.keys import public_keys
from quarantine.labels import sample_labels_pdf
from quarantine.models import Analyte, Consignment
from quarantine.selectors import (
    certificate_check,
    certificates_of,
    checklist_for,
    consignment_get_for_user,
    consignment_list_for_user,
    consignment_queue_for_user,
    lab_queue_for_user,
)

PER_PAGE = 30


def _grades(enterprise_ids) -> dict[int, str]:
    """The rating in force of each enterprise (one query)."""
    grades = {}
    rows = CreditRating.objects.filter(enterprise_id__in=set(enterprise_ids)).order_by(
        "enterprise_id", "-computed_at", "-pk"
    )
    for enterprise_id, grade in rows.values_list("enterprise_id", "grade"):
        grades.setdefault(enterprise_id, grade)
    return grades


# The columns the queue shows (a farm's building layout, a JSON document, is not loaded).
QUEUE_COLUMNS = (
    "number",
    "planned_loading_on",
    "head_count",
    "status",
    "enterprise_id",
    "farm__name_zh",
    "farm__name_en",
    "enterprise__name_zh",
    "enterprise__name_en",
)


class QueueView(RuleRequiredMixin, PageCacheMixin, TemplateView):
    """The branch's consignments in inspection, by loading date, with farm and credit grade."""

    nav_section = "consignments"
    permission_required = "quarantine.follow"
    template_name = "portal_ciq/quarantine/queue.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        show = "all" if self.request.GET.get("show") == "all" else ""
        if user.role == Role.LAB_ANALYST:
            qs = lab_queue_for_user(user=user)
        elif show == "all":
            qs = consignment_list_for_user(user=user).order_by("-declared_at", "-pk")
        else:
            qs = consignment_queue_for_user(user=user)
        qs = qs.select_related(None).select_related("farm", "enterprise").only(*QUEUE_COLUMNS)
        if show == "all":
            # Every consignment of the year and the years before: paged by the index on the
            # declaration time, never counted.
            page = open_page(self.request, qs, PER_PAGE)
        else:  # those in inspection: a few days' worth, counted for the pager
            page = paginate(self.request, qs, PER_PAGE)
        rows = list(page.object_list)
        grades = _grades(c.enterprise_id for c in rows)
        for c in rows:
            c.grade = grades.get(c.enterprise_id, "A")
        return super().get_context_data(
            page_obj=page, consignments=rows, show=show, querystring="show=all" if show else "", **kwargs
        )


class ConsignmentView(RuleRequiredMixin, PageCacheMixin, TemplateView):
    nav_section = "consignments"
    permission_required = "quarantine.follow"
    template_name = "portal_ciq/quarantine/consignment.html"

    def page_cache_key(self, request, db: str) -> str:
        # The certificates' states depend on the published keys (a key no longer listed makes a
        # certificate "altered"), a setting: a page kept under other keys is another page.
        return f"{super().page_cache_key(request, db)}:{','.join(sorted(public_keys()))}"

    def get_context_data(self, **kwargs):
        consignment = consignment_get_for_user(user=self.request.user, pk=kwargs["pk"])
        certificates = certificates_of(consignment=consignment)
        analytes = [
            a
            for a in Analyte.objects.filter(is_active=True)
            if not a.species or a.species == consignment.species
        ]
        return super().get_context_data(
            consignment=consignment,
            items=consignment.items.all(),
            changes=consignment.status_changes.select_related("actor"),
            checklist=checklist_for(consignment.species),
            samples=consignment.samples.prefetch_related("results__analyte"),
            analytes=analytes,
            checks=[certificate_check(c) for c in certificates],
            can=lambda action: consignment.can(action),
            **kwargs,
        )


class ActionView(RuleRequiredMixin, View):
    """One action of Consignment.ACTIONS, posted from the consignment's page."""

    permission_required = "quarantine.inspect"

    def perform(self, request, consignment):
        raise NotImplementedError

    def post(self, request, pk):
        consignment = consignment_get_for_user(user=request.user, pk=pk)
        try:
            self.perform(request, consignment)
        except DomainError as error:
            messages.error(request, str(error))
            for item in error.items[1:]:
                messages.error(request, str(item))
        else:
            consignment.refresh_from_db()
            messages.success(
                request,
                _("Consignment %(number)s is now “%(status)s”.")
                % {"number": consignment.number, "status": consignment.get_status_display()},
            )
        return redirect("portal_ciq:consignment_detail", pk=pk)


class AcceptView(ActionView):
    def perform(self, request, consignment):
        services.consignment_accept(actor=request.user, consignment=consignment)


class ExamineView(ActionView):
    def perform(self, request, consignment):
        answers = {
            item.pk: request.POST.get(f"item-{item.pk}") == "ok"
            for item in checklist_for(consignment.species)
            if request.POST.get(f"item-{item.pk}") in ("ok", "not_ok")
        }
        services.consignment_examine(
            actor=request.user, consignment=consignment, answers=answers, notes=request.POST.get("notes", "")
        )


class SampleView(ActionView):
    def perform(self, request, consignment):
        services.consignment_sample(actor=request.user, consignment=consignment)


class ResultsView(ActionView):
    permission_required = "quarantine.enter_results"

    def perform(self, request, consignment):
        rows = []
        for sample in consignment.samples.all():
            for key, value in request.POST.items():
                prefix = f"r-{sample.pk}-"
                if key.startswith(prefix):
                    rows.append({"sample": sample.number, "analyte": key[len(prefix) :], "result": value})
        services.lab_results_record(actor=request.user, consignment=consignment, rows=rows)


class ApproveView(ActionView):
    def perform(self, request, consignment):
        services.consignment_approve(
            actor=request.user, consignment=consignment, capacity=request.POST.get("capacity", "")
        )


class RejectView(ActionView):
    def perform(self, request, consignment):
        services.consignment_reject(
            actor=request.user, consignment=consignment, reason=request.POST.get("reason", "")
        )


class CancelView(ActionView):
    def perform(self, request, consignment):
        services.consignment_cancel(
            actor=request.user, consignment=consignment, reason=request.POST.get("reason", "")
        )


def _certificate(consignment: Consignment, number: str):
    found = next((c for c in certificates_of(consignment=consignment) if c.number == number), None)
    if found is None:
        raise Http404
    return found


class CertificateVoidView(ActionView):
    def perform(self, request, consignment):
        services.certificate_void(
            actor=request.user,
            certificate=_certificate(consignment, self.kwargs["number"]),
            reason=request.POST.get("reason", ""),
        )

    def post(self, request, pk, number):
        return super().post(request, pk)


class CertificateReplaceView(CertificateVoidView):
    def perform(self, request, consignment):
        services.certificate_replace(
            actor=request.user,
            certificate=_certificate(consignment, self.kwargs["number"]),
            reason=request.POST.get("reason", ""),
        )


class SampleLabelsView(RuleRequiredMixin, View):
    """The consignment's sample labels as a PDF (A4, 24 labels a sheet), for the branch's inspectors."""

    permission_required = "quarantine.inspect"

    def get(self, request, pk):
        consignment = consignment_get_for_user(user=request.user, pk=pk)
        samples = list(consignment.samples.order_by("number"))
        if not samples:
            raise Http404
        response = HttpResponse(sample_labels_pdf(consignment, samples), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{consignment.number}-labels.pdf"'
        return response


class CertificatePdfView(RuleRequiredMixin, View):
    permission_required = "quarantine.follow"

    def get(self, request, pk, number):
        consignment = consignment_get_for_user(user=request.user, pk=pk)
        return certificate_pdf_response(_certificate(consignment, number))


SESSION_KEY = "quarantine_lims_rows"


class LimsImportView(RuleRequiredMixin, PageCacheMixin, TemplateView):
    """Upload a LIMS export, see every row checked, then import it all (or nothing)."""

    nav_section = "consignments"
    permission_required = "quarantine.enter_results"
    template_name = "portal_ciq/quarantine/lims_import.html"

    def post(self, request):
        if "confirm" in request.POST:
            rows = request.session.pop(SESSION_KEY, None)
            if not rows:
                messages.error(request, _("Upload the file again: the checked rows were not kept."))
                return redirect("portal_ciq:lims_import")
            try:
                done = services.lims_import(actor=request.user, rows=rows)
            except DomainError as error:
                return self.render_to_response(self.get_context_data(problems=error.items or [error.message]))
            messages.success(
                request, _("Results recorded for %(count)s consignment(s).") % {"count": len(done)}
            )
            return redirect("portal_ciq:consignment_queue")
        upload = request.FILES.get("file")
        if upload is None:
            return self.render_to_response(self.get_context_data(problems=[_("Choose the LIMS CSV file.")]))
        try:
            rows = services.lims_parse(upload)
            preview = services.lims_check(actor=request.user, rows=rows)
        except DomainError as error:
            return self.render_to_response(self.get_context_data(problems=[error.message]))
        if preview.ok:
            request.session[SESSION_KEY] = rows
        return self.render_to_response(self.get_context_data(preview=preview, problems=preview.problems))
