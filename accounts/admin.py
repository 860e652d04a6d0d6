"""The admin site: the system administrator's tool for organisations and accounts.

It goes through the same services as the portals: a form refuses what the service would
refuse (with the service's message, beside its field), and a save is the service's call, so
the rules (an enterprise keeps an administrator, roles belong to their kind of organisation,
nobody deactivates themselves) and the audit hold here too. Nothing is deleted here: people and
organisations are deactivated, and their history stays.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from .admin_history import HistoryAdmin
from .audit import save_audited
from .errors import DomainError
from .models import Organisation, User, UserSession
from .services import (
    USERNAME_TAKEN,
    organisation_save,
    user_change_check,
    user_create,
    user_create_check,
    user_deactivate,
    user_reactivate,
    user_update,
)

ADMIN_REASON = gettext_noop("Changed on the admin site")  # translated where shown


def refuse(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's refusal on an admin form, beside its field when the form has it."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


class AdminActorMixin:
    """Let a form's clean() ask the services as the administrator who posts it."""

    actor = None


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "branch", "province", "is_active"]
    list_filter = ["kind", "is_active", "province"]
    search_fields = ["code", "name_zh", "name_en", "credit_code"]
    list_select_related = ["branch"]

    def save_model(self, request, obj, form, change):
        organisation_save(actor=request.user, organisation=obj, reason=ADMIN_REASON)

    def has_delete_permission(self, request, obj=None):
        return False


class UserAddForm(AdminActorMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "organisation", "role")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            user_create_check(
                actor=self.actor,
                organisation=data["organisation"],
                username=data["username"],
                role=data["role"],
            )
        except DomainError as exc:
            refuse(self, exc)
        return data


class UserEditForm(AdminActorMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean(self):
        data = super().clean()
        if self.errors or self.instance.pk is None:
            return data
        # Checked against the stored user: this form may be a version from its history.
        stored = User.objects.select_related("organisation").get(pk=self.instance.pk)
        username = data.get("username", stored.username)
        if User.objects.filter(username__iexact=username).exclude(pk=stored.pk).exists():
            self.add_error("username", str(USERNAME_TAKEN).format(username=username))
            return data
        try:
            user_change_check(
                actor=self.actor,
                user=stored,
                role=data.get("role", stored.role),
                is_active=data.get("is_active", stored.is_active),
            )
        except DomainError as exc:
            refuse(self, exc)
        return data


@admin.register(User)
class UserAdmin(HistoryAdmin, BaseUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    list_display = ["username", "full_name", "organisation", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "organisation__kind"]
    search_fields = ["username", "full_name", "email", "organisation__name_zh"]
    list_select_related = ["organisation"]
    ordering = ["username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "email", "phone")}),
        (_("Organisation and role"), {"fields": ("organisation", "role", "is_active")}),
        # Roles decide access (accounts/rules.py); a group only marks a power within a role: a
        # port officer in port_supervisors may override a hold (transit/rules.py).
        (
            _("Powers within the role"),
            {
                "fields": ("groups",),
                "description": _(
                    "port_supervisors: a port officer who may override a hold, with a written reason."
                ),
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "organisation", "role", "password1", "password2"),
            },
        ),
    )
    actions = ["deactivate_selected"]

    def get_readonly_fields(self, request, obj=None):
        # A person does not move between organisations (no service does it): a new account is
        # opened in the other organisation, and the old one deactivated.
        fixed = ["last_login", "date_joined"]
        return fixed + ["organisation"] if obj is not None else fixed

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        if not change:
            created = user_create(
                actor=request.user,
                organisation=obj.organisation,
                username=obj.username,
                full_name=obj.full_name,
                role=obj.role,
                password=form.cleaned_data.get("password1") or None,
                email=obj.email,
                phone=obj.phone,
                reason=ADMIN_REASON,
            )
            obj.pk, obj._state.adding = created.pk, False
            obj.refresh_from_db()
            return
        stored = User.objects.get(pk=obj.pk)
        if obj.username != stored.username:
            stored.username = obj.username
            save_audited(stored, actor=request.user, reason=ADMIN_REASON, update_fields=["username"])
        user_update(
            actor=request.user,
            user=obj,
            full_name=obj.full_name,
            role=obj.role,
            email=obj.email,
            phone=obj.phone,
            reason=ADMIN_REASON,
        )
        if stored.is_active and not obj.is_active:
            user_deactivate(actor=request.user, user=obj, reason=ADMIN_REASON)
        elif obj.is_active and not stored.is_active:
            user_reactivate(actor=request.user, user=obj, reason=ADMIN_REASON)
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Deactivate the selected users (ends their sessions)"))
    def deactivate_selected(self, request, queryset):
        done = 0
        for user in queryset.select_related("organisation"):
            try:
                user_deactivate(actor=request.user, user=user, reason=ADMIN_REASON)
            except DomainError as exc:
                self.message_user(request, f"{user.username}: {exc}", messages.ERROR)
            else:
                done += 1
        if done:
            text = ngettext("%(count)s user deactivated.", "%(count)s users deactivated.", done)
            self.message_user(request, text % {"count": done}, messages.SUCCESS)


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "ip_address", "created_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    readonly_fields = ["user", "session_key", "ip_address", "user_agent", "created_at"]

    # A session is recorded by logging in, and ended by deactivating its user: the admin site
    # only shows the records (an "add" here stored an empty row and crashed on its user).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Access is decided by roles and rules (accounts/rules.py), not by Django's groups.
admin.site.unregister(Group)
