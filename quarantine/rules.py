"""Who may do what in origin quarantine (django-rules); which consignments, the selectors decide."""

import rules

from accounts.models import Role
from accounts.rules import is_enterprise_user, is_manager, role_is

is_inspector = role_is(Role.INSPECTOR)
is_lab = role_is(Role.LAB_ANALYST)

# The enterprise declares its consignments, follows them and withdraws them before acceptance.
rules.add_perm("quarantine.declare", is_enterprise_user)
# The branch's inspectors (and the managers) accept, examine, sample, approve, reject, cancel.
rules.add_perm("quarantine.inspect", is_inspector | is_manager)
# The laboratory enters results.
rules.add_perm("quarantine.enter_results", is_lab | is_manager)
# The bureau's pages of consignments: the branch's inspectors, the lab, the managers.
rules.add_perm("quarantine.follow", is_inspector | is_lab | is_manager)
