from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivestockConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "livestock"
    verbose_name = _("Animals and ear tags")

    def ready(self):
        from . import lookups  # noqa: F401 - registers field__anyof
