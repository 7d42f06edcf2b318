"""Settings for the help-desk portal.

Every difference between a developer's laptop and production is an environment
variable (see `.env.example`). The defaults run the site with nothing
installed: SQLite, Celery tasks executed eagerly, e-mail printed to the console.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Development is the default so that `make run` needs no configuration;
# production sets DEBUG=false and must then supply a real SECRET_KEY.
DEBUG = env.bool("DEBUG", default=True)
# What production cannot guess: without them links in e-mail would point at
# 127.0.0.1 and every page would show placeholder contacts.
PRODUCTION_NEEDS = {
    "SECRET_KEY": "50+ random characters",
    "ALLOWED_HOSTS": "the host names the site answers to",
    "SITE_URL": "the address customers open, e.g. https://support.example.com (links in e-mail)",
    "SUPPORT_EMAIL": "the support address shown on every page and mail is sent to",
}
if not DEBUG:
    missing = [name for name in PRODUCTION_NEEDS if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            "With DEBUG=false these must be set (in the environment or .env; "
            ".env.example lists every setting):\n"
            + "\n".join(f"  {name}: {PRODUCTION_NEEDS[name]}" for name in missing)
        )
SECRET_KEY = env.str(
    "SECRET_KEY", default="django-insecure-development-only-key-not-for-production-use"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# `make run` passes the host and port it serves on.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "phonenumber_field",
    "rest_framework",
    "drf_spectacular",
    "accounts",
    "outbox",
    "audit",
    "schedule",
    "tickets",
    "api",
    "webhooks",
    "automation",
    "notifications",
    "knowledge",
    "reports",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "helpdesk.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "audit.middleware.ClientAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PublicFirstLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

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
                "helpdesk.context_processors.support_contacts",
                "schedule.context_processors.support_hours",
                "notifications.context_processors.unread_notifications",
            ],
            # `{% load site %}`: the parts of every page kept once rendered.
            "libraries": {"site": "helpdesk.site_tags"},
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# Reports and exports may read a streaming replica of the primary instead
# (helpdesk/db_router.py); without one everything reads the primary.
_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if _REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        # A kept connection to a replica that has since gone is dropped at
        # the next request, which then falls back to the primary.
        "CONN_HEALTH_CHECKS": True,
        # Under test no database is created for it: it reads the test
        # database by name. This suite makes it the primary itself
        # (tests/conftest.py), which the router then reads instead.
        "TEST": {"MIRROR": "default"},
    }
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # A replica that does not answer must not hold a report page for
        # the operating system's connect timeout.
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
DATABASE_ROUTERS = ["helpdesk.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# What is deployed (e.g. the commit): cache keys carry it, so a release never
# reads what an older one cached (helpdesk/cache.py).
RELEASE = env.str("RELEASE", default="dev")


def _cache_from_url(url: str) -> dict:
    # Django's own Redis backend needs no extra library; django-environ would
    # map redis:// to django-redis, which this project does not install.
    if url.startswith(("redis://", "rediss://")):
        config = {
            "BACKEND": "helpdesk.cache.RedisCache",
            "LOCATION": url,
            # An unreachable cache is a miss (helpdesk.cache): it must fail
            # fast, not hold a page for the operating system's timeout.
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        }
    else:
        config = env.cache_url_config(url)
    return {**config, "KEY_PREFIX": RELEASE}


CACHES = {"default": _cache_from_url(env.str("CACHE_URL", default="locmemcache://"))}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.CachedPermissionsBackend",
    "accounts.backends.EmailAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: login by e-mail only, no usernames, verified addresses.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# "Signed in as Анна Смирнова", not the name and the address twice.
ACCOUNT_USER_DISPLAY = "accounts.models.display_name"
ACCOUNT_FORMS = {
    "reset_password": "accounts.forms.ResetPasswordForm",
    "signup": "accounts.forms.SignupForm",
}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]

PHONENUMBER_DEFAULT_REGION = "RU"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"

# How many reverse proxies in front of the site append to X-Forwarded-For; the
# client's address (for rate limits) is the one they saw. 0: use REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
# Ours first; then other packages' Russian rewritten our way (ё).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
USE_I18N = True
TIME_ZONE = "Europe/Moscow"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Development serves files straight from static/; production from collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG


def _storage_from_url(url: str) -> dict:
    """Uploads on the local disk (MEDIA_ROOT), or in an S3 bucket when STORAGE_URL says
    s3://ACCESS_KEY:SECRET_KEY@bucket?endpoint_url=...&region=... (several web hosts
    then share the files; downloads are redirects to signed URLs that soon expire)."""
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parsed = urlsplit(url)
    if parsed.scheme != "s3" or not parsed.hostname:
        raise ImproperlyConfigured("STORAGE_URL must be s3://KEY:SECRET@bucket?...")
    query = dict(parse_qsl(parsed.query))
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": parsed.hostname,
            "access_key": unquote(parsed.username or "") or None,
            "secret_key": unquote(parsed.password or "") or None,
            "endpoint_url": query.get("endpoint_url"),
            "region_name": query.get("region"),
            "default_acl": "private",
            "querystring_auth": True,
            "signature_version": "s3v4",
            "querystring_expire": int(query.get("expire", 300)),
            "file_overwrite": False,
        },
    }


def _storage_origin(storage: dict) -> str:
    """Where a signed download URL points, for the pages' img-src: an inline
    image is a redirect there."""
    options = storage.get("OPTIONS", {})
    if "bucket_name" not in options:
        return ""
    if options.get("endpoint_url"):
        endpoint = urlsplit(options["endpoint_url"])
        return f"{endpoint.scheme}://{endpoint.netloc}"
    return "https://*.amazonaws.com"


STORAGES = {
    "default": _storage_from_url(env.str("STORAGE_URL", default="")),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "helpdesk.static_storage.StaticFilesStorage"
        )
    },
}

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# A relay that stops answering fails the send, which is retried, long before
# the outbox lets another worker take the message (outbox.models.STALE_CLAIM).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=60)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="support@helpdesk.localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[Helpdesk] "

# Celery. Without a broker the tasks run eagerly in the web process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://"
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_ACKS_LATE = True
# Redis gives the task of a worker that died (unacknowledged, as acks are late)
# to another worker after this many seconds. It must exceed every retry
# countdown (at most 10 minutes), or a task waiting for its retry runs twice.
# A killed worker's e-mail goes out sooner: the outbox sweeper takes it over.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Every periodic task, in one place.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "subscription-reminders": {
        "task": "accounts.tasks.send_subscription_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    "warn-about-deadlines": {
        "task": "tickets.tasks.warn_about_deadlines",
        "schedule": 300.0,
    },
    "close-resolved-tickets": {
        "task": "tickets.tasks.close_resolved_tickets",
        "schedule": crontab(hour=3, minute=30),
    },
    "poll-mailbox": {"task": "tickets.email.imap.poll_mailbox", "schedule": 60.0},
    "send-unsent-email": {
        "task": "outbox.email.send_unsent_email",
        "schedule": 300.0,
    },
    # Deadlines are recomputed at once when the calendar or the targets change;
    # this catches a change whose task was lost to a broker outage.
    "forget-idempotent-requests": {
        "task": "api.tasks.forget_old_idempotent_requests",
        "schedule": crontab(hour=4, minute=45),
    },
    # Personal data kept no longer (RETENTION_*_DAYS), recorded per run.
    "apply-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=0),
    },
    "forget-old-exports": {
        "task": "reports.tasks.forget_old_exports",
        "schedule": crontab(minute=15),
    },
    # Erasures whose task was lost to a broker outage (privacy.tasks).
    "erase-pending": {"task": "privacy.tasks.erase_pending", "schedule": 300.0},
    "forget-kept-uploads": {
        "task": "tickets.tasks.forget_kept_uploads",
        "schedule": crontab(hour=4, minute=30),
    },
    "recompute-open-sla": {
        "task": "tickets.tasks.recompute_open_sla",
        "schedule": crontab(hour=4, minute=0),
    },
    "telegram-catch-up": {
        "task": "tickets.telegram.updates.telegram_catch_up",
        "schedule": 60.0,
    },
    # Webhook retries, and deliveries whose task was lost or whose worker died.
    "send-due-webhooks": {
        "task": "webhooks.tasks.send_due_deliveries",
        "schedule": 60.0,
    },
    "escalate": {"task": "automation.tasks.escalate", "schedule": 60.0},
    # Staff's e-mails held for their quiet hours or a digest.
    "send-due-notifications": {
        "task": "notifications.tasks.send_due_emails",
        "schedule": 60.0,
    },
    "prune-audit-log": {
        "task": "audit.tasks.prune_audit_log",
        "schedule": crontab(hour=5, minute=0),
    },
    "refresh-dashboard": {
        "task": "tickets.dashboard.figures.refresh_dashboard",
        "schedule": 60.0,
    },
    # Last week's report to the supervisors, Monday morning Moscow time
    # (CELERY_TIMEZONE).
    "weekly-report": {
        "task": "reports.tasks.send_weekly_report",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
    },
}
# Tasks sit beside the code they run; besides each app's `tasks` module
# (found by autodiscovery) these modules hold some, and a worker loads them.
CELERY_IMPORTS = [
    "outbox.email",
    "tickets.dashboard.figures",
    "tickets.email.imap",
    "tickets.telegram.outbox",
    "tickets.telegram.updates",
]

# Support contacts shown in the footer and on the hours page. `make run`
# (DEMO=true) shows the vendor's own; elsewhere the defaults are placeholders
# (production must set SUPPORT_EMAIL, see PRODUCTION_NEEDS).
DEMO = env.bool("DEMO", default=False)
SUPPORT_EMAIL = env.str(
    "SUPPORT_EMAIL", default="help@ideco.ru" if DEMO else "support@helpdesk.localhost"
)
SUPPORT_PHONE = env.str(
    "SUPPORT_PHONE", default="+7 495 662-87-34" if DEMO else "+7 495 000-00-00"
)
SUPPORT_TELEGRAM = env.str("SUPPORT_TELEGRAM", default="@helpdesk_support_bot")
# How a customer whose support has ended renews it: a page of the vendor's
# (RENEWAL_URL) if there is one, otherwise a letter to sales.
RENEWAL_URL = env.str("RENEWAL_URL", default="")
SALES_EMAIL = env.str("SALES_EMAIL", default="") or SUPPORT_EMAIL
# The working day before a public holiday ends this much earlier (the
# production calendar's "shortened day").
SCHEDULE_SHORTENED_DAY_MINUTES = env.int("SCHEDULE_SHORTENED_DAY_MINUTES", default=60)

# Security. Production sits behind a TLS-terminating proxy.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("TRUST_X_FORWARDED_PROTO", default=False)
    else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Health checks come over plain HTTP from inside the stack.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Scripts and styles come from static/ only; inline style attributes are allowed
# (the admin uses them), inline scripts and every other origin are not.
_IMAGE_SOURCES = " ".join(
    source
    for source in ("'self'", "data:", _storage_origin(STORAGES["default"]))
    if source
)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    f"img-src {_IMAGE_SOURCES}; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# How long the audit log keeps its entries (audit/): at least 365 days, which
# the database itself enforces (audit.models.RETENTION_FLOOR_DAYS).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=3 * 365)

# Licence numbers as the vendor issues them; the example is shown in forms.
LICENCE_NUMBER_REGEX = env.str(
    "LICENCE_NUMBER_REGEX", default=r"[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}"
)
LICENCE_NUMBER_EXAMPLE = env.str(
    "LICENCE_NUMBER_EXAMPLE", default="AB12-CD34-EF56-GH78"
)

# Tickets.
TICKET_REFERENCE_PREFIX = env.str("TICKET_REFERENCE_PREFIX", default="HD")
TICKET_AUTO_CLOSE_BUSINESS_DAYS = env.int("TICKET_AUTO_CLOSE_BUSINESS_DAYS", default=5)
# The one-click rating links in the closing e-mail stop working after this many days.
RATING_LINK_MAX_AGE_DAYS = env.int("RATING_LINK_MAX_AGE_DAYS", default=14)
# A rating at or below this score (of 5) is told to the supervisors.
LOW_RATING_THRESHOLD = env.int("LOW_RATING_THRESHOLD", default=2)
TICKET_ATTACHMENT_MAX_BYTES = env.int(
    "TICKET_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024
)
TICKET_ATTACHMENT_MAX_FILES = env.int("TICKET_ATTACHMENT_MAX_FILES", default=10)
TICKET_ATTACHMENT_EXTENSIONS = env.list(
    "TICKET_ATTACHMENT_EXTENSIONS",
    default=[
        ".txt",
        ".log",
        ".csv",
        ".json",
        ".xml",
        ".yaml",
        ".yml",
        ".ini",
        ".conf",
        ".cfg",
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".odt",
        ".ods",
        ".rtf",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".bmp",
        ".svg",
        ".html",
        ".htm",
        ".zip",
        ".7z",
        ".gz",
        ".tgz",
        ".rar",
        ".eml",
        ".msg",
        ".har",
        ".pcap",
    ],
)
# Shown inline as thumbnails; everything else is always downloaded.
TICKET_INLINE_IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"]
# The right-hand side of the Message-IDs of our outgoing mail.
EMAIL_MESSAGE_ID_DOMAIN = env.str(
    "EMAIL_MESSAGE_ID_DOMAIN", default="helpdesk.localhost"
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Personal data (docs/personal-data.md): how many days the files attached to
# a closed ticket and the raw text of inbound e-mail are kept; 0 or empty
# keeps them for ever. The nightly `privacy.tasks.apply_retention` removes
# what is older.


def _days_or_for_ever(name: str, default: int) -> int:
    # Set but empty means "keep for ever", as 0 does.
    value = env.str(name, default=str(default)).strip()
    return int(value) if value else 0


RETENTION_CLOSED_ATTACHMENTS_DAYS = _days_or_for_ever(
    "RETENTION_CLOSED_ATTACHMENTS_DAYS", 1095
)
RETENTION_RAW_EMAIL_DAYS = _days_or_for_ever("RETENTION_RAW_EMAIL_DAYS", 180)
# A report's export of tickets is a copy of support's data: its file is
# deleted this many hours after it was asked for.
REPORT_EXPORT_KEEP_HOURS = env.int("REPORT_EXPORT_KEEP_HOURS", default=24)

# Mail in: the IMAP mailbox polled every minute (no host: polling is off).
IMAP_HOST = env.str("IMAP_HOST", default="")
IMAP_SSL = env.bool("IMAP_SSL", default=True)
IMAP_PORT = env.int("IMAP_PORT", default=993 if IMAP_SSL else 143)
IMAP_USER = env.str("IMAP_USER", default="")
IMAP_PASSWORD = env.str("IMAP_PASSWORD", default="")
IMAP_FOLDER = env.str("IMAP_FOLDER", default="INBOX")
IMAP_BATCH_SIZE = env.int("IMAP_BATCH_SIZE", default=100)

# The Telegram bot (see README, "Telegram"). No token: the webhook answers 404
# and nothing is sent.
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_BOT_USERNAME = env.str(
    "TELEGRAM_BOT_USERNAME", default=SUPPORT_TELEGRAM.lstrip("@")
)
# Telegram sends it in X-Telegram-Bot-Api-Secret-Token: 1-256 of A-Z a-z 0-9 _ -.
TELEGRAM_WEBHOOK_SECRET = env.str("TELEGRAM_WEBHOOK_SECRET", default="")
TELEGRAM_WEBHOOK_URL = env.str(
    "TELEGRAM_WEBHOOK_URL", default=SITE_URL.rstrip("/") + "/telegram/webhook/"
)
TELEGRAM_API_URL = env.str("TELEGRAM_API_URL", default="https://api.telegram.org")


# The integration API (api/): tokens only, JSON in and out, errors as
# problem documents, a rate per token.
API_RATE = env.str("API_RATE", default="600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": API_RATE},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.handle_exception",
    "UNAUTHENTICATED_USER": None,
}
# Webhooks (webhooks/): only https to public addresses, unless this is set
# (tests, a development machine): then http and private, loopback and
# link-local addresses too.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool(
    "WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False
)
SPECTACULAR_SETTINGS = {
    "TITLE": "Help-desk API",
    "DESCRIPTION": (
        "Licences, organisations and tickets for integrations. Send a token: "
        "`Authorization: Bearer hdk_…`. Errors are `application/problem+json`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.Ticket.Status",
        "AccessRequestStatusEnum": "accounts.models.AccessRequest.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_schedule_status",
        "api.schema.add_problem_responses",
    ],
}
