"""Lexhub settings: one module, every deployment value read from the environment.

Defaults make `make run` work on a fresh machine (SQLite, a filesystem broker, the sandbox);
production sets DATABASE_URL, CELERY_BROKER_URL, REDIS_URL and the secrets. Variables are read through
the typed helpers of lexhub/env.py: bad values stop start-up with ImproperlyConfigured instead of
surfacing later as odd behaviour.
"""

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from lexhub.env import email_settings, env_bool, env_int, env_list, env_secret, env_str, env_url, media_storage
from lexhub.logging_config import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
# What Lexhub writes (var/: keys, the SQLite file and its -wal/-shm, cache, broker, media) is for this user
# alone: files 0600, folders 0700. Every entry point (manage.py, celery, wsgi, pytest) imports these settings
# before it writes anything, so the umask is set once here, not in each of them; it also covers files made by
# libraries (SQLite, kombu, shelve) whose modes cannot be passed in.
os.umask(0o077)
VAR_DIR = Path(os.environ.get("LEXHUB_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
with contextlib.suppress(PermissionError):  # a var/ made before the umask; someone else's folder is left alone
    VAR_DIR.chmod(0o700)


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_secret("SECRET_KEY", VAR_DIR / "secret_key", lambda: secrets.token_urlsafe(50))

# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation: prepend a new key,
# run `manage.py reencrypt_keys`, then drop the old one).
FIELD_ENCRYPTION_KEYS = env_secret(
    "FIELD_ENCRYPTION_KEY", VAR_DIR / "field_encryption_key", lambda: Fernet.generate_key().decode()
).split(",")
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key.strip())
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be one or more comma-separated Fernet keys "
            "(generate one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)"
        ) from None

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PUBLIC_BASE_URL = env_url("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",  # login throttling (AXES_* below)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "lexhub",
    "connections",
    "contacts",
    "vouchers",
    "invoices",
    "einvoices",
    "webhooks",
    "assistants",
    "reports",
    "outgoing",
    "intake",
]

MIDDLEWARE = [
    "lexhub.middleware_timing.ServerTimingMiddleware",  # first, to time all the others; off unless set
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lexhub.middleware.SecurityHeadersMiddleware",
    "lexhub.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the language cookie, else the browser's Accept-Language
    "lexhub.middleware.ApiLanguageMiddleware",  # the REST API: English unless asked otherwise
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a lockout into lexhub.auth.lockout_response
]

ROOT_URLCONF = "lexhub.urls"
WSGI_APPLICATION = "lexhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
            "libraries": {"formats": "web.formatting"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"), conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: WAL lets readers run beside one writer, and
    # IMMEDIATE transactions queue writers instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so a Celery worker started by a test can open the test database too.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_db.sqlite3")}
else:
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's, with psycopg's C timestamp loader and prepared statements (lexhub/postgres/base.py).
        DATABASES["default"]["ENGINE"] = "lexhub.postgres"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The API's fixed-shape hot queries as prepared statements (lexhub/postgres/base.py); off for a pooler
# that cannot keep them (PgBouncer before 1.21 in transaction mode).
LEXHUB_PREPARED_STATEMENTS = env_bool("LEXHUB_PREPARED_STATEMENTS", True)
# Speed-ups that lean on libraries' private internals, by name, turned off: only for the A/B bench
# (bench/speedups.py), which measures each one's gain against the code path it replaces.
LEXHUB_SPEEDUPS_OFF = frozenset(env_list("LEXHUB_SPEEDUPS_OFF", []))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_url("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "lexhub.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Proxies in front of Lexhub that append to X-Forwarded-For; 0 (direct) ignores the header, which any
# client can forge. See lexhub/client_address.py.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, got {TRUSTED_PROXY_COUNT}")

# Login throttling (django-axes, lexhub/auth.py). Failures count per username AND address together, so
# guessing at a username from one place never locks its owner out elsewhere; each address also has a
# ceiling across all usernames, against one address spraying many names. A lockout ends 5 minutes
# after the last counted failure; attempts while locked out are refused without being counted.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "lexhub.auth.LoginAttemptHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 10
LEXHUB_LOGIN_ADDRESS_FAILURE_LIMIT = 50  # failures from one address, all usernames together
AXES_COOLOFF_TIME = timedelta(minutes=5)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "lexhub.client_address.axes_client_address"
AXES_LOCKOUT_CALLABLE = "lexhub.auth.lockout_response"
LEXHUB_LOGIN_LOG_DAYS = env_int("LEXHUB_LOGIN_LOG_DAYS", 90)  # sign-ins and failures kept this long


# Outgoing mail, for password reset only: without EMAIL_URL or EMAIL_HOST, password reset is not offered
# (its pages answer 404), since its mail could not be sent. Django's own default host, localhost, is not used.
_mail = (
    email_settings(env_str("EMAIL_URL"))
    if env_str("EMAIL_URL")
    else {
        "EMAIL_HOST": env_str("EMAIL_HOST"),
        "EMAIL_PORT": env_int("EMAIL_PORT", 25),
        "EMAIL_HOST_USER": env_str("EMAIL_HOST_USER"),
        "EMAIL_HOST_PASSWORD": env_str("EMAIL_HOST_PASSWORD"),
        "EMAIL_USE_TLS": env_bool("EMAIL_USE_TLS", False),
        "EMAIL_USE_SSL": env_bool("EMAIL_USE_SSL", False),
    }
)
EMAIL_HOST, EMAIL_PORT = _mail["EMAIL_HOST"], _mail["EMAIL_PORT"]
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _mail["EMAIL_HOST_USER"], _mail["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS, EMAIL_USE_SSL = _mail["EMAIL_USE_TLS"], _mail["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"lexhub@{urlsplit(PUBLIC_BASE_URL).hostname}")
LEXHUB_PASSWORD_RESET_RATE = (5, 3600)  # reset requests per address, per seconds

# German first (the users keep German books), English second; the language cookie set by the switch in the
# page header wins, then the browser's Accept-Language (LocaleMiddleware). Catalogue: locale/README.md.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Hashed, compressed static files once `collectstatic` has run (deployments); straight from the
# source folders otherwise (make run, tests), so a fresh clone serves its pages.
_STATIC_COLLECTED = (STATIC_ROOT / "staticfiles.json").exists()
WHITENOISE_USE_FINDERS = not _STATIC_COLLECTED
STORAGES = {
    "default": media_storage(),  # S3-compatible storage with LEXHUB_S3_BUCKET (lexhub/env.py)
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Django chmods stored files to 0644 by default, past the umask: receipts and documents are private.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Security. Cookies are Secure unless DEBUG; TLS redirect and HSTS are for deployments behind TLS.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])

# Celery: the embedded default is kombu's filesystem transport, which needs no server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = env_str("LEXHUB_CELERY_QUEUE", "celery")
CELERY_TASK_IGNORE_RESULT = True
# A request that enqueues must not hang when the broker is down: fail fast, the sweepers resend.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Lexoffice
LEXOFFICE_API_BASE_URL = env_url("LEXOFFICE_API_BASE_URL", "https://api.lexware.io").rstrip("/")
# Further addresses a connection may choose (scheme://host[:port], comma-separated), e.g. a sandbox.
# Connections can reach nothing else: no user input decides where an API key is sent.
LEXOFFICE_API_BASE_URLS = env_list("LEXOFFICE_API_BASE_URLS", [])
LEXOFFICE_APP_URL = env_url("LEXOFFICE_APP_URL", "https://app.lexware.de").rstrip("/")
LEXOFFICE_WEBHOOK_PUBLIC_KEYS = env_list("LEXOFFICE_WEBHOOK_PUBLIC_KEYS", [])
LEXOFFICE_RATE_LIMIT = float(env_str("LEXOFFICE_RATE_LIMIT", "2") or "2")
LEXOFFICE_TIMEOUT_SECONDS = float(env_str("LEXOFFICE_TIMEOUT_SECONDS", "30") or "30")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lexhub.api_auth.TokenAuthentication",  # knox: `Authorization: Token <token>`, stored hashed
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "lexhub.token_scope.ReadOnlyTokenPermission",  # a read-only token: safe methods only
    ],
    "DEFAULT_RENDERER_CLASSES": ["web.api.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_METADATA_CLASS": "web.metadata.MethodsMetadata",
    "DEFAULT_THROTTLE_CLASSES": ["web.api.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("LEXHUB_API_THROTTLE", "6000/hour")},
    "EXCEPTION_HANDLER": "lexhub.api.exception_handler",
}
# Tool tokens live until revoked, unless LEXHUB_API_TOKEN_TTL (seconds) gives new ones an expiry.
LEXHUB_API_TOKEN_TTL = env_int("LEXHUB_API_TOKEN_TTL", 0)
if LEXHUB_API_TOKEN_TTL < 0:
    raise ImproperlyConfigured(f"LEXHUB_API_TOKEN_TTL must be a number of seconds, got {LEXHUB_API_TOKEN_TTL}")
REST_KNOX = {
    "TOKEN_TTL": timedelta(seconds=LEXHUB_API_TOKEN_TTL) if LEXHUB_API_TOKEN_TTL else None,
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lexhub API",
    "DESCRIPTION": "A local, searchable, editable mirror of a Lexoffice (Lexware Office) account.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",  # tags per resource (contacts, vouchers, ...), not one "v1"
    "COMPONENT_SPLIT_REQUEST": True,
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    # Swagger UI from drf-spectacular-sidecar's static files, not a CDN (the CSP allows only 'self').
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "IntakeItemStateEnum": "intake.models.IntakeItem.State",
        "IntakeDoorStateEnum": "intake.models.DoorState",
    },
}

# Error pages and reports mask API keys and tokens wherever they appear (lexhub/reporting.py).
DEFAULT_EXCEPTION_REPORTER_FILTER = "lexhub.reporting.SecretFilter"
DEFAULT_EXCEPTION_REPORTER = "lexhub.reporting.SecretScrubbingReporter"

LOGGING = logging_config(env_str("LOG_LEVEL", "INFO"))

# A Server-Timing header on every response, for `make bench` (off in production).
LEXHUB_SERVER_TIMING = env_bool("LEXHUB_SERVER_TIMING", False)

# New connections subscribe to webhooks right away; benchmarks turn it off to count only sync requests.
LEXHUB_AUTO_REGISTER_WEBHOOKS = env_bool("LEXHUB_AUTO_REGISTER_WEBHOOKS", True)
LEXHUB_WEBHOOK_SWEEP_AFTER_SECONDS = env_int("LEXHUB_WEBHOOK_SWEEP_AFTER_SECONDS", 30)

# Outgoing webhooks (outgoing/): networks endpoints may reach besides public addresses (CIDRs, e.g.
# 127.0.0.0/8,::1/128 for local tools); retries back off from BASE doubling up to CAP seconds, for RETRY_FOR
# seconds; an endpoint failing for DISABLE_AFTER seconds is disabled.
LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS = env_list("LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS", [])
LEXHUB_OUTGOING_WEBHOOKS_RETRY_BASE_SECONDS = float(env_str("LEXHUB_OUTGOING_WEBHOOKS_RETRY_BASE_SECONDS", "5") or "5")
LEXHUB_OUTGOING_WEBHOOKS_RETRY_CAP_SECONDS = float(
    env_str("LEXHUB_OUTGOING_WEBHOOKS_RETRY_CAP_SECONDS", "3600") or "3600"
)
LEXHUB_OUTGOING_WEBHOOKS_RETRY_FOR_SECONDS = env_int("LEXHUB_OUTGOING_WEBHOOKS_RETRY_FOR_SECONDS", 86400)
LEXHUB_OUTGOING_WEBHOOKS_DISABLE_AFTER_SECONDS = env_int("LEXHUB_OUTGOING_WEBHOOKS_DISABLE_AFTER_SECONDS", 3 * 86400)

LEXHUB_SYNC_INTERVAL_SECONDS = env_int("LEXHUB_SYNC_INTERVAL_SECONDS", 900)
# Intake (intake/): watched folders live under this root; mailboxes and folders are polled every INTERVAL,
# retried after BACKOFF * 2^failures (at most 1 h); a poll's lease runs out LEASE seconds after a worker died.
LEXHUB_INTAKE_ROOT = Path(env_str("LEXHUB_INTAKE_ROOT", str(VAR_DIR / "intake")))
LEXHUB_INTAKE_ALLOWED_NETWORKS = env_list("LEXHUB_INTAKE_ALLOWED_NETWORKS", [])  # mail servers besides public
LEXHUB_INTAKE_POLL_SECONDS = env_int("LEXHUB_INTAKE_POLL_SECONDS", 180)
LEXHUB_INTAKE_BACKOFF_SECONDS = env_int("LEXHUB_INTAKE_BACKOFF_SECONDS", 60)
LEXHUB_INTAKE_LEASE_SECONDS = env_int("LEXHUB_INTAKE_LEASE_SECONDS", 120)
LEXHUB_INTAKE_STABLE_SECONDS = env_int("LEXHUB_INTAKE_STABLE_SECONDS", 5)
CELERY_BEAT_SCHEDULE = {
    "incremental-sync": {
        "task": "connections.tasks.schedule_incremental_syncs_task",
        "schedule": LEXHUB_SYNC_INTERVAL_SECONDS,
    },
    "resume-stalled-syncs": {"task": "connections.tasks.resume_stalled_runs_task", "schedule": 60.0},
    "sweep-webhook-inbox": {"task": "webhooks.tasks.sweep_inbox_task", "schedule": 30.0},
    "sweep-outbox": {"task": "connections.tasks.sweep_outbox_task", "schedule": 30.0},
    "sweep-uploads": {"task": "vouchers.tasks.sweep_uploads_task", "schedule": 60.0},
    "sweep-outgoing-deliveries": {"task": "outgoing.tasks.sweep_deliveries_task", "schedule": 30.0},
    "poll-intake": {"task": "intake.tasks.poll_due_doors_task", "schedule": env_int("LEXHUB_INTAKE_TICK_SECONDS", 30)},
    "expire-login-log": {"task": "lexhub.tasks.expire_login_log_task", "schedule": 6 * 3600},
    "reconcile-webhook-subscriptions": {
        "task": "webhooks.tasks.reconcile_all_webhooks_task",
        "schedule": env_int("LEXHUB_WEBHOOK_RECONCILE_SECONDS", 6 * 3600),
    },
}
