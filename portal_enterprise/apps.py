from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalEnterpriseConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal_enterprise"
    verbose_name = _("Enterprise portal")
