"""Labels for the codes the farm services store: status-change actions and layout kinds."""

from django.utils.translation import gettext_lazy as _

# The actions of farms.services.registration, as FarmStatusChange.action records them.
ACTION_LABELS = {
    "create": _("Application created"),
    "submit": _("Submitted for review"),
    "withdraw": _("Withdrawn"),
    "assign": _("Inspector assigned"),
    "approve": _("Approved and registered"),
    "return": _("Returned for changes"),
    "reject": _("Rejected"),
    "suspend": _("Suspended"),
    "reinstate": _("Reinstated"),
    "revoke": _("Revoked"),
    "renew": _("Renewed"),
    "expire": _("Validity ended"),
    "lapse": _("Lapsed (no consignment)"),
}

# The kinds of building a drawn layout may hold (farms.layout.LAYOUT_KINDS).
LAYOUT_KIND_LABELS = {
    "pen": _("Pen"),
    "isolation": _("Isolation house"),
    "disinfection_pool": _("Disinfection pool"),
    "manure": _("Manure treatment"),
    "other": _("Other"),
}
