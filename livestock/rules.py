"""Who may do what with animals and their records (django-rules); which ones, the selectors decide."""

import rules

from accounts.models import Role
from accounts.rules import is_bureau_user, is_enterprise_user, is_manager, is_system_admin, role_is

is_inspector = role_is(Role.INSPECTOR)

# The enterprise's staff keep the herd and its production records.
rules.add_perm("livestock.keep_records", is_enterprise_user)
# The enterprise sees its own animals; the branch's inspectors and the managers see the farms
# they supervise (which ones: livestock.selectors).
rules.add_perm("livestock.see_animals", is_enterprise_user | is_inspector | is_manager)
rules.add_perm("livestock.see_herds", is_inspector | is_manager)
rules.add_perm("livestock.handle_alerts", is_inspector | is_manager)
# Tag readers: every bureau user may watch them (later steps use the live page at loading, at the
# warehouse and at the port); inspectors register readers on their branch's farms, managers and
# the system administrator anywhere.
rules.add_perm("livestock.see_readers", is_bureau_user)
rules.add_perm("livestock.manage_readers", is_inspector | is_manager | is_system_admin)
# What the bridge API refused without storing anything (all sites together): the head office's.
rules.add_perm("livestock.see_bridge_refusals", is_manager | is_system_admin)
