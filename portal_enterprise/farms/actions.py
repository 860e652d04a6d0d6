"""The farm page's buttons (submit, withdraw, attach), the attachment download and the county look-up."""

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View

from accounts.errors import DomainError
from farms import places, regions
from farms.services.registration import farm_attachment_add, farm_submit, farm_withdraw

from .forms import AttachmentForm, WithdrawForm
from .views import FarmsMixin

SUBMITTED = _("The application has been submitted to {branch} for review.")
WITHDRAWN = _("The application has been withdrawn.")
ATTACHED = _("“{name}” has been attached.")
ATTACHMENT_INVALID = _("Choose the kind of document and a file to upload.")


class _FarmActionView(FarmsMixin, View):
    """A POST on one farm: call the service, say what happened, go back to the farm's page."""

    http_method_names = ["post"]
    anchor = ""

    def post(self, request, pk):
        farm = self.farm
        try:
            message = self.act(request, farm)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            if message:
                messages.success(request, message)
        return redirect(reverse("portal_enterprise:farm_detail", kwargs={"pk": farm.pk}) + self.anchor)


class FarmSubmitView(_FarmActionView):
    def act(self, request, farm):
        farm = farm_submit(actor=request.user, farm=farm)
        return format_lazy(SUBMITTED, branch=farm.branch.name)


class FarmWithdrawView(_FarmActionView):
    def act(self, request, farm):
        form = WithdrawForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        farm_withdraw(actor=request.user, farm=farm, reason=reason)
        return WITHDRAWN


class FarmAttachmentAddView(_FarmActionView):
    anchor = "#attachments"

    def act(self, request, farm):
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            raise DomainError(ATTACHMENT_INVALID)
        attachment = farm_attachment_add(
            actor=request.user, farm=farm, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"]
        )
        return format_lazy(ATTACHED, name=attachment.original_name)


class FarmAttachmentView(FarmsMixin, View):
    """Stream an attachment to someone who may see its farm; files are never on a public URL."""

    def get(self, request, pk, attachment_pk):
        attachment = get_object_or_404(self.farm.attachments, pk=attachment_pk)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        # Images and PDFs open in the browser; the type is the one checked at upload, not the name's.
        return FileResponse(handle, content_type=attachment.content_type, filename=attachment.original_name)


class FarmCountiesView(FarmsMixin, View):
    """Return the counties of a province (?province=44), or those matching a name (?q=博罗), as JSON."""

    def get(self, request):
        if text := request.GET.get("q", "").strip():
            counties = regions.search(text)[:30]
        else:
            counties = regions.counties_in(request.GET.get("province", ""))
        english = places.english()
        return JsonResponse(
            {
                "counties": [
                    {
                        "code": c.code,
                        "name": c.local_name(english),
                        "city": ""
                        if c.city_name == c.province_name
                        else (english and c.city_name_en) or c.city_name,
                        "province": (english and c.province_name_en) or c.province_name,
                        # As the form's own county list and the farm's pages write them.
                        "label": places.county_option_label(c, english),
                        "parent": c.parent(english),
                        "province_code": c.province_code,
                        "lat": c.latitude,
                        "lng": c.longitude,
                    }
                    for c in counties
                ]
            }
        )
