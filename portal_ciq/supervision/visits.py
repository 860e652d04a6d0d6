"""Recording a supervision visit (checklist, findings, photos) and reading it back."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from accounts.errors import DomainError
from accounts.params import id_param
from farms.models import Visit, VisitAnswer
from farms.selectors import farm_get_for_user
from farms.selectors_supervision import (
    checklist_template_for,
    supervised_farms_for_user,
    visit_get_for_user,
    visit_photo_get_for_user,
    visit_plan_get_for_user,
)
from farms.services.supervision import SUPERVISED, visit_record

from .forms import FindingFormSet, VisitForm
from .views import SupervisionMixin

RECORDED = _("The visit has been recorded.")
ALREADY_RECORDED = _("This planned visit has already been recorded; here it is.")
NO_TEMPLATE = _("No checklist is in use for this species. Ask the system administrator to set one up.")


class VisitCreateView(SupervisionMixin, TemplateView):
    """The visit form of one farm: its species' checklist, findings with actions, photos, summary.

    Without a farm it offers the farms of the branch to choose from; a farm outside the
    user's scope is not found.
    """

    template_name = "portal_ciq/supervision/visit_form.html"

    @cached_property
    def farm(self):
        pk = id_param(self.request.GET.get("farm"))
        return farm_get_for_user(user=self.request.user, pk=pk) if pk else None

    @cached_property
    def plan(self):
        pk = id_param(self.request.GET.get("plan"))
        if pk is None:
            return None
        plan = visit_plan_get_for_user(user=self.request.user, pk=pk)
        if self.farm is not None and plan.farm_id != self.farm.pk:
            raise Http404
        return plan

    @cached_property
    def template(self):
        return checklist_template_for(farm=self.farm) if self.farm else None

    def get(self, request, *args, **kwargs):
        if self.plan is not None and Visit.objects.filter(plan=self.plan).exists():
            messages.info(request, ALREADY_RECORDED)
            return redirect("portal_ciq:visit_detail", pk=self.plan.visit.pk)
        if self.farm is None and self.plan is not None:
            return redirect(f"{request.path}?farm={self.plan.farm_id}&plan={self.plan.pk}")
        return super().get(request, *args, **kwargs)

    def forms(self, data=None, files=None):
        if self.template is None:
            return None, None
        items = self.template.items.all()
        return (
            VisitForm(data, files, template=self.template, prefix="visit"),
            FindingFormSet(data, prefix="findings", form_kwargs={"items": items}),
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", None)
        if kwargs["form"] is None:
            kwargs["form"], kwargs["findings"] = self.forms()
        return super().get_context_data(
            farm=self.farm,
            plan=self.plan,
            checklist=self.template,
            farms=None if self.farm else supervised_farms_for_user(user=self.request.user),
            points=settings.CREDIT_FINDING_POINTS,
            not_supervised=self.farm is not None and self.farm.status not in SUPERVISED,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if self.farm is None:
            raise Http404
        form, findings = self.forms(request.POST, request.FILES)
        if form is None:
            messages.error(request, NO_TEMPLATE)
            return self.render_to_response(self.get_context_data())
        if form.is_valid() & findings.is_valid():
            rows = [f.finding() for f in findings.forms if f.has_changed()]
            try:
                visit = visit_record(
                    actor=request.user,
                    farm=self.farm,
                    template=self.template,
                    plan=self.plan,
                    visited_on=form.cleaned_data["visited_on"],
                    answers=form.answers(),
                    findings=[r for r in rows if r],
                    summary=form.cleaned_data["summary"],
                    photos=form.cleaned_data["photos"],
                )
            except DomainError as e:
                self.refused(e, form, findings, rows)
            else:
                messages.success(request, RECORDED)
                return redirect("portal_ciq:visit_detail", pk=visit.pk)
        return self.render_to_response(self.get_context_data(form=form, findings=findings))

    def refused(self, error: DomainError, form, findings, rows) -> None:
        """Show the service's refusal beside the field, row or questions it names."""
        if error.field == "answers":
            form.mark_missing()
            form.add_error(None, error.message)
        elif error.field in ("deadline", "findings") and error.items:
            # The service counts the findings it was given; map back to the formset's rows.
            given = [f for f in findings.forms if f.has_changed() and f.finding()]
            target = given[error.items[0]]
            target.add_error("deadline" if error.field == "deadline" else None, error.message)
        elif error.field in form.fields:
            form.add_error(error.field, error.message)
        else:
            form.add_error(None, error.message)


class VisitDetailView(SupervisionMixin, TemplateView):
    template_name = "portal_ciq/supervision/visit_detail.html"

    def get_context_data(self, **kwargs):
        visit = visit_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        answers = list(visit.answers.all())
        return super().get_context_data(
            visit=visit,
            answers=answers,
            not_ok=sum(1 for a in answers if a.result == VisitAnswer.Result.NOT_OK),
            findings=visit.findings.all(),
            photos=visit.photos.all(),
            **kwargs,
        )


class VisitPhotoView(SupervisionMixin, View):
    """A visit photo, served only to those who may see the farm (media files are not public)."""

    def get(self, request, pk):
        photo = visit_photo_get_for_user(user=request.user, pk=pk)
        try:
            handle = photo.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return FileResponse(handle, content_type=photo.content_type, filename=photo.original_name)
