"""The enterprise's side of origin quarantine: declare, follow, withdraw, open the certificate."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.pagecache import PageCacheMixin
from accounts.params import id_param, open_page
from farms.models import Farm
from farms.selectors import farm_list_for_user
from portal_shared.certificates import certificate_pdf_response
from quarantine import services
from quarantine.selectors import (
    certificates_of,
    consignment_copy_initial,
    consignment_get_for_user,
    consignment_list_for_user,
    declarable_herd,
    declaration_readers,
)

from .forms import DeclarationForm

PER_PAGE = 25
HERD_SHOWN = 600


# The columns the list shows (a farm's building layout, a JSON document, is not loaded).
LIST_COLUMNS = (
    "number",
    "planned_loading_on",
    "head_count",
    "status",
    "farm__name_zh",
    "farm__name_en",
    "exit_port__name_zh",
    "exit_port__name_en",
)


class ConsignmentListView(RuleRequiredMixin, PageCacheMixin, TemplateView):
    nav_section = "consignments"
    permission_required = "quarantine.declare"
    template_name = "portal_enterprise/quarantine/consignment_list.html"

    def get_context_data(self, **kwargs):
        qs = (
            consignment_list_for_user(user=self.request.user)
            .order_by("-declared_at", "-pk")
            .select_related(None)
            .select_related("farm", "exit_port")
            .only(*LIST_COLUMNS)
        )
        # Hundreds a year for a large enterprise, year after year: newer and older pages, no count.
        page = open_page(self.request, qs, PER_PAGE)
        return super().get_context_data(page_obj=page, consignments=page.object_list, **kwargs)


class DeclareView(RuleRequiredMixin, PageCacheMixin, FormView):
    """The declaration form; its GET (with a farm's herd to tick: hundreds of check boxes) is kept
    rendered, the form's dates being today's (the page cache's day); a POST is always handled."""

    nav_section = "consignments"
    permission_required = "quarantine.declare"
    template_name = "portal_enterprise/quarantine/declare.html"
    form_class = DeclarationForm

    def farms(self):
        # The building layout (a JSON document per farm) is never shown here.
        return (
            farm_list_for_user(user=self.request.user)
            .filter(status__in=Farm.ACTIVE)
            .defer("layout")
            .order_by("name_zh")
        )

    def get_initial(self):
        today = timezone.localdate()
        initial = {"planned_loading_on": today, "isolation_started_on": today}
        # Ids from the query string: plain digits in range, else ignored (never int() of "²").
        copy, farm = id_param(self.request.GET.get("copy")), id_param(self.request.GET.get("farm"))
        if copy:
            initial.update(consignment_copy_initial(user=self.request.user, pk=copy))
        elif farm:
            initial["farm"] = farm
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["farms"] = self.farms()
        kwargs["picked"] = self.request.POST.getlist("pick") if self.request.method == "POST" else []
        kwargs["readers"] = declaration_readers(user=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        farm_id = (
            self.request.GET.get("farm")
            or context["form"].initial.get("farm")
            or self.request.POST.get("farm")
        )
        herd = []
        farm_id = id_param(farm_id)
        if farm_id:
            farm = self.farms().filter(pk=farm_id).first()
            if farm:
                herd = declarable_herd(farm=farm, limit=HERD_SHOWN)
        context["herd"] = herd
        context["picked"] = set(self.request.POST.getlist("pick"))
        return context

    def form_valid(self, form):
        tags = form.all_tags()
        if form.errors:
            return self.form_invalid(form)
        data = form.cleaned_data
        copied = id_param(self.request.GET.get("copy"))
        copied_from = None
        if copied:
            copied_from = consignment_get_for_user(user=self.request.user, pk=copied)
        declaration = services.Declaration(
            farm=data["farm"],
            species=data["species"],
            tags=tags,
            planned_loading_on=data["planned_loading_on"],
            isolation_started_on=data["isolation_started_on"],
            exit_port=data["exit_port"],
            consignee=data["consignee"],
            destination=data["destination"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            head_count=data["head_count"],
        )
        try:
            consignment = services.consignment_declare(
                actor=self.request.user, declaration=declaration, copied_from=copied_from
            )
        except services.DeclarationRefused as refused:
            return self.render_to_response(self.get_context_data(form=form, problems=refused.problems))
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, _("Consignment %(number)s declared.") % {"number": consignment.number})
        return redirect("portal_enterprise:consignment_detail", pk=consignment.pk)


class ConsignmentDetailView(RuleRequiredMixin, PageCacheMixin, TemplateView):
    nav_section = "consignments"
    permission_required = "quarantine.declare"
    template_name = "portal_enterprise/quarantine/consignment_detail.html"

    def get_context_data(self, **kwargs):
        consignment = consignment_get_for_user(user=self.request.user, pk=kwargs["pk"])
        return super().get_context_data(
            consignment=consignment,
            items=consignment.items.all(),
            changes=consignment.status_changes.select_related("actor"),
            certificates=certificates_of(consignment=consignment),
            **kwargs,
        )


class ConsignmentWithdrawView(RuleRequiredMixin, View):
    permission_required = "quarantine.declare"

    def post(self, request, pk):
        consignment = consignment_get_for_user(user=request.user, pk=pk)
        try:
            services.consignment_withdraw(
                actor=request.user, consignment=consignment, reason=request.POST.get("reason", "")
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The declaration was withdrawn; its animals are free again."))
        return redirect("portal_enterprise:consignment_detail", pk=pk)


class CertificatePdfView(RuleRequiredMixin, View):
    permission_required = "quarantine.declare"

    def get(self, request, pk, number):
        consignment = consignment_get_for_user(user=request.user, pk=pk)
        certificate = next((c for c in certificates_of(consignment=consignment) if c.number == number), None)
        if certificate is None:
            raise Http404
        return certificate_pdf_response(certificate)
