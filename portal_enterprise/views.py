"""The enterprise portal: the company's home and its administrator's user management."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View

from accounts.access import RuleRequiredMixin
from accounts.errors import DomainError
from accounts.forms import OrganisationContactForm, ReasonForm, UserCreateForm, UserForm, user_initial
from accounts.models import Organisation
from accounts.pagecache import PageCacheMixin
from accounts.selectors import user_list_for_user, user_manageable_for_user
from accounts.services import (
    organisation_contact_update,
    user_create,
    user_deactivate,
    user_reactivate,
    user_update,
)
from farms.selectors import credit_rating_current, farm_list_for_user, farm_summary_for_user
from surveillance.selectors import alert_counts_for_user, restricted_farm_ids


class EnterpriseMixin(RuleRequiredMixin):
    permission_required = "portal_enterprise.access"


class HomeView(EnterpriseMixin, PageCacheMixin, TemplateView):
    """The company at a glance: who it is, who supervises it, its farms, its rating and its people."""

    nav_section = "company"
    template_name = "portal_enterprise/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        people = user_list_for_user(user=user).order_by("-is_active", "role", "full_name")
        alerts = alert_counts_for_user(user=user)
        self.request._open_alert_count = alerts["open"]  # the navigation's badge reads it
        return super().get_context_data(
            organisation=user.organisation,
            branch=user.organisation.branch,
            people=people,
            counts=people.aggregate(active=Count("pk", filter=Q(is_active=True)), total=Count("pk")),
            farms=farm_summary_for_user(user=user),
            rating=credit_rating_current(enterprise_id=user.organisation_id),
            alerts=alerts,
            restricted=len(restricted_farm_ids(farm_ids=farm_list_for_user(user=user).values("pk"))),
            **kwargs,
        )


class _ServiceFormView(RuleRequiredMixin, FormView):
    """A settings form saved by a service call (``save``): a refusal is shown on the form, beside
    its field, and nothing is saved."""

    nav_section = "settings"

    def form_valid(self, form):
        try:
            saved = self.save(form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, self.saved_message(saved))
        return redirect(self.get_success_url())


class OrganisationSettingsView(_ServiceFormView):
    """The enterprise's contact details and the language of the bureau's notices to it."""

    nav_section = "organisation"
    permission_required = "accounts.manage_organisation"
    template_name = "portal_enterprise/organisation_form.html"
    form_class = OrganisationContactForm

    def get_form_kwargs(self):
        # A copy of the row, not the user's organisation: a ModelForm writes the posted values
        # into its instance while it validates, even values then refused.
        organisation = Organisation.objects.get(pk=self.request.user.organisation_id)
        return {**super().get_form_kwargs(), "instance": organisation}

    def get_success_url(self):
        return reverse("portal_enterprise:organisation_settings")

    def save(self, data):
        return organisation_contact_update(
            actor=self.request.user,
            organisation=self.request.user.organisation,
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            language=data["language"],
            reason=data["reason"],
        )

    def saved_message(self, organisation):
        return _("Saved: %(organisation)s.") % {"organisation": organisation}


class UserListView(RuleRequiredMixin, TemplateView):
    nav_section = "settings"
    permission_required = "accounts.manage_users"
    template_name = "portal_enterprise/user_list.html"

    def get_context_data(self, **kwargs):
        users = user_manageable_for_user(user=self.request.user).order_by("-is_active", "username")
        return super().get_context_data(users=users, **kwargs)


class _UserFormView(_ServiceFormView):
    permission_required = "accounts.manage_users"
    template_name = "portal_enterprise/user_form.html"

    def get_success_url(self):
        return reverse("portal_enterprise:user_list")

    def saved_message(self, user):
        return _("Saved: %(user)s.") % {"user": user}


class UserCreateView(_UserFormView):
    form_class = UserCreateForm

    def save(self, data):
        return user_create(
            actor=self.request.user,
            organisation=self.request.user.organisation,
            username=data["username"],
            full_name=data["full_name"],
            role=data["role"],
            email=data["email"],
            phone=data["phone"],
            password=data["password"],
            reason=data["reason"],
        )


class UserEditView(_UserFormView):
    form_class = UserForm

    @cached_property
    def target(self):
        # Looked up after the rule check, so that a visitor who is not logged in is sent to
        # log in rather than told the user does not exist.
        return get_object_or_404(user_manageable_for_user(user=self.request.user), pk=self.kwargs["pk"])

    def get_initial(self):
        return user_initial(self.target)

    def get_context_data(self, **kwargs):
        return super().get_context_data(target=self.target, reason_form=ReasonForm(), **kwargs)

    def save(self, data):
        return user_update(
            actor=self.request.user,
            user=self.target,
            full_name=data["full_name"],
            role=data["role"],
            email=data["email"],
            phone=data["phone"],
            reason=data["reason"],
        )


class _UserActivationView(RuleRequiredMixin, View):
    permission_required = "accounts.manage_users"
    http_method_names = ["post"]
    service = None

    def post(self, request, pk):
        target = get_object_or_404(user_manageable_for_user(user=request.user), pk=pk)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please give a reason; it is kept in the audit trail."))
            return redirect("portal_enterprise:user_edit", pk=pk)
        try:
            self.service(actor=request.user, user=target, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("portal_enterprise:user_edit", pk=pk)
        messages.success(request, self.done_message % {"user": target})
        return redirect("portal_enterprise:user_list")


class UserDeactivateView(_UserActivationView):
    service = staticmethod(user_deactivate)
    done_message = _("%(user)s has been deactivated and logged out everywhere.")


class UserReactivateView(_UserActivationView):
    service = staticmethod(user_reactivate)
    done_message = _("%(user)s can log in again.")
