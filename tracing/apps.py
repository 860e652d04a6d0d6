from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tracing"
    verbose_name = _("Tracing")
