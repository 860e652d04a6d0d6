"""The enterprise's ear-tag stock and the import of a supplier's list (national code ↔ RFID)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, ListView

from accounts.errors import DomainError
from accounts.params import ClampedPageMixin
from farms.selectors import farm_list_for_user
from livestock.models import EarTag, TagIssue
from livestock.selectors import tag_list_for_user
from livestock.services.tags import COLUMNS, tag_issue_import

from .common import WRITE, HerdMixin, refuse
from .filters import TagFilterSet
from .forms import TagImportForm
from .imports import csv_response, header_for

COLUMN_LABELS = {"national_code": _("National code"), "rfid": _("RFID number")}


class TagListView(ClampedPageMixin, HerdMixin, ListView):
    """The tags the enterprise has received, by status, with the animal each one marks."""

    nav_section = "herd_tags"
    template_name = "portal_enterprise/livestock/tag_list.html"
    context_object_name = "tags"
    paginate_by = 50

    def get_queryset(self):
        queryset = tag_list_for_user(user=self.request.user).order_by("national_code")
        self.filterset = TagFilterSet(self.request.GET or None, queryset=queryset, request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        counted = dict(
            tag_list_for_user(user=user)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        status_query = self.request.GET.copy()
        status_query.pop("page", None)
        status_query.pop("status", None)
        context.update(
            filter=self.filterset,
            status_counts=[(s, label, counted.get(s, 0)) for s, label in EarTag.Status.choices],
            total=sum(counted.values()),
            current_status=self.request.GET.get("status", ""),
            status_base=status_query.urlencode(),
            querystring=query.urlencode(),
            issues=TagIssue.objects.filter(enterprise_id=user.organisation_id).select_related(
                "farm", "issued_by"
            )[:6],
            can_keep=user.has_perms(WRITE),
        )
        return context


class TagImportView(HerdMixin, FormView):
    """Import a supplier's list: every row bound (national code ↔ RFID), or nothing and the errors."""

    nav_section = "herd_tags"
    permission_required = WRITE
    template_name = "portal_enterprise/livestock/tag_import.html"
    form_class = TagImportForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["farms"] = farm_list_for_user(user=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        language = translation.get_language() or ""
        return super().get_context_data(
            headers=[(header_for(k, a, language), COLUMN_LABELS[k], a) for k, a in COLUMNS.items()],
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            issue = tag_issue_import(
                actor=self.request.user,
                file=data["file"],
                supplier=data["supplier"],
                reference=data["reference"],
                farm=data["farm"],
            )
        except DomainError as exc:
            refuse(form, exc)
            rows = [e for e in exc.items if isinstance(e, dict)]
            for row in rows:
                row["label"] = COLUMN_LABELS.get(row.get("column"), row.get("column"))
            return self.render_to_response(self.get_context_data(form=form, row_errors=rows))
        text = ngettext(
            "{count} tag from {supplier} is now in stock.",
            "{count} tags from {supplier} are now in stock.",
            issue.tag_count,
        )
        messages.success(self.request, text.format(count=issue.tag_count, supplier=issue.supplier))
        url = reverse("portal_enterprise:tag_list")
        return redirect(f"{url}?{urlencode({'status': EarTag.Status.AVAILABLE})}")


class TagTemplateView(HerdMixin, View):
    """An empty supplier's list with the two column headers the import reads."""

    def get(self, request, *args, **kwargs):
        language = translation.get_language() or ""
        return csv_response("ear-tags.csv", [[header_for(k, a, language) for k, a in COLUMNS.items()]])
