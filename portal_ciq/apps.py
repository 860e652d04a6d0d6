from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalCiqConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal_ciq"
    verbose_name = _("Bureau portal")
