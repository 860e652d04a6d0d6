from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _supervisors_group(sender, using="default", **kwargs):
    """The group whose port officers may override a hold (transit.rules), there to be given to
    them on a user's page in the admin site from the first migrate on."""
    from django.contrib.auth.models import Group

    from .services.port import SUPERVISORS_GROUP

    Group.objects.using(using).get_or_create(name=SUPERVISORS_GROUP)


class TransitConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transit"
    verbose_name = _("Transport, transit and release")

    def ready(self):
        post_migrate.connect(_supervisors_group, sender=self)
