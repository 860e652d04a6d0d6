"""Forms for log-in and for an enterprise administrator's user management."""

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.db import transaction
from django.template import loader
from django.utils.translation import gettext_lazy as _

from .models import ENTERPRISE_ROLES, Organisation, Role, User
from .services import user_password_reset
from .tasks import mail_send


class StyledFormMixin:
    """Give every widget Bootstrap's class, so templates can render fields in a loop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def full_clean(self):
        super().full_clean()
        # A field with an error is outlined in red and announced as invalid to screen readers.
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", "").split():
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"


class StyledForm(StyledFormMixin, forms.Form):
    """A plain form with Bootstrap's classes (for filter sets)."""


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class StyledPasswordResetForm(StyledFormMixin, PasswordResetForm):
    """Ask for a reset link; the mail goes out through a task (see accounts.tasks.mail_send)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autofocus"] = True
        self.fields["email"].error_messages["required"] = _("Enter the e-mail address of your account.")

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        transaction.on_commit(lambda: mail_send.delay(subject=subject, body=body, to=[to_email]))


class ResetPasswordForm(StyledFormMixin, SetPasswordForm):
    """Choose a new password from a reset link: saved by the service, which also ends sessions."""

    def save(self, commit=True):
        return user_password_reset(user=self.user, password=self.cleaned_data["new_password1"])


class LoginForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "The user name or password is wrong. Both are case-sensitive; after repeated failures "
            "the account is locked for a while."
        ),
        "inactive": _("This account has been deactivated. Ask your administrator to reactivate it."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autofocus"] = True
        self.fields["username"].error_messages["required"] = _("Enter your user name.")
        self.fields["password"].error_messages["required"] = _("Enter your password.")


ENTERPRISE_ROLE_CHOICES = [(r.value, r.label) for r in Role if r in ENTERPRISE_ROLES]


class UserForm(StyledFormMixin, forms.Form):
    """An enterprise user's details; the role is limited to the enterprise roles."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=ENTERPRISE_ROLE_CHOICES)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=40, required=False)
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=200, help_text=_("Kept in the audit trail.")
    )


class UserCreateForm(UserForm):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")},
        help_text=_("Used to log in; cannot be changed later."),
    )
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 10 characters, not only digits; tell it to the user in person."),
    )
    field_order = ["username", "full_name", "role", "email", "phone", "password", "reason"]


class OrganisationContactForm(StyledFormMixin, forms.ModelForm):
    """The contact details and notices' language an enterprise administrator keeps up to date."""

    reason = forms.CharField(
        label=_("Reason for the change"), max_length=200, help_text=_("Kept in the audit trail.")
    )

    class Meta:
        model = Organisation
        fields = ["contact_name", "contact_phone", "contact_email", "language"]


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


def user_initial(user: User) -> dict:
    """Return a UserForm's initial data for ``user``."""
    return {"full_name": user.full_name, "role": user.role, "email": user.email, "phone": user.phone}
