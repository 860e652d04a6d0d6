"""The admin site: the system administrator's tool for organisations and accounts."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.admin import SimpleHistoryAdmin

from .models import Organisation, Role, User, UserSession
from .services import user_sessions_end


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "branch", "province", "is_active"]
    list_filter = ["kind", "is_active", "province"]
    search_fields = ["code", "name_zh", "name_en", "credit_code"]
    list_select_related = ["branch"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ["username", "full_name", "organisation", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "organisation__kind"]
    search_fields = ["username", "full_name", "email", "organisation__name_zh"]
    list_select_related = ["organisation"]
    ordering = ["username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "email", "phone")}),
        (_("Organisation and role"), {"fields": ("organisation", "role", "is_active")}),
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
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request, obj, form, change):
        # The admin site is for system administrators only; the flag follows the role.
        obj.is_staff = obj.is_superuser = obj.role == Role.SYSTEM_ADMIN
        obj._change_reason = gettext_noop("Changed on the admin site")  # translated where shown
        super().save_model(request, obj, form, change)
        if not obj.is_active:
            user_sessions_end(user=obj)


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "ip_address", "created_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    readonly_fields = ["user", "session_key", "ip_address", "user_agent", "created_at"]


# Access is decided by roles and rules (accounts/rules.py), not by Django's groups.
admin.site.unregister(Group)
