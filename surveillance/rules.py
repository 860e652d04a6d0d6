"""Who may do what with outbreaks and alerts (django-rules); which ones, the selectors decide."""

import rules

from accounts.models import Role
from accounts.rules import is_bureau_user, is_enterprise_user, is_manager, role_is

# Every bureau user reads the outbreaks and the zone map (the port and the warehouse check
# consignments against them); the managers report outbreaks, lift them and keep the disease table.
rules.add_perm("surveillance.view_zones", is_bureau_user)
rules.add_perm("surveillance.report_outbreaks", is_manager)
rules.add_perm("surveillance.edit_diseases", is_manager)

# The alerts centre: every bureau user sees the alerts addressed to their organisation (managers
# all of them); the people who must answer alerts act on them. The enterprise sees the alerts
# about itself the bureau chose to show it, and its restricted farms.
is_responder = role_is(
    Role.INSPECTOR, Role.TRANSIT_OFFICER, Role.PORT_OFFICER, Role.LAB_ANALYST, Role.MANAGER
)
rules.add_perm("surveillance.view_alerts", is_bureau_user)
rules.add_perm("surveillance.handle_alerts", is_responder)
rules.add_perm("surveillance.show_alerts", role_is(Role.INSPECTOR, Role.MANAGER))
# (Not "view_…": the system administrator's superuser flag answers every view_/change_ permission.)
rules.add_perm("surveillance.see_own_alerts", is_enterprise_user)
