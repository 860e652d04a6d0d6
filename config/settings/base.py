"""Settings shared by every run mode, read from the environment (django-environ).

The embedded default (no environment at all) is SQLite under ``var/``, Celery tasks run
in-process and e-mail goes to the console, so that ``make run`` works on a fresh clone.
Setting ``DATABASE_URL`` and ``REDIS_URL`` switches to PostgreSQL and a real Celery broker.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env is optional; production takes its environment from compose or systemd.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless asked for (DJANGO_DEBUG=1): with it on, an error page shows strangers a traceback
# and every URL pattern. Developers turn it on; `make run` serves as a demo would.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    # Only the embedded mode falls back to this; production.py refuses to start without a real key.
    default="embedded-mode-only-not-secret-9f2c1b7e4d8a6b3c5e0f1a2d7c9e8b4f",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The embedded mode is "no external services": it alone seeds demo passwords.
EMBEDDED = not os.environ.get("DATABASE_URL")
DEMO_PASSWORDS = env.bool("DEMO_PASSWORDS", default=EMBEDDED)

INSTALLED_APPS = [
    # Before contrib.admin so our templates can override admin ones if needed.
    "django.contrib.admin.apps.SimpleAdminConfig",  # autodiscovery is done in config.urls (see there)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "simple_history",
    "leaflet",
    "csp",
    "django_htmx",
    "django_tables2",
    "django_filters",
    # The chain, lowest floor first (see docs/architecture.md)
    "accounts",
    "farms",
    "surveillance",
    "livestock",
    "quarantine",
    "transit",
    "tracing",
    "portal_enterprise",
    "portal_ciq",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Inside SessionMiddleware, so that the session it marks for renewal is saved on the way out.
    "accounts.sessions.SessionRenewMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL in the query string is refused (400) before any view reads it (accounts.params).
    "accounts.middleware.QueryStringGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3's pool: Django's recommended way to reuse connections (needs CONN_MAX_AGE = 0).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN", default=2),
        "max_size": env.int("DB_POOL_MAX", default=10),
        "timeout": 10,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The pool checks a connection before handing it out (one empty round trip): a connection
    # whose server was restarted is replaced, not given to a request or a task to fail on.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a seed or task writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery -------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None  # tasks report through the database, never through results
# Without a broker the tasks run in-process, so the embedded mode needs no worker.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged only once done, and re-queued if its worker dies: at-least-once
# delivery, which is why every task is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# A message a worker took but never acknowledged (the worker was killed) is handed out again
# after this many seconds. Every task is idempotent, so a short timeout only costs a repeat.
# The workers look for such messages every interval x throttle seconds (kombu's Redis transport).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=6),
}
# Tag reads arrive from the bridges on a queue of their own (rfid_bridge.protocol.QUEUE), which a
# bridge's Redis user may push to and nothing else; workers listen to both queues (see
# docker-compose.yml).
CELERY_TASK_ROUTES = {
    "livestock.ingest_reads": {"queue": "rfid"},
    "livestock.bridge_heartbeat": {"queue": "rfid"},
}
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "accounts.tasks.sessions_clear_expired",
        "schedule": timedelta(hours=6),
    },
    "farm-registrations-expire-and-lapse": {
        "task": "farms.tasks.registrations_expire_and_lapse",
        "schedule": timedelta(hours=12),
    },
    "corrective-actions-overdue": {
        "task": "farms.tasks.corrective_actions_overdue",
        "schedule": timedelta(hours=24),
    },
    "credit-ratings-refresh": {
        "task": "farms.tasks.credit_ratings_refresh",
        "schedule": timedelta(hours=24),
    },
    "rejected-payloads-purge": {
        "task": "livestock.rejected_payloads_purge",
        "schedule": timedelta(hours=24),
    },
    "readers-silence-check": {
        "task": "livestock.readers_silence_check",
        "schedule": timedelta(minutes=1),
    },
    "zone-restrictions-refresh": {
        "task": "surveillance.restrictions_refresh",
        "schedule": timedelta(minutes=30),
    },
    "journeys-check": {
        "task": "transit.journeys_check",
        "schedule": timedelta(minutes=1),
    },
}

# --- Authentication and sessions --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out users before anything else
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Inactivity timeout: a session ends after this many seconds without a request. Requests push
# the expiry forward, but write the session only when it was last pushed more than
# SESSION_RENEW_AFTER_S ago (accounts.sessions): saving it on every request would make every
# page a database write.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_AFTER_S = env.int("SESSION_RENEW_AFTER_S", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: lock a user name at one address after repeated failures, for a cool-off time.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
# How many reverse proxies in front of the app append to X-Forwarded-For (0: none, as in the
# embedded mode, where the address of the connection is the client's).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Password reset by e-mail (accounts.views): the link is valid this long, and requests are
# throttled per client address and per e-mail address within a window (seconds), as django-axes
# throttles log-ins.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=10)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_WINDOW_S = env.int("PASSWORD_RESET_WINDOW_S", default=60 * 60)

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production (production.py) serves hashed, compressed copies made by collectstatic.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# runserver serves no static files with DEBUG off (and whitenoise.runserver_nostatic stops it
# anyway): WhiteNoise serves them, straight from static/ and the apps, with no collectstatic, so
# that `make run` works with DEBUG off. production.py turns both off.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

UPLOAD_MAX_MB = env.int("UPLOAD_MAX_MB", default=10)
# Images whose header declares more pixels are refused (decompression bombs; accounts.uploads).
UPLOAD_MAX_MEGAPIXELS = env.int("UPLOAD_MAX_MEGAPIXELS", default=80)

# Livestock: the prefix of our own identifiers and vocabulary in the individual record (EPCIS
# 2.0 has no GS1 key for animals, and our words must not use GS1's prefixes).
LIVESTOCK_URI_BASE = env.str("LIVESTOCK_URI_BASE", default="urn:hk-livestock:")
# Rows a herd list may have (the import checks them all before writing any).
LIVESTOCK_IMPORT_MAX_ROWS = env.int("LIVESTOCK_IMPORT_MAX_ROWS", default=200_000)
# Reads of an animal at the same site less than this many seconds apart belong to one visit:
# the individual record gets one presence event per visit, not one per read.
LIVESTOCK_VISIT_GAP_S = env.int("LIVESTOCK_VISIT_GAP_S", default=1800)
# A bridge whose last heartbeat is older than this is shown as offline.
LIVESTOCK_HEARTBEAT_STALE_S = env.int("LIVESTOCK_HEARTBEAT_STALE_S", default=90)
# A truck on the road silent this long raises "GPS signal lost" (transit.services.journeys).
TRANSIT_SIGNAL_LOST_MINUTES = env.int("TRANSIT_SIGNAL_LOST_MINUTES", default=10)
# Read and heartbeat times a bridge may send (livestock.services.ingest): at most this many
# seconds ahead of the server's clock (or before its reader was registered), at most this many
# days old. A read outside is refused on its own, with its reason, and kept as evidence.
LIVESTOCK_CLOCK_SKEW_S = env.int("LIVESTOCK_CLOCK_SKEW_S", default=300)
LIVESTOCK_READ_MAX_AGE_DAYS = env.int("LIVESTOCK_READ_MAX_AGE_DAYS", default=90)
# Refused payloads of registered readers kept as evidence: bytes kept of each, how many per
# reader (the oldest go first) and for how many days (purged daily by beat).
LIVESTOCK_REJECTED_MAX_BYTES = env.int("LIVESTOCK_REJECTED_MAX_BYTES", default=256 * 1024)
LIVESTOCK_REJECTED_PER_DEVICE = env.int("LIVESTOCK_REJECTED_PER_DEVICE", default=200)
LIVESTOCK_REJECTED_RETENTION_DAYS = env.int("LIVESTOCK_REJECTED_RETENTION_DAYS", default=90)
# The bridge API answers 429 to an address (for a known reader: to that reader at that address)
# after this many requests it refused unauthenticated within the window (seconds).
LIVESTOCK_API_FAILURE_LIMIT = env.int("LIVESTOCK_API_FAILURE_LIMIT", default=30)
LIVESTOCK_API_FAILURE_WINDOW_S = env.int("LIVESTOCK_API_FAILURE_WINDOW_S", default=600)
# ...and raises an alert in the alerts centre once silent this long (closed when it is heard again).
LIVESTOCK_READER_SILENT_S = env.int("LIVESTOCK_READER_SILENT_S", default=600)
# Size of the demo herds (seed_demo): 1.0 is about 42,000 animals with a year of records; the
# default keeps the embedded mode's first start short (about 21,000 animals).
LIVESTOCK_DEMO_SCALE = env.float("LIVESTOCK_DEMO_SCALE", default=0.5)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Farms ----------------------------------------------------------------------------------
# A registration is valid this many years, and lapses after this many without a consignment.
FARM_REGISTRATION_YEARS = env.int("FARM_REGISTRATION_YEARS", default=5)
FARM_LAPSE_YEARS = env.int("FARM_LAPSE_YEARS", default=2)
# How far (km) a farm's point may lie from its county when no county outline is shipped.
FARM_COUNTY_TOLERANCE_KM = env.int("FARM_COUNTY_TOLERANCE_KM", default=60)
# Credit: points a finding costs by severity, and what an overdue corrective action costs.
CREDIT_FINDING_POINTS = {"minor": -2, "major": -10, "critical": -30}
CREDIT_OVERDUE_ACTION_POINTS = -5
CREDIT_WINDOW_DAYS = 365

# --- Origin quarantine ----------------------------------------------------------------------
# The bureau's Ed25519 key that signs health certificates (quarantine/keys.py): a PEM private
# key or the base64 of its 32-byte seed, or a file holding one. Retired public keys (base64url,
# as published) keep verifying certificates signed before a rotation.
QUARANTINE_SIGNING_KEY = env.str("QUARANTINE_SIGNING_KEY", default="")
QUARANTINE_SIGNING_KEY_FILE = env.str("QUARANTINE_SIGNING_KEY_FILE", default="")
QUARANTINE_RETIRED_PUBLIC_KEYS = env.list("QUARANTINE_RETIRED_PUBLIC_KEYS", default=[])
# Only the embedded mode makes a key of its own when none is set (kept under var/).
QUARANTINE_KEY_GENERATE = env.bool("QUARANTINE_KEY_GENERATE", default=EMBEDDED)
QUARANTINE_GENERATED_KEY_FILE = VAR_DIR / "quarantine-signing-key.pem"
# production.py turns this on: a missing key is then a system check error (quarantine.E001).
QUARANTINE_KEY_REQUIRED = False
# The public verification page answers this many look-ups per address and window (seconds).
QUARANTINE_VERIFY_LIMIT = env.int("QUARANTINE_VERIFY_LIMIT", default=60)
QUARANTINE_VERIFY_WINDOW_S = env.int("QUARANTINE_VERIFY_WINDOW_S", default=600)
# A closed loading's trip is due at the Qingshuihe warehouse this many hours after departure
# (transit.services.loading; the late check of the journey compares against Trip.due_at).
TRANSIT_TRIP_PLANNED_HOURS = env.float("TRANSIT_TRIP_PLANNED_HOURS", default=6.0)

# --- E-mail ---------------------------------------------------------------------------------
# The embedded mode prints mail (password resets) on the console; production sets EMAIL_URL,
# e.g. smtp+tls://user:password@smtp.example.cn:587 (django-environ's syntax).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
# The address people reach the site at, for links in e-mail.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@livestock.example.cn")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Text messages (SMS) ---------------------------------------------------------------------
# The one gateway every SMS goes through (surveillance/sms.py): printed in the embedded mode.
SMS_BACKEND = env.str("SMS_BACKEND", default="surveillance.sms.ConsoleBackend")
SMS_URL = env.str("SMS_URL", default="")
SMS_TOKEN = env.str("SMS_TOKEN", default="")

# --- Maps -----------------------------------------------------------------------------------
# No tile server is reachable offline: the maps draw shipped province outlines, and use an
# online tile layer only when MAP_TILES_URL is configured.
MAP_TILES_URL = env.str("MAP_TILES_URL", default="")
MAP_TILES_ATTRIBUTION = env.str("MAP_TILES_ATTRIBUTION", default="")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (27.0, 113.0),
    "DEFAULT_ZOOM": 5,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 18,
    "TILES": [(_("Online map"), MAP_TILES_URL, {"attribution": MAP_TILES_ATTRIBUTION})]
    if MAP_TILES_URL
    else [],
    "RESET_VIEW": False,
    "NO_GLOBALS": True,
}

# --- Content-Security-Policy (django-csp) ---------------------------------------------------
# No inline script anywhere: every script is a file under static/ and data reaches it through
# json_script or data- attributes (django-leaflet's inline map script is replaced, see
# templates/leaflet/_leaflet_map.html). Style sheets come only from static/ too; style
# *attributes* are allowed (style-src-attr): some forty of them in the templates size columns and
# colour stat icons, and moving each into a class buys little, since an attribute cannot run
# script and user text never reaches markup (tests/test_javascript.py). Scripts (ours, Leaflet,
# Bootstrap, Chart.js) set styles through the DOM, which CSP does not restrict.
_tiles = urlsplit(MAP_TILES_URL.replace("{s}", "*"))
_tile_origins = [f"{_tiles.scheme}://{_tiles.netloc}"] if MAP_TILES_URL else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        # Leaflet's marker icons and Bootstrap's form controls are data: URIs; online map tiles
        # only when an operator configures a tile server.
        "img-src": ["'self'", "data:", *_tile_origins],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Tables ---------------------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"


# --- Logging --------------------------------------------------------------------------------
def _not_bridge_traffic(record) -> bool:
    # The development server logs every request; a reader's bridge posts several a second.
    return "/api/bridge/" not in record.getMessage()


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"not_bridge": {"()": "django.utils.log.CallbackFilter", "callback": _not_bridge_traffic}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "server": {"class": "logging.StreamHandler", "formatter": "server", "filters": ["not_bridge"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Without a broker (embedded) every task runs in the request and would log its success.
        "celery.app.trace": {"level": "WARNING"},
        "kombu.connection": {"level": "ERROR"},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}
