"""Settings for the test suite: the base settings with fast password hashing."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403

DEBUG = False
# Hashing with the default iterations would dominate the run time of the suite.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "surveillance.sms.LocMemBackend"
DEMO_PASSWORDS = True
# Serve static files straight from the apps and static/ (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Uploads made by tests go to a throw-away folder, not into var/media.
MEDIA_ROOT = tempfile.mkdtemp(prefix="livestock-test-media-")
# Tasks run in-process in the suite even when REDIS_URL points at a broker: tests of
# behaviour read the outcome at once. Tests of the real worker start one explicitly.
CELERY_TASK_ALWAYS_EAGER = True

# The demo herds in tests (seed_demo is tested for idempotency): small, same shape.
LIVESTOCK_DEMO_SCALE = 0.03
# The bridge API's lock-out of failing addresses is shared by every test through the cache (and
# by consecutive runs, with Redis): tests of the lock-out lower it themselves.
LIVESTOCK_API_FAILURE_LIMIT = 1_000_000
# Likewise the password reset's throttle (tests/accounts/test_password_reset.py lowers it).
PASSWORD_RESET_LIMIT_PER_IP = 1_000_000
PASSWORD_RESET_LIMIT_PER_EMAIL = 1_000_000
# Certificates in tests are signed with a key made for the run, in the throw-away folder.
QUARANTINE_KEY_GENERATE = True
QUARANTINE_SIGNING_KEY = ""
QUARANTINE_SIGNING_KEY_FILE = str(Path(MEDIA_ROOT) / "quarantine-signing-key.pem")
QUARANTINE_VERIFY_LIMIT = 1_000_000


def _worker_redis_url(url: str, worker: str, workers: int) -> str:
    """REDIS_URL for one pytest-xdist worker (gw0, gw1...): the same server, the URL's db number
    plus the worker's index, so that no worker's cache.clear(), lock-out counts or
    acknowledgements reach another's. (pytest-django gives each its own test database likewise.)"""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    last = base + workers - 1
    if last > 15:  # redis-server's default "databases 16"
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"REDIS_URL's db {base} + {workers} test workers would need db {last}: "
            "point REDIS_URL at a lower db (each worker takes the next one) or run fewer workers"
        )
    return urlunsplit(parts._replace(path=f"/{base + int(worker.removeprefix('gw'))}"))


if REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER"):  # noqa: F405
    REDIS_URL = _worker_redis_url(  # noqa: F405
        REDIS_URL,  # noqa: F405
        os.environ["PYTEST_XDIST_WORKER"],
        int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")),
    )
    CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
    CELERY_BROKER_URL = REDIS_URL

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # The suite's databases are thrown away at its end: a commit need not wait for the disk
    # (creating each worker's database runs hundreds of DDL commits). Tests of crash recovery
    # run their own PostgreSQL cluster (tests/faults) with the production settings.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
