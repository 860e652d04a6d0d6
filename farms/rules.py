"""Who may do what with farms (django-rules); which farms, the selectors decide."""

import rules

from accounts.models import Role
from accounts.rules import is_enterprise_user, is_manager, is_system_admin, role_is

is_inspector = role_is(Role.INSPECTOR)

# Enterprise side: file, edit, submit and withdraw applications; ask the bureau.
rules.add_perm("farms.apply", is_enterprise_user)
# Bureau side: the branch's inspectors and the managers decide on registrations.
rules.add_perm("farms.review", is_inspector | is_manager)
rules.add_perm("farms.supervise", is_inspector | is_manager)
rules.add_perm("farms.view_registry", role_is(*(set(Role) - {Role.ENTERPRISE_STAFF, Role.ENTERPRISE_ADMIN})))
rules.add_perm("farms.view_credit", is_inspector | is_manager | is_system_admin)
rules.add_perm("farms.recompute_credit", is_manager)
rules.add_perm("farms.answer_questions", is_inspector | is_manager)
rules.add_perm("farms.publish", is_manager | is_system_admin)
