"""Candour settings: read from the environment only (see .env.example).

Development defaults are safe and need no server: SQLite and a broker kept
in files under ``var/``. Production mode (DEBUG off) refuses to start
without a real SECRET_KEY.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting; empty means the default. Anything else refuses to
    start: a mistyped SECURE_SSL_REDIRECT=ture must not quietly mean off."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in _TRUE | _FALSE:
        return raw in _TRUE
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value: use true or false (or 1/0, yes/no, on/off).")


# CANDOUR_ENV=production turns off every development default.
PRODUCTION = env.str("CANDOUR_ENV", default="development") == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else DEV_SECRET_KEY)
if PRODUCTION and (len(SECRET_KEY) < 40 or SECRET_KEY == DEV_SECRET_KEY):
    raise ImproperlyConfigured("CANDOUR_ENV=production needs a real SECRET_KEY (40+ characters).")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when CANDOUR_ENV=production.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",  # its system check catches settings in the pre-4.0 format
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "survey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "survey.web.middleware.ContentSecurityPolicyMiddleware",
    "survey.web.middleware.PrivateReferrerMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "survey.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "survey.web.middleware.RespondentCsrfMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "survey.web.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Staff sign-in: axes throttles guessing (per username, counters in the
# cache only: no address is stored or logged); TOTP two-factor is optional.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_STR_CALLABLE = "survey.staff.signin.axes_client_str"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Candour"

# survey.web.middleware.RespondentCsrfMiddleware *is* Django's CSRF middleware
# (a subclass); the deploy check only looks for the original's dotted path.
SILENCED_SYSTEM_CHECKS = ["security.W003"]
# axes counts failures per username only, by design: an address-based lock
# would need addresses in its cache keys (DESIGN rule 1).
SILENCED_SYSTEM_CHECKS += ["axes.W006"]

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'candour.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep connections between requests: opening one (a PostgreSQL fork) cost
# more than a whole submission in the benchmarks (docs/performance.md).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker read while the web process writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "survey:console-home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# The interface ships in English and Welsh (locale/); survey definitions name
# them "en" and "cy" (survey/languages.py).
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# DESIGN rule 3: respondent pages send no referrer (PrivateReferrerMiddleware)
# and set no cookie beyond CSRF; staff pages never send one to another site.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_AGE = None  # a browser-session cookie: nothing left behind on a shared computer
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# The load balancer's health check speaks plain HTTP (survey/web/public.py healthz).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)  # the header alone enrols nothing
# Everything is served from this site: no third-party script, style, font or image (rule 3).
# Sent by django-csp (survey.web.middleware.ContentSecurityPolicyMiddleware,
# which lets /admin/ use inline styles).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "style-src": [SELF],
        "script-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None

# The cache holds only short-lived rate-limit counters under keyed hashes that
# change every window (rule 8). Redis in production keeps nothing on disk;
# without Redis it is this process's memory.
if REDIS_URL_FOR_CACHE := env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL_FOR_CACHE,
            "KEY_PREFIX": "candour",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Development serves from one process, where a per-process cache is whole.
    SILENCED_SYSTEM_CHECKS += ["axes.W001"]
# Per hashed client address: submissions and wrong invitation codes.
CANDOUR_SUBMIT_RATE = env.str("CANDOUR_SUBMIT_RATE", default="300/3600")
CANDOUR_CODE_FAILURE_RATE = env.str("CANDOUR_CODE_FAILURE_RATE", default="20/900")
# Key for the keyed hashes of invitation codes; defaults to one derived from SECRET_KEY.
CANDOUR_CODE_KEY = env.str("CANDOUR_CODE_KEY", default="")
# Fernet key(s) sealing waiting submissions (comma separated, newest first);
# never stored in the database. Defaults to one derived from SECRET_KEY.
CANDOUR_PENDING_KEY = env.str("CANDOUR_PENDING_KEY", default="")

# Celery. Without REDIS_URL the broker lives in files under var/ so that
# `make run` needs no server; production and CI point REDIS_URL at Redis.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Never let a publish hang: fail fast and let reconciliation catch up.
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
        "max_retries": 0,
    }
else:
    _broker_dir = env.path("CANDOUR_BROKER_DIR", default=VAR_DIR / "broker")
    Path(_broker_dir).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir),
        "store_processed": False,
        # Exchange tables too (kombu's default is "control" in the working directory).
        "control_folder": str(Path(_broker_dir) / "control"),
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CANDOUR_MIX_INTERVAL = env.float("CANDOUR_MIX_INTERVAL", default=15.0)
# Pending submissions of a survey are mixed in once this many are waiting
# (or at the end of their day), so a batch never holds a lone response.
CANDOUR_MIX_MIN_BATCH = env.int("CANDOUR_MIX_MIN_BATCH", default=10 if PRODUCTION else 1)
CANDOUR_RECONCILE_INTERVAL = env.float("CANDOUR_RECONCILE_INTERVAL", default=120.0)
CELERY_BEAT_SCHEDULE = {
    "mix-pending-submissions": {
        "task": "survey.tasks.mix_pending",
        "schedule": CANDOUR_MIX_INTERVAL,
    },
    "reconcile-results": {
        "task": "survey.tasks.reconcile",
        "schedule": CANDOUR_RECONCILE_INTERVAL,
    },
    "apply-survey-schedule": {
        "task": "survey.tasks.apply_schedule",
        "schedule": 60.0,
    },
}

# How long a respondent's signed form token stays valid (seconds).
CANDOUR_FORM_TOKEN_MAX_AGE = env.int("CANDOUR_FORM_TOKEN_MAX_AGE", default=2 * 24 * 3600)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Candour <candour@localhost>")
# Invitation links (password-setting tokens) stop working after this long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=7 * 24 * 3600)
# "Forgot your password?" links have their own, shorter life (never longer than
# the above, which Django checks first), and requests are throttled per typed
# address and per hashed client address, in clock-aligned windows.
CANDOUR_PASSWORD_RESET_TIMEOUT = env.int("CANDOUR_PASSWORD_RESET_TIMEOUT", default=3600)
CANDOUR_PASSWORD_RESET_ACCOUNT_RATE = env.str("CANDOUR_PASSWORD_RESET_ACCOUNT_RATE", default="3/3600")
CANDOUR_PASSWORD_RESET_NETWORK_RATE = env.str("CANDOUR_PASSWORD_RESET_NETWORK_RATE", default="20/3600")
# The HTTP API (survey/api/): requests per client, and wrong keys per client (like failed sign-ins).
CANDOUR_API_RATE = env.str("CANDOUR_API_RATE", default="300/60")
CANDOUR_API_KEY_FAILURE_RATE = env.str("CANDOUR_API_KEY_FAILURE_RATE", default="20/900")
ADMINS = [("Admin", a) for a in env.list("ADMINS", default=[])]

# DESIGN rule 1: logs carry no address, user agent or respondent data. The
# dev server and gunicorn access logs are configured without the client
# address; Django's own loggers never receive request bodies.
# Error reports mask the password of every URL-shaped setting (REDIS_URL...).
DEFAULT_EXCEPTION_REPORTER_FILTER = "survey.web.log_filters.SafeSettingsFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_request": {"()": "survey.web.log_filters.DropRequestFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_request"]},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["no_request"],
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
    },
}
