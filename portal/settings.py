"""Settings for the KI-Readiness-Portal: one module, driven by the environment.

Without any environment variable the portal runs in its embedded default (SQLite under ``var/``,
Celery tasks eager, e-mail to the console, DEBUG on). Setting ``DEBUG=0`` together with
``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL`` and ``CELERY_BROKER_URL`` gives production.
Every helper below raises ``ImproperlyConfigured`` on a value it cannot read, so a typo in a
deployment fails at start-up rather than at 3 a.m.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    """A text setting; an empty value counts as unset (docker compose passes ``${NAME:-}``)."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "embedded-default-insecure-key-only-for-local-demo-use")
else:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])


def _served_at() -> str:
    """Where ``make run HOST=… PORT=…`` serves: the address links in e-mails point at by default.

    A wildcard address (0.0.0.0, ::) is reached as 127.0.0.1 on this machine; anything meant for
    other machines sets SITE_URL.
    """
    host = env_str("HOST", "127.0.0.1")
    port = env_int("PORT", 8000)
    if not 0 < port < 65536:
        raise ImproperlyConfigured(f"PORT must be a TCP port (1–65535), not {port}.")
    if host in ("0.0.0.0", "::", "[::]", ""):  # noqa: S104 - a name for the wildcard, not a bind
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


# The portal's own public address, used in e-mails (invitations, password reset, report ready).
SITE_URL = env_str("SITE_URL", _served_at()).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "portal",
    "assessments",
    "news",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.security.uploads.UploadTooLargeMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.security.middleware.SecurityHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.security.sessions.SessionActivityMiddleware",
    "portal.security.mfa.MFARequiredMiddleware",
    "portal.privacy.audit.ReadAuditMiddleware",
    # Last, as django-axes requires: it turns a flagged lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.portal",
            ],
        },
    },
    {
        # Plain text (e-mail subjects and text parts, calendar and CSV bodies): the same
        # templates without HTML autoescaping, so "Müller & Söhne" never arrives as "&amp;".
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Database: PostgreSQL via DATABASE_URL (psycopg 3), SQLite under var/ otherwise.
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)
_database_url = os.environ.get("DATABASE_URL")
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            # Tests use a file, not Django's shared in-memory database: with an in-memory
            # database the live server's threads share one connection, and two overlapping
            # browser requests then fail with "cannot release savepoint".
            "TEST": {
                "NAME": str(Path(tempfile.gettempdir()) / f"ki-portal-test-{os.getpid()}.sqlite3")
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "landing"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)
# Client owners may send this many invitations per organisation and 24 hours (consultants: any).
INVITATIONS_PER_ORGANIZATION_PER_DAY = env_int("INVITATIONS_PER_ORGANIZATION_PER_DAY", 10)
EMAIL_VERIFY_VALID_DAYS = env_int("EMAIL_VERIFY_VALID_DAYS", 7)

# GDPR: an erasure runs ERASURE_GRACE_DAYS after the owner's request (cancellable until then);
# the owners are reminded ERASURE_REMINDER_DAYS before. Retention (days) of the audit log, of
# records of ended sign-ins and of drafts nobody touched, enforced daily by beat.
ERASURE_GRACE_DAYS = env_int("ERASURE_GRACE_DAYS", 14)
ERASURE_REMINDER_DAYS = env_int("ERASURE_REMINDER_DAYS", 3)
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730)
# A consultant's or admin's read of client data is audited once per page, query and client within
# this many seconds (a panel polled every 2 s is one read); 0 writes an entry for every request.
AUDIT_READ_REPEAT_SECONDS = env_int("AUDIT_READ_REPEAT_SECONDS", 60)
SESSION_RETENTION_DAYS = env_int("SESSION_RETENTION_DAYS", 90)
DRAFT_RETENTION_DAYS = env_int("DRAFT_RETENTION_DAYS", 365)
# Enquiries (contact form): deleted this many days after they were last handled once closed or
# turned into a client, and after LEAD_OPEN_RETENTION_DAYS without any change while still open.
LEAD_RETENTION_DAYS = env_int("LEAD_RETENTION_DAYS", 180)
LEAD_OPEN_RETENTION_DAYS = env_int("LEAD_OPEN_RETENTION_DAYS", 365)

# Consultants and admins are signed out after this many minutes without a request.
STAFF_IDLE_TIMEOUT_MINUTES = env_int("STAFF_IDLE_TIMEOUT_MINUTES", 30)

# Two-factor sign-in (django-otp): TOTP apps show this issuer name next to the account.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "KI-Readiness-Portal")
# django-otp's own throttle (a wait doubling with every wrong code) refuses even the right code
# typed a second after a typo; instead MFA_FAILURE_LIMIT wrong codes within AXES_COOLOFF_MINUTES
# stop the second factor of that account for the rest of that time (portal.security.mfa).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
MFA_FAILURE_LIMIT = env_int("MFA_FAILURE_LIMIT", 5)
if MFA_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("MFA_FAILURE_LIMIT must be at least 1.")

# Brute force (django-axes): LOGIN_FAILURE_LIMIT_ACCOUNT wrong passwords lock the account, and
# LOGIN_FAILURE_LIMIT_IP wrong passwords from one address (over all accounts) lock that address,
# each for AXES_COOLOFF_MINUTES. The address limit is higher so that an office behind one NAT
# address is not locked out together. Failures during a lockout do not extend it, so nobody can
# keep a known account locked for good; an admin unlocks by deleting the attempts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT_ACCOUNT = env_int("LOGIN_FAILURE_LIMIT_ACCOUNT", 5)
LOGIN_FAILURE_LIMIT_IP = env_int("LOGIN_FAILURE_LIMIT_IP", 30)
if not 1 <= LOGIN_FAILURE_LIMIT_ACCOUNT <= LOGIN_FAILURE_LIMIT_IP:
    raise ImproperlyConfigured(
        "LOGIN_FAILURE_LIMIT_ACCOUNT must be at least 1 and at most LOGIN_FAILURE_LIMIT_IP."
    )
AXES_HANDLER = "portal.security.lockout.LoginAttemptHandler"
AXES_FAILURE_LIMIT = "portal.security.lockout.failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "portal.security.lockout.attempt_username"
AXES_CLIENT_IP_CALLABLE = "portal.security.lockout.attempt_ip_address"
AXES_LOCKOUT_CALLABLE = "portal.security.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password"]
# Log lines name the account by a keyed hash, not by its e-mail address (portal.security.lockout).
AXES_CLIENT_STR_CALLABLE = "portal.security.lockout.log_client"
# Number of our own reverse proxies that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Cache: process-local memory in the embedded default; CACHE_URL (redis://host:port/db) gives the
# one cache every web process and worker shares (dashboard pages, rate limits) in the full stack.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r} must be a redis:// URL.")
    CACHES = {
        "default": {
            # Django's RedisCache that serves pages (built, not cached) when Redis is down
            "BACKEND": "portal.cache.FaultTolerantRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The page frame's parts (templates/base.html: links, labels and asset URLs by language and
# role) are rendered once per process and kept in its own memory, never in the shared cache: a
# Redis round trip would cost what the render saves (decision 0060). runserver forgets them when
# a template or translation changes (portal.frame).
CACHES["chrome"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "chrome",
    "TIMEOUT": None,
}

# Catalogue facts (legal/vendor) whose "as of" date is older than this are listed for review.
CATALOGUE_FACT_MAX_AGE_DAYS = env_int("CATALOGUE_FACT_MAX_AGE_DAYS", 180)
# Contact form: at most this many submissions per client IP and window (seconds). The counter
# lives in the default cache (portal.security.ratelimit): with several web processes set
# CACHE_URL, or each process counts on its own. When the cache is down the limit lets requests
# through and logs an ERROR.
CONTACT_RATE_LIMIT = env_int("CONTACT_RATE_LIMIT", 5)
CONTACT_RATE_WINDOW = env_int("CONTACT_RATE_WINDOW", 3600)

# Internationalisation: German first, English complete.
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]  # day-month-year, 24-hour clock in both languages
# Counts as readers write them: "16.658 Kunden", in English "16,658 clients" (the portfolio of a
# chamber runs to tens of thousands). Machine-readable output (URLs, CSV, XLSX, iCalendar, feeds,
# CSS values) is built in Python, never from a localised template number.
USE_THOUSAND_SEPARATOR = True

# Static files are served by the portal itself (whitenoise); no CDN, no third-party host.
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Largest file any form accepts (the catalogue upload): above it nothing is stored and the person
# gets a 413 page. The rest of a larger body is read and discarded (so the browser can show that
# page) up to UPLOAD_DRAIN_MAX_BYTES; a bigger one gets its connection closed.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
UPLOAD_DRAIN_MAX_BYTES = env_int("UPLOAD_DRAIN_MAX_BYTES", 100 * 1024 * 1024)
# Evidence files on actions (signed contracts, training lists) may be larger than other uploads.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "portal.security.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
PRIVATE_STORAGE_ROOT = Path(env_str("PRIVATE_STORAGE_ROOT", str(VAR_DIR / "private")))
# A fresh clone has no var/: SQLite cannot create its file in a missing folder, and the report
# task must not be the first to find out that private storage is missing.
for _folder in (VAR_DIR, PRIVATE_STORAGE_ROOT):
    try:
        _folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ImproperlyConfigured(f"Cannot create the folder {_folder}: {error}") from None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
    # Reports live outside MEDIA_ROOT and are only ever served by a permission-checked view.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_ROOT, "base_url": None},
    },
}

# In the embedded default whitenoise serves straight from static/ (no collectstatic needed);
# in production from the hashed, compressed files collectstatic wrote to STATIC_ROOT.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: console in the embedded default, SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    # for EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend: a folder of .log files
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "KI-Readiness-Portal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: production defaults are strict; behind a TLS-terminating proxy set
# SECURE_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from our own static files, no inline script
# or event-handler attribute, nothing from another origin, never framed. Inline style attributes
# stay allowed (htmx and the SVG charts use them). Put every script in static/js/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
SESSION_COOKIE_HTTPONLY = True
# A browser that has signed in to an account before carries a signed, HttpOnly cookie naming
# (as keyed hashes) the accounts it knows; a sign-in without it sends the "new sign-in" e-mail.
# Secure like the session cookie, and then with the __Host- prefix (this host only, path /).
DEVICE_COOKIE_DAYS = env_int("DEVICE_COOKIE_DAYS", 365)
DEVICE_COOKIE_SECURE = SESSION_COOKIE_SECURE
DEVICE_COOKIE_NAME = "__Host-portal_device" if DEVICE_COOKIE_SECURE else "portal_device"

# Celery: a broker URL means real workers; without one tasks run eagerly in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool(
    "CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
# Eager tasks run inside the request; a PDF report takes seconds. Without a broker (the embedded
# default) one background thread of the web process renders reports instead, and the page
# answers at once. The unit tests switch it off to render synchronously (tests/conftest.py).
REPORT_RENDER_IN_BACKGROUND = env_bool("REPORT_RENDER_IN_BACKGROUND", CELERY_TASK_ALWAYS_EAGER)
CELERY_RESULT_BACKEND = (
    env_str(
        "CELERY_RESULT_BACKEND",
        CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "",
    )
    or None
)
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process grows by about 1 MiB per PDF (WeasyPrint caches; `make bench`, section 4); one that
# has passed this many KiB after a task is replaced by a fresh (pre-warmed) one.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", 400_000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message not acknowledged within this time is redelivered; it must exceed the hard time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT * 2,
    # Fail fast when Redis is down: the caller keeps its data and the sweep re-queues later.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Reports (see README "Operating the full stack"). The sweep runs every REPORT_SWEEP_SECONDS and
# re-sends a queued report whose message the broker no longer holds (with a broker it cannot look
# into: one queued longer than REPORT_STALE_SECONDS); a render holds its report by a lease its
# worker renews every third of REPORT_LEASE_SECONDS, so a dead render is noticed within the lease
# plus one sweep. Housekeeping (files, resumes, alerts) runs every REPORT_HOUSEKEEPING_SECONDS.
REPORT_STALE_SECONDS = env_int("REPORT_STALE_SECONDS", 30)
REPORT_LEASE_SECONDS = env_int("REPORT_LEASE_SECONDS", 15)
REPORT_SWEEP_SECONDS = env_int("REPORT_SWEEP_SECONDS", 5)
REPORT_HOUSEKEEPING_SECONDS = env_int("REPORT_HOUSEKEEPING_SECONDS", 60)
# Renders that died mid-way (worker killed) before the report fails.
REPORT_MAX_ATTEMPTS = env_int("REPORT_MAX_ATTEMPTS", 4)
# Infrastructure faults (database, storage) are retried with backoff for this long, then the
# report fails and the sweep resumes it once the fault is gone (up to the resume age).
REPORT_RETRY_BUDGET_SECONDS = env_int("REPORT_RETRY_BUDGET_SECONDS", 600)
REPORT_RETRY_MAX_DELAY = env_int("REPORT_RETRY_MAX_DELAY", 5)
REPORT_RESUME_MAX_AGE_SECONDS = env_int("REPORT_RESUME_MAX_AGE_SECONDS", 7 * 24 * 3600)
REPORT_MIN_FREE_BYTES = env_int("REPORT_MIN_FREE_BYTES", 20 * 1024 * 1024)
REPORT_ORPHAN_GRACE_SECONDS = env_int("REPORT_ORPHAN_GRACE_SECONDS", 3600)
# The report panel says "verzögert" after this; the admins get one e-mail after this.
REPORT_DELAYED_SECONDS = env_int("REPORT_DELAYED_SECONDS", 120)
REPORT_ALERT_SECONDS = env_int("REPORT_ALERT_SECONDS", 900)
# Workers and beat write a heartbeat this often; /healthz calls them dead after the stale time.
HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 10)
HEARTBEAT_STALE_SECONDS = env_int("HEARTBEAT_STALE_SECONDS", 60)
# /healthz shows its details to staff, or to callers sending this token (X-Health-Token header).
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN", "")
# Who gets the e-mail about stuck or failed reports: "a@example.de,b@example.de".
ADMINS = [(email, email) for email in env_list("ADMINS", [])]
# Portfolio dashboard: its filter form, summary and page of rows are cached until anything they
# show changes (database triggers count every write: portal/portfolio/generation.py), and for at
# most this long, because "new", "stale" and "stuck report" depend on the clock. 0 turns it off.
PORTFOLIO_CACHE_SECONDS = env_int("PORTFOLIO_CACHE_SECONDS", 60)
if PORTFOLIO_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("PORTFOLIO_CACHE_SECONDS must be 0 (off) or more.")
# The peers' averages on a results page ("Vergleich") are kept this long in the shared cache per
# industry and size band (a client's own new result is seen at once); 0 reads them every time.
BENCHMARK_CACHE_SECONDS = env_int("BENCHMARK_CACHE_SECONDS", 300)
if BENCHMARK_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("BENCHMARK_CACHE_SECONDS must be 0 (off) or more.")
# Portfolio stress test (assessments/stress): up to this many visible clients it runs in the
# request; above it the consultant starts a background job (row ``StressJob``) with a progress
# bar. A queued job no worker takes, or a running one without progress, counts as stuck after
# STRESS_JOB_STALE_SECONDS; finished jobs are deleted after STRESS_JOB_KEEP_DAYS.
STRESS_TEST_INLINE_MAX_CLIENTS = env_int("STRESS_TEST_INLINE_MAX_CLIENTS", 2000)
STRESS_TEST_CHUNK = env_int("STRESS_TEST_CHUNK", 250)
# The page keeps a computed result this long in the cache for paging and the CSV after it (the
# key changes with every new or rescored result, so nothing stale is shown).
STRESS_TEST_CACHE_SECONDS = env_int("STRESS_TEST_CACHE_SECONDS", 300)
STRESS_JOB_STALE_SECONDS = env_int("STRESS_JOB_STALE_SECONDS", 60)
STRESS_JOB_KEEP_DAYS = env_int("STRESS_JOB_KEEP_DAYS", 14)
for _name in ("STRESS_TEST_CHUNK", "STRESS_JOB_STALE_SECONDS", "STRESS_JOB_KEEP_DAYS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1.")
CELERY_IMPORTS = [
    "assessments.stress.tasks",
    "assessments.documents.tasks",
    "assessments.actionplan.tasks",
    "assessments.reminders.tasks",
]
# Reminder digests name open actions due within this many days, and overdue ones.
REMINDER_DUE_SOON_DAYS = env_int("REMINDER_DUE_SOON_DAYS", 7)
CELERY_BEAT_SCHEDULE = {
    "assessments-sweep-reports": {
        "task": "assessments.tasks.reports_sweep",
        "schedule": float(REPORT_SWEEP_SECONDS),
        "kwargs": {"housekeeping": False},
        # A sweep that waited a whole interval for a free worker is replaced by the next one.
        "options": {"expires": float(REPORT_SWEEP_SECONDS)},
    },
    "assessments-report-housekeeping": {
        "task": "assessments.tasks.reports_sweep",
        "schedule": float(REPORT_HOUSEKEEPING_SECONDS),
        "kwargs": {"housekeeping": True},
    },
    # Document PDFs whose message was lost or whose worker died are sent again.
    "assessments-documents-sweep": {
        "task": "assessments.documents.sweep",
        "schedule": float(REPORT_HOUSEKEEPING_SECONDS),
    },
    # Evidence files a crash left without their row (see assessments/actionplan/evidence.py).
    "assessments-evidence-orphans": {
        "task": "assessments.actionplan.evidence_orphans",
        "schedule": crontab(minute=23, hour=3),
    },
    # One digest per person of their due and overdue actions (daily or weekly, as they chose).
    "assessments-reminder-digests": {
        "task": "assessments.reminders.send_digests",
        "schedule": crontab(minute=30, hour=6),
    },
    "portal-expire-invitations": {
        "task": "portal.tasks.invitations_expire",
        "schedule": crontab(minute=17, hour=3),
    },
    "portal-privacy-daily": {
        "task": "portal.tasks.privacy_daily",
        "schedule": crontab(minute=41, hour=2),
    },
    # The summary rows' change log behind the dashboard's kept overviews (PostgreSQL).
    "portal-summary-changes-prune": {
        "task": "portal.tasks.summary_changes_prune",
        "schedule": 600.0,
        "options": {"expires": 600.0},
    },
}

# The consultancy behind the portal: shown in the footer, Impressum, Datenschutz, e-mails and
# reports. Override every one of these in production: while one of the legal details is still
# the demo value, `manage.py check --deploy` warns (portal.W001, portal/checks.py).
CONSULTANCY_DEMO = {
    "name": "Hegau-Bodensee IT-Beratung GmbH",
    "street": "Hauptstraße 12",
    "city": "78224 Singen (Hohentwiel)",
    "phone": "+49 7731 000000",
    "email": "kontakt@example.de",
    "managing_director": "Max Mustermann",
    "register": "Amtsgericht Freiburg i. Br., HRB 000000",
    "vat_id": "DE000000000",
    "privacy_contact": "datenschutz@example.de",
    "primary_color": "#0b5c7a",
    # A file below static/ (SVG or PNG); the PDF report may load nothing else.
    "logo": "img/logo.svg",
}
CONSULTANCY = {
    "name": env_str("CONSULTANCY_NAME", CONSULTANCY_DEMO["name"]),
    "street": env_str("CONSULTANCY_STREET", CONSULTANCY_DEMO["street"]),
    "city": env_str("CONSULTANCY_CITY", CONSULTANCY_DEMO["city"]),
    "phone": env_str("CONSULTANCY_PHONE", CONSULTANCY_DEMO["phone"]),
    "email": env_str("CONSULTANCY_EMAIL", CONSULTANCY_DEMO["email"]),
    "managing_director": env_str(
        "CONSULTANCY_MANAGING_DIRECTOR", CONSULTANCY_DEMO["managing_director"]
    ),
    "register": env_str("CONSULTANCY_REGISTER", CONSULTANCY_DEMO["register"]),
    "vat_id": env_str("CONSULTANCY_VAT_ID", CONSULTANCY_DEMO["vat_id"]),
    "privacy_contact": env_str("CONSULTANCY_PRIVACY_CONTACT", CONSULTANCY_DEMO["privacy_contact"]),
    "primary_color": env_str("CONSULTANCY_PRIMARY_COLOR", CONSULTANCY_DEMO["primary_color"]),
    "logo": env_str("CONSULTANCY_LOGO", CONSULTANCY_DEMO["logo"]),
}

# Where new sign-ups, submissions and reports of unassigned clients are announced.
CONSULTANCY_INBOX = env_str("CONSULTANCY_INBOX", CONSULTANCY["email"])
# "all": every consultant sees every client (the default); "assigned": consultants see and change
# only the clients assigned to them, lead consultants and admins still see all.
CONSULTANT_SCOPE = env_str("CONSULTANT_SCOPE", "all").strip().lower()
if CONSULTANT_SCOPE not in {"all", "assigned"}:
    raise ImproperlyConfigured(
        f"CONSULTANT_SCOPE={CONSULTANT_SCOPE!r} must be 'all' or 'assigned'."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        # a monitor polls /healthz: its 503 is logged (portal.health names the components),
        # not mailed to ADMINS once per poll
        "not_health_check": {"()": "portal.logfilters.NotHealthCheck"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false", "not_health_check"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own default sends server errors to ADMINS; it propagates to the console above.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # WeasyPrint and fontTools log every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes announces itself at INFO in every process; lockouts stay visible (WARNING).
        "axes": {"level": "WARNING"},
    },
}
