"""Who may do what in transit (django-rules); which vehicles, loadings and trips, the selectors decide."""

import rules

from accounts.models import Role
from accounts.rules import is_enterprise_user, is_manager, is_system_admin, role_is

is_inspector = role_is(Role.INSPECTOR)
is_transit_officer = role_is(Role.TRANSIT_OFFICER)
is_port_officer = role_is(Role.PORT_OFFICER)

# --- the fleet and loading (tload) ---
# The enterprise registers its vehicles, drivers and GPS units, and records their disinfections.
rules.add_perm("transit.register_fleet", is_enterprise_user)
# The bureau (the enterprise's supervising branch, or a manager) approves, returns, suspends.
rules.add_perm("transit.review_fleet", is_inspector | is_manager)
# Supervised loading (监装): the consignment's branch's inspectors, and the managers.
rules.add_perm("transit.supervise_loading", is_inspector | is_manager)

# --- the journey (tgps) ---
# The trucks on the road and their tracks, on the bureau's side: the loading branch's inspectors
# their loadings; the warehouse and the port, which receive every truck, and the managers all.
rules.add_perm(
    "transit.see_journeys", is_inspector | is_transit_officer | is_port_officer | is_manager | is_system_admin
)
# On the enterprise's side: its own trucks only.
rules.add_perm("transit.see_own_journeys", is_enterprise_user)
# The corridors: drawn by the farm's supervising branch or a manager.
rules.add_perm("transit.draw_corridors", is_inspector | is_manager)

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
