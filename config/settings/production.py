"""Production: PostgreSQL, Redis, gunicorn behind a TLS-terminating proxy.

Every value still comes from the environment; this file only makes the secure choice the
default and refuses to start without what production must have.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default: a missing key must stop the start
if not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured("Production needs DATABASE_URL (PostgreSQL).")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DEMO_PASSWORDS = False
# Certificates must be signed with the bureau's own key (quarantine.checks).
QUARANTINE_KEY_REQUIRED = True
QUARANTINE_KEY_GENERATE = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405
# Only what collectstatic wrote (the image does it at build time), read once at start.
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
# Production runs behind one TLS-terminating proxy that appends the client to X-Forwarded-For
# (see accounts.client_ip and docs/deploy.md).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
