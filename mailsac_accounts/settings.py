"""Settings for mailsac-accounts.

One file, every value from the environment with a safe default (see `.env.example`).
Without DATABASE_URL and REDIS_URL the site runs embedded: SQLite, local-memory
cache, Celery tasks in process. With them it runs the production setup.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATABASE_URL = env("DATABASE_URL")
REDIS_URL = env("REDIS_URL")
PRODUCTION = bool(DATABASE_URL or REDIS_URL)

DEBUG = env_bool("DEBUG", False)


def _local_secret(name: str, env_name: str) -> str:
    """A secret from the environment; embedded mode keeps a generated one in var/."""
    value = env(env_name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{env_name} must be set when DATABASE_URL or REDIS_URL is.")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _local_secret("secret_key", "SECRET_KEY")
# HMAC key for API key digests: separate from SECRET_KEY so rotating one keeps the other.
API_KEY_PEPPER = _local_secret("api_key_pepper", "API_KEY_PEPPER")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address of the site, for links in emails sent outside a request (invoices, warnings).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "ninja",
    "csp",
    "accounts",
    "apikeys",
    "usage",
    "capture",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apikeys.middleware.RestrictedSessionMiddleware",
    "usage.middleware.quota_headers",
]

ROOT_URLCONF = "mailsac_accounts.urls"
WSGI_APPLICATION = "mailsac_accounts.wsgi.application"
ASGI_APPLICATION = "mailsac_accounts.asgi.application"

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
                "mailsac_accounts.navigation.navigation",
            ],
        },
    },
]

# Widgets render through the templates above, so templates/ can override one (the admin's date-time).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite file when embedded, PostgreSQL (psycopg 3) from DATABASE_URL.
# Persistent connections: a new connection per request costs more than the request.
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.Account"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"

# django-allauth
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_VALIDATORS = "accounts.validators.account_id_validators"
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory" if PRODUCTION else "optional")
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/300s/key"),
    # API Key Login: every attempt counts, per IP and per Account ID.
    "api_key_login": env("RATE_LIMIT_API_KEY_LOGIN", "10/m/ip,5/300s/key"),
}
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("REAUTHENTICATION_TIMEOUT", 300)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Mailsac] "
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm", "login": "accounts.forms.LoginForm"}

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14)
SESSION_COOKIE_HTTPONLY = True

# HTTPS: on by default outside DEBUG; `make test` turns it off for the plain-HTTP test servers.
HTTPS_ONLY = env_bool("HTTPS_ONLY", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS_ONLY)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = False

# Content-Security-Policy (django-csp): nothing inline, nothing from elsewhere. Pages keep their
# scripts in static/js and styles in static/css; /api/docs (Swagger UI) adds data: images (api.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Where browsers send reports of blocked content (empty: no reports).
if env("CSP_REPORT_URI"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [env("CSP_REPORT_URI")]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

# Email: the console when embedded, SMTP in production.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Mailsac <support@mailsac.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# Plans: individual plans hold one API key; team plans hold many named keys.
PLANS = {
    "free": {"team": False, "quota": env_int("PLAN_QUOTA_FREE", 1_500), "price_cents": 0, "domains": 0},
    "basic": {"team": False, "quota": env_int("PLAN_QUOTA_BASIC", 20_000), "price_cents": 900, "domains": 1},
    "indie": {"team": False, "quota": env_int("PLAN_QUOTA_INDIE", 100_000), "price_cents": 2_900, "domains": 3},
    "business": {
        "team": True,
        "quota": env_int("PLAN_QUOTA_BUSINESS", 1_000_000),
        "price_cents": 9_900,
        "domains": 25,
    },
    "enterprise": {
        "team": True,
        "quota": env_int("PLAN_QUOTA_ENTERPRISE", 10_000_000),
        "price_cents": 49_900,
        "domains": 250,
    },
}

# Celery: Redis broker in production; tasks run in process when embedded.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {}

# Usage metering: Redis counters in hourly buckets, flushed to PostgreSQL once settled.
# The Redis behind REDIS_URL must keep them: `appendonly yes` and `maxmemory-policy noeviction`.
REDIS_SOCKET_TIMEOUT = float(env("REDIS_SOCKET_TIMEOUT", "0.5"))
# A bucket is flushed once its hour ended this many seconds ago.
USAGE_SETTLE_SECONDS = env_int("USAGE_SETTLE_SECONDS", 120)
USAGE_FLUSH_BATCH = env_int("USAGE_FLUSH_BATCH", 500)
# Unflushed buckets outlive any outage of the flush worker; month totals outlive their month.
USAGE_BUCKET_TTL_DAYS = env_int("USAGE_BUCKET_TTL_DAYS", 90)
CELERY_BEAT_SCHEDULE["usage-flush"] = {"task": "usage.tasks.usage_flush_task", "schedule": 60.0}
# Nightly: the current month, the month just ended (on the 1st) and any month missed or reopened.
CELERY_BEAT_SCHEDULE["usage-rollup"] = {
    "task": "usage.tasks.usage_rollup_task",
    "schedule": crontab(hour=env_int("USAGE_ROLLUP_HOUR", 0), minute=15),
}

# Custom domains: ownership is proven by a TXT record, looked up through DNS_RESOLVER
# ("host:port", comma-separated for several; empty: the system's resolver).
DNS_RESOLVER = env("DNS_RESOLVER")
DNS_TIMEOUT = float(env("DNS_TIMEOUT", "3"))
# Unverified domains are looked up again this often.
DOMAIN_RECHECK_MINUTES = env_int("DOMAIN_RECHECK_MINUTES", 15)
CELERY_BEAT_SCHEDULE["domains-recheck"] = {
    "task": "accounts.tasks.domains_check_pending",
    "schedule": DOMAIN_RECHECK_MINUTES * 60.0,
}

# Billing: pay by invoice, issued on the 1st (UTC) for the month just ended, after the usage rollup.
BILLING_CURRENCY = env("BILLING_CURRENCY", "USD")
OVERAGE_PRICE_CENTS_PER_1000 = env_int("OVERAGE_PRICE_CENTS_PER_1000", 50)
INVOICE_DUE_DAYS = env_int("INVOICE_DUE_DAYS", 30)
# How many past months a run looks back over, to catch up months it missed.
INVOICE_CATCH_UP_MONTHS = env_int("INVOICE_CATCH_UP_MONTHS", 3)
INVOICE_NUMBER_PREFIX = env("INVOICE_NUMBER_PREFIX", "MS")
# Printed on every invoice; "\n" in the variable starts a new line.
INVOICE_ISSUER = env("INVOICE_ISSUER", "Mailsac").replace("\\n", "\n")
INVOICE_PAYMENT_INSTRUCTIONS = env(
    "INVOICE_PAYMENT_INSTRUCTIONS",
    "Pay by bank transfer by the due date, quoting the invoice number. Questions: reply to the invoice email.",
).replace("\\n", "\n")
# Account Deletion Requests are purged by a task at once; beat retries any left behind.
CELERY_BEAT_SCHEDULE["accounts-purge-pending"] = {"task": "accounts.tasks.account_purge_pending", "schedule": 900.0}
CELERY_BEAT_SCHEDULE["invoices-monthly"] = {
    "task": "accounts.tasks.invoices_issue_monthly",
    "schedule": crontab(day_of_month="1", hour=env_int("INVOICE_HOUR", 2), minute=0),
}

# Email Capture (`python manage.py capture_smtp`): capture with AUTH by API key, inbound for
# verified custom domains, outbound relay to SMTP_SMARTHOST ("host:port"; empty: no relay).
SMTP_HOST = env("SMTP_HOST", "127.0.0.1")
SMTP_HOSTNAME = env("SMTP_HOSTNAME", "capture.mailsac.localhost")
# The host name shown to people on the forwarding pages.
SMTP_PUBLIC_HOST = env("SMTP_PUBLIC_HOST", "127.0.0.1")
SMTP_CAPTURE_PORT = env_int("SMTP_CAPTURE_PORT", 5587)
SMTP_INBOUND_PORT = env_int("SMTP_INBOUND_PORT", 2525)
SMTP_RELAY_PORT = env_int("SMTP_RELAY_PORT", 5588)
SMTP_TLS_CERT = env("SMTP_TLS_CERT", str(VAR_DIR / "smtp-cert.pem"))
SMTP_TLS_KEY = env("SMTP_TLS_KEY", str(VAR_DIR / "smtp-key.pem"))
# AUTH only after STARTTLS: the password is an API key.
SMTP_AUTH_REQUIRE_TLS = env_bool("SMTP_AUTH_REQUIRE_TLS", True)
SMTP_AUTH_RATE_LIMIT = env("SMTP_AUTH_RATE_LIMIT", "10/m/ip,5/300s/key")
SMTP_MAX_MESSAGE_BYTES = env_int("SMTP_MAX_MESSAGE_BYTES", 10 * 1024 * 1024)
SMTP_MAX_RECIPIENTS = env_int("SMTP_MAX_RECIPIENTS", 100)
SMTP_TIMEOUT = env_int("SMTP_TIMEOUT", 300)
SMTP_DB_THREADS = env_int("SMTP_DB_THREADS", 4 if DATABASE_URL else 1)
SMTP_SMARTHOST = env("SMTP_SMARTHOST")
SMTP_SMARTHOST_USER = env("SMTP_SMARTHOST_USER")
SMTP_SMARTHOST_PASSWORD = env("SMTP_SMARTHOST_PASSWORD")
SMTP_SMARTHOST_STARTTLS = env_bool("SMTP_SMARTHOST_STARTTLS", False)
SMTP_SMARTHOST_TIMEOUT = env_int("SMTP_SMARTHOST_TIMEOUT", 30)
CAPTURE_RETENTION_DAYS = env_int("CAPTURE_RETENTION_DAYS", 30)
CELERY_BEAT_SCHEDULE["capture-purge"] = {
    "task": "capture.tasks.messages_purge_old",
    "schedule": crontab(hour=env_int("CAPTURE_PURGE_HOUR", 3), minute=30),
}
# Forwards: retried with exponential backoff from FORWARD_RETRY_BACKOFF seconds.
FORWARD_MAX_RETRIES = env_int("FORWARD_MAX_RETRIES", 8)
FORWARD_RETRY_BACKOFF = env_int("FORWARD_RETRY_BACKOFF", 15)
FORWARD_TIMEOUT = float(env("FORWARD_TIMEOUT", "10"))
# Webhook and Slack URLs may not point to private or loopback addresses (SSRF) unless this is on.
FORWARD_ALLOW_PRIVATE_URLS = env_bool("FORWARD_ALLOW_PRIVATE_URLS", False)

# WebSockets (Django Channels): the Redis channel layer in production, in memory when embedded,
# where `capture_smtp` serves the endpoint itself on CAPTURE_WS_PORT (empty: off).
if REDIS_URL:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CAPTURE_WS_PORT = int(env("CAPTURE_WS_PORT", "" if REDIS_URL else "8001") or 0) or None
WEBSOCKET_URL = env("WEBSOCKET_URL", f"ws://127.0.0.1:{CAPTURE_WS_PORT or 8000}/incoming-messages")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # aiosmtpd logs every SMTP command at INFO; errors are enough.
        "mail.log": {"level": "ERROR"},
    },
}
