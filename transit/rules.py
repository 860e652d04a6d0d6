"""Who may do what in transit (django-rules); which vehicles and loadings, the selectors decide."""

import rules

from accounts.models import Role
from accounts.rules import is_enterprise_user, is_manager, role_is

is_inspector = role_is(Role.INSPECTOR)

# The enterprise registers its vehicles, drivers and GPS units, and records their disinfections.
rules.add_perm("transit.register_fleet", is_enterprise_user)
# The bureau (the enterprise's supervising branch, or a manager) approves, returns, suspends.
rules.add_perm("transit.review_fleet", is_inspector | is_manager)
# Supervised loading (监装): the consignment's branch's inspectors, and the managers.
rules.add_perm("transit.supervise_loading", is_inspector | is_manager)
