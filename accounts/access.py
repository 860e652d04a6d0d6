"""How a view declares who may open it.

Every view of the project either names a permission from a ``rules.py`` (through
``RuleRequiredMixin`` or ``rule_required``) or says out loud that it is public
(``PublicMixin`` or ``public``). The permission matrix (tests/permissions) walks every URL
pattern and fails on a view that does neither, so no later view can forget its rule.
"""

from functools import wraps

from rules.contrib.views import PermissionRequiredMixin
from rules.contrib.views import permission_required as _permission_required


class RuleRequiredMixin(PermissionRequiredMixin):
    """Require ``permission_required``: anonymous users go to log-in, others get a 403."""

    # Object-level checks are the selectors' job (a 404 outside the scope); the rule checks
    # the role.  Views that need a rule on the object override get_permission_object.
    def get_permission_object(self):
        return None


class PublicMixin:
    """Mark a view as open to everyone, logged in or not (log-in page, language switch)."""

    access_public = True


def rule_required(perm: str):
    """Decorate a function view so that it requires ``perm`` (see RuleRequiredMixin)."""

    def decorator(view):
        wrapped = _permission_required(perm)(view)
        wrapped.permission_required = perm
        return wraps(view)(wrapped)

    return decorator


def public(view):
    """Mark a function view as open to everyone."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return view(*args, **kwargs)

    wrapped.access_public = True
    return wrapped


def declared_access(view) -> str | None:
    """Return the permission a resolved view requires, ``"public"``, or None if it declares none."""
    target = getattr(view, "view_class", None) or view
    if getattr(target, "access_public", False) or getattr(view, "access_public", False):
        return "public"
    return getattr(target, "permission_required", None) or getattr(view, "permission_required", None)
