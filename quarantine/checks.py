"""System checks of origin quarantine: production may not run without a signing key."""

from django.conf import settings
from django.core.checks import Error, register

from . import keys


@register()
def signing_key_check(app_configs, **kwargs):
    # Elsewhere (a developer's PostgreSQL without a key) approving fails with the same message.
    if settings.QUARANTINE_KEY_REQUIRED and not keys.configured():
        return [Error(keys.NO_KEY, id="quarantine.E001")]
    return []
