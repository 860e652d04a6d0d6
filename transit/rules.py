"""Who may do what in transit (django-rules); which trips, the selectors decide."""

import rules

from accounts.models import Role
from accounts.rules import is_manager, role_is

is_inspector = role_is(Role.INSPECTOR)
is_transit_officer = role_is(Role.TRANSIT_OFFICER)
is_port_officer = role_is(Role.PORT_OFFICER)

# --- the warehouse and the port (tport) ---
# The warehouse's officers work its screens; the branches' inspectors and managers look on.
rules.add_perm("transit.see_warehouse", is_transit_officer | is_inspector | is_manager)
rules.add_perm("transit.work_warehouse", is_transit_officer)
# The port officer checks, holds and releases; managers watch the port and supervise it.
rules.add_perm("transit.see_port", is_port_officer | is_manager)
rules.add_perm("transit.work_port", is_port_officer)
# A hold is overridden by a supervisor: a manager, or a port officer in the port_supervisors
# group (transit.services.port.is_supervisor checks the port too).
is_port_supervisor = is_port_officer & rules.is_group_member("port_supervisors")
rules.add_perm("transit.override_hold", is_manager | is_port_supervisor)
# The export notice: the port, the head office and the branch that certified the consignment.
rules.add_perm("transit.see_export_notice", is_port_officer | is_manager | is_inspector)
