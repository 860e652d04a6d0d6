"""Log-in, log-out, password change and reset, and the front door that sends each user to their portal."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View

from .access import PublicMixin, RuleRequiredMixin
from .client_ip import client_ip
from .forms import LoginForm, ResetPasswordForm, StyledPasswordChangeForm, StyledPasswordResetForm
from .throttle import password_reset_allowed, password_reset_window_minutes

TOO_MANY_RESETS = _(
    "Too many password reset requests from here or for this address. Please wait {minutes} minutes "
    "and try again, or ask your organisation's administrator."
)


class LoginView(PublicMixin, auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        # Django sends a logged-in user on before it looks at the method: refuse a method the
        # page does not serve first, for everyone alike.
        if not hasattr(self, request.method.lower()) or request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(session_minutes=settings.SESSION_COOKIE_AGE // 60, **kwargs)


class LogoutView(PublicMixin, auth_views.LogoutView):
    """Log out (POST only) and end the session on the server, not only in the browser."""


class PasswordChangeView(RuleRequiredMixin, auth_views.PasswordChangeView):
    permission_required = "accounts.change_own_password"
    template_name = "accounts/password_change.html"
    form_class = StyledPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


class PasswordResetView(PublicMixin, auth_views.PasswordResetView):
    """Mail a reset link to the address, if a user has it; say the same either way."""

    template_name = "accounts/password_reset.html"
    form_class = StyledPasswordResetForm
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        if not password_reset_allowed(address=client_ip(self.request), email=form.cleaned_data["email"]):
            form.add_error(None, TOO_MANY_RESETS.format(minutes=password_reset_window_minutes()))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        # Links point at SITE_URL, never at the Host header a stranger may have sent.
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetDoneView(PublicMixin, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(hours=settings.PASSWORD_RESET_TIMEOUT // 3600, **kwargs)


class PasswordResetConfirmView(PublicMixin, auth_views.PasswordResetConfirmView):
    """Choose a new password from the mailed link; every open session of the user ends."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = ResetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(PublicMixin, auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class HomeView(RuleRequiredMixin, View):
    """Send a user to the home page of the portal their role belongs to."""

    permission_required = "accounts.use_portal"

    def get(self, request):
        if request.user.is_enterprise_user:
            return redirect("portal_enterprise:home")
        return redirect("portal_ciq:home")
