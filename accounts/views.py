"""Log-in, log-out, password change and the front door that sends each user to their portal."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View

from .access import PublicMixin, RuleRequiredMixin
from .forms import LoginForm, StyledPasswordChangeForm


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


class HomeView(RuleRequiredMixin, View):
    """Send a user to the home page of the portal their role belongs to."""

    permission_required = "accounts.use_portal"

    def get(self, request):
        if request.user.is_enterprise_user:
            return redirect("portal_enterprise:home")
        return redirect("portal_ciq:home")
