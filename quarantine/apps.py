from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuarantineConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quarantine"
    verbose_name = _("Origin quarantine")

    def ready(self):
        from . import checks  # noqa: F401  (registers the signing-key check)
