"""The bureau's tag readers: the list, registering one, its live page and feed, revoking it.

The live parts are htmx polls: the list re-renders its table every 5 s, and a reader's page asks
its feed every 2 s for the reads stored after the newest one it shows (templates/readers/).
"""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.models import Role
from accounts.pagecache import PageCacheMixin
from accounts.params import MAX_ID, int_param, paginate
from accounts.templatetags.safe_time import local_or_utc
from livestock.models import ReaderDevice
from livestock.selectors import (
    FEED_LIMIT,
    FIRST_ROWS,
    LATE_AFTER_S,
    read_counts,
    reader_get_for_user,
    reader_is_manageable,
    reader_list_for_user,
    reader_manageable_get_for_user,
    reader_status,
    reads_after,
    refused_payloads_of,
)
from livestock.services.devices import device_register, device_revoke
from livestock.services.refusals import refusal_counts

from .forms import ReaderFilterForm, ReaderRegisterForm, ReaderRevokeForm

READERS_PER_PAGE = 50
# The session remembers which reader was just registered, so that its secret is shown once.
NEW_READER_KEY = "portal_ciq.readers.new"

REGISTERED = _("Reader “{name}” is registered. Copy its secret now: it is not shown again.")
REVOKED = _("Reader “{name}” is revoked: its bridge's reads and heartbeats are now refused. Reason: {reason}")
BRIDGE_SECRET_DIR = "/etc/rfid-bridge"


class ReaderAccessMixin(RuleRequiredMixin):
    permission_required = "livestock.see_readers"
    nav_section = "readers"


def annotate_status(devices, *, now=None) -> list[ReaderDevice]:
    now = now or timezone.now()
    for device in devices:
        device.status = reader_status(device, now=now)
    return devices


def filter_readers(queryset, form: ReaderFilterForm):
    if not form.is_valid():
        return queryset
    text, state = form.cleaned_data["q"].strip(), form.cleaned_data["state"]
    if text:
        queryset = queryset.filter(
            Q(code__icontains=text)
            | Q(name__icontains=text)
            | Q(farm__name_zh__icontains=text)
            | Q(farm__name_en__icontains=text)
            | Q(site__name_zh__icontains=text)
            | Q(site__name_en__icontains=text)
        )
    if state:
        now = timezone.now()
        fresh = Q(
            heartbeat_at__gte=now - dt.timedelta(seconds=settings.LIVESTOCK_HEARTBEAT_STALE_S),
            # A heartbeat dated in the future (a wrong clock) says nothing about being online.
            heartbeat_at__lte=now + dt.timedelta(seconds=settings.LIVESTOCK_CLOCK_SKEW_S),
        )
        queryset = {
            "online": queryset.filter(fresh, is_active=True),
            "offline": queryset.filter(is_active=True).exclude(fresh),
            "revoked": queryset.filter(is_active=False),
        }[state]
    return queryset


class ReaderListView(ReaderAccessMixin, TemplateView):
    """Every reader in the user's scope and what its bridge last said; the table refreshes itself."""

    template_name = "portal_ciq/readers/reader_list.html"
    table_template_name = "portal_ciq/readers/_table.html"

    def get_template_names(self):
        # The 5-second poll asks for the table alone.
        return [self.table_template_name] if self.request.htmx else [self.template_name]

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ("HX-Request",))
        return response

    def get_context_data(self, **kwargs):
        form = ReaderFilterForm(self.request.GET or None)
        readers = filter_readers(reader_list_for_user(user=self.request.user), form)
        page = paginate(self.request, readers, READERS_PER_PAGE)
        annotate_status(page.object_list)
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=form,
            page_obj=page,
            paginator=page.paginator,
            readers=page.object_list,
            querystring=query.urlencode(),
            poll_url=self.request.get_full_path(),
            refreshed_at=timezone.now(),
            refusals=refusal_counts()
            if not self.request.htmx and self.request.user.has_perm("livestock.see_bridge_refusals")
            else None,
            **kwargs,
        )


class ReaderCreateView(RuleRequiredMixin, FormView):
    """Register a reader; its page then shows the secret and the bridge's command line once."""

    permission_required = "livestock.manage_readers"
    nav_section = "readers"
    template_name = "portal_ciq/readers/reader_form.html"
    form_class = ReaderRegisterForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            device = device_register(
                actor=self.request.user,
                code=data["code"],
                name=data["name"],
                farm=data.get("farm"),
                site=data.get("site"),
            )
        except DomainError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, error.message)
            return self.form_invalid(form)
        self.request.session[NEW_READER_KEY] = device.pk
        messages.success(self.request, format_lazy(REGISTERED, name=device.name))
        return redirect("portal_ciq:reader_detail", pk=device.pk)


def animal_url(pk: int) -> str:
    """The bureau's page of an animal, or "" while the portal has none (its page comes separately)."""
    try:
        return reverse("portal_ciq:animal_detail", args=[pk])
    except NoReverseMatch:
        return ""


def feed_context(request, device: ReaderDevice, *, after: int, limit: int) -> dict:
    """What the live feed's partials need: new reads, the last-minute counts, the status."""
    now = timezone.now()
    today = timezone.localdate(now)
    reads = reads_after(device=device, after=after, limit=limit)
    user = request.user
    may_open = user.has_perm("livestock.see_animals")
    for read in reads:
        read.late = (read.received_at - read.read_at).total_seconds() > LATE_AFTER_S
        # A read dated in 9999 (a wrong clock, stored before times were checked) has no local date.
        shown, in_utc = local_or_utc(read.read_at)
        read.other_day = in_utc or shown.date() != today
        # Link only an animal the user may open: an inspector, the own branch's farms' animals.
        linkable = (
            may_open
            and read.animal_id is not None
            and (user.role != Role.INSPECTOR or read.animal.farm.branch_id == user.organisation_id)
        )
        read.animal_url = animal_url(read.animal_id) if linkable else ""
    return {
        "device": device,
        "status": reader_status(device, now=now),
        "reads": reads,
        "after": reads[0].pk if reads else after,
        "truncated": len(reads) >= limit and after > 0,
        "counts": read_counts(device=device, now=now),
    }


class ReaderDetailView(ReaderAccessMixin, PageCacheMixin, TemplateView):
    """One reader: its status, and its reads as they arrive."""

    page_cache_period = "second"  # the heartbeat's age, the reads of the last minute

    def page_cache_skip(self, request):
        # Right after the reader is registered the page shows its secret, once: never kept.
        return NEW_READER_KEY in request.session

    template_name = "portal_ciq/readers/reader_detail.html"

    @cached_property
    def device(self) -> ReaderDevice:
        return reader_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        request, device = self.request, self.device
        new = request.session.get(NEW_READER_KEY) == device.pk
        if new:
            del request.session[NEW_READER_KEY]
        manageable = device.is_active and reader_is_manageable(user=request.user, device=device)
        server = request.build_absolute_uri("/").rstrip("/")
        return super().get_context_data(
            **feed_context(request, device, after=0, limit=FIRST_ROWS),
            feed_url=reverse("portal_ciq:reader_feed", args=[device.pk]),
            primed=True,
            status_card=True,
            setup=bridge_setup(device, server=server) if new else None,
            revoke_form=ReaderRevokeForm() if manageable else None,
            refused=refused_payloads_of(device=device),
            retention_days=settings.LIVESTOCK_REJECTED_RETENTION_DAYS,
            **kwargs,
        )


def bridge_setup(device: ReaderDevice, *, server: str) -> dict:
    """The secret and the lines to copy into the bridge's configuration (see rfid_bridge.config)."""
    secret_file = f"{BRIDGE_SECRET_DIR}/{device.code}.secret"
    return {
        "secret": device.secret,
        "secret_file": secret_file,
        "command": (
            f"python -m rfid_bridge run --port /dev/ttyUSB0 --device {device.code} "
            f"--server {server} --secret-file {secret_file}"
        ),
        "env": "\n".join(
            [
                f"RFID_BRIDGE_DEVICE={device.code}",
                "RFID_BRIDGE_PORT=/dev/ttyUSB0",
                f"RFID_BRIDGE_SERVER={server}",
                f"RFID_BRIDGE_SECRET={device.secret}",
            ]
        ),
    }


class ReaderFeedView(ReaderAccessMixin, PageCacheMixin, View):
    """The reads stored after ``?after=<id>`` (newest first, at most FEED_LIMIT), counts and status."""

    page_cache_period = "second"

    def get(self, request, pk):
        device = reader_get_for_user(user=request.user, pk=pk)
        # Bounded to the id column's range: a forged huge number must not reach the database.
        after = int_param(request.GET.get("after"), default=0, minimum=0, maximum=MAX_ID)
        context = feed_context(request, device, after=after, limit=FEED_LIMIT)
        context["feed_url"] = request.path
        context["status_card"] = request.GET.get("card") == "1"
        response = render(request, "readers/_feed_update.html", context)
        response["Cache-Control"] = "no-store"
        return response


class ReaderRevokeView(RuleRequiredMixin, View):
    """Revoke a reader: its bridge's payloads are refused from now on."""

    permission_required = "livestock.manage_readers"

    def post(self, request, pk):
        device = reader_manageable_get_for_user(user=request.user, pk=pk)
        form = ReaderRevokeForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("portal_ciq:reader_detail", pk=device.pk)
        try:
            device_revoke(actor=request.user, device=device, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.warning(
                request, format_lazy(REVOKED, name=device.name, reason=form.cleaned_data["reason"].strip())
            )
        return redirect("portal_ciq:reader_detail", pk=device.pk)
