"""Who may do what: the one place that decides (django-rules).

Views name a permission from here; selectors decide which objects exist for a user. A view
that names no permission fails the permission-matrix test (tests/permissions).
"""

import rules

from .models import BUREAU_ROLES, ENTERPRISE_ROLES, Role


def role_is(*roles):
    """Return a predicate true for an active member, with one of ``roles``, of an active organisation."""
    wanted = frozenset(roles)

    @rules.predicate(name=f"role_in_{'_'.join(sorted(wanted))}")
    def has_role(user):
        return bool(
            user.is_authenticated and user.is_active and user.role in wanted and user.organisation.is_active
        )

    return has_role


is_enterprise_user = role_is(*ENTERPRISE_ROLES)
is_enterprise_admin = role_is(Role.ENTERPRISE_ADMIN)
is_bureau_user = role_is(*BUREAU_ROLES)
is_manager = role_is(Role.MANAGER)
is_system_admin = role_is(Role.SYSTEM_ADMIN)


rules.add_perm("portal_enterprise.access", is_enterprise_user)
rules.add_perm("portal_ciq.access", is_bureau_user)

# Users: an enterprise admin manages the people of its own enterprise in the enterprise
# portal (which of them, the selector decides); the system administrator manages everyone
# on the admin site, which lets in only is_staff accounts (see accounts.services.user_create).
rules.add_perm("accounts.manage_users", is_enterprise_admin)
rules.add_perm("accounts.manage_organisation", is_enterprise_admin)

# The audit trail of any record is for managers and the system administrator.
rules.add_perm("accounts.view_history", is_manager | is_system_admin)

# Every logged-in, active member of an active organisation may use a portal and change their
# own password.
rules.add_perm("accounts.use_portal", is_enterprise_user | is_bureau_user)
rules.add_perm("accounts.change_own_password", is_enterprise_user | is_bureau_user)
