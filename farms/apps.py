from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FarmsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "farms"
    verbose_name = _("Farms and registration")
