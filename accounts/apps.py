from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Organisations and users")

    def ready(self):
        from . import pagecache, signals  # noqa: F401  (session bookkeeping on log-in and log-out)

        # Every write moves the version of its table: cached pages that read it are stale.
        pagecache.install()
