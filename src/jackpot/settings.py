"""Settings, all read from the environment so that one build runs as demo, test or production.

Every variable is documented in the README's "Configuration" table; keep the two in step.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env("JACKPOT_DATA_DIR", str(Path.cwd() / "var")))

# Demo mode relaxes what only makes sense in production (DEBUG pages, loopback webhooks, the
# demo partner page). Production is the default: a forgotten variable must fail safe.
DEMO = env_bool("JACKPOT_DEMO", False)
DEBUG = env_bool("DEBUG", False)
# Under pytest the suite chooses its database (JACKPOT_TEST_DATABASE_URL) and may use a dev key.
TESTING = env_bool("JACKPOT_TESTING", "pytest" in sys.modules)

# Command-line tools (token build, catalog import, …) sign nothing with it, so they run without
# one; serving in production mode refuses to start with this placeholder (see `jackpot.wsgi`).
INSECURE_SECRET_KEY = "jackpot-insecure-development-key-never-use-in-production"
SECRET_KEY = env("SECRET_KEY", INSECURE_SECRET_KEY)

ALLOWED_HOSTS = env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]").split(",")

INSTALLED_APPS = [
    # Our apps come before Django's: their templates (admin/base_site.html) and their French
    # take precedence over Django's own (Django reads the catalogues of earlier apps first, so
    # the portal's "Filtrer" button is not Django admin's "Filtre" heading).
    "jackpot.backoffice",  # the operator backoffice at /admin/
    "jackpot.partners",
    "jackpot.catalog",
    "jackpot.tokens",
    "jackpot.webhooks",
    "jackpot.ledger",
    "jackpot.vouchers",
    "jackpot.api",
    "jackpot.widget",
    "jackpot.portal",  # the partner backoffice at /portal/
    "jackpot.worker",  # its heartbeat row (jackpot check --deploy)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",  # the pages' Content-Security-Policy and its nonces
    "ninja",  # serves Swagger UI and ReDoc from the package, never from a CDN
    "axes",  # failed-login throttling for the portal and the admin
]

MIDDLEWARE = [
    # First: the client's address and scheme behind trusted proxies (before the HTTPS redirect
    # asks), the request id every answer carries, the request metrics and JSON log line.
    "jackpot.web.requests.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The API's edge, outermost first: CORS headers on every answer (429s included), problem
    # documents for 404/405/413/500, rate limits, then Idempotency-Key replays.
    "jackpot.api.cors.CorsMiddleware",
    "jackpot.api.edge.ApiEdgeMiddleware",
    "jackpot.api.ratelimit.RateLimitMiddleware",
    "jackpot.api.idempotency.IdempotencyMiddleware",
    # The pages' own, which API calls pass over (jackpot/web/middleware.py: Django's
    # classes, each skipping /v2/ but the API's documentation pages).
    "jackpot.web.middleware.SessionMiddleware",
    "jackpot.web.middleware.LocaleMiddleware",  # backoffice in English or French
    "django.middleware.common.CommonMiddleware",  # for all: it writes Content-Length
    "jackpot.web.middleware.CsrfViewMiddleware",
    "jackpot.web.middleware.AuthenticationMiddleware",
    "jackpot.web.middleware.MessageMiddleware",
    "jackpot.web.middleware.XFrameOptionsMiddleware",
    "jackpot.web.middleware.ContentSecurityPolicyMiddleware",  # settings below
    # Last, as django-axes asks: refuses logins from a locked-out username and address. Its
    # check wants this very name; on an API call it only reads one setting.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jackpot.urls"
WSGI_APPLICATION = "jackpot.wsgi.application"

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


def _database(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock when a
        # transaction starts, so two reservations queue on the busy timeout instead of failing
        # with "database is locked" when a read transaction tries to upgrade.
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = False
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config["ENGINE"] = "jackpot.core.postgresql"  # a health check without a round trip
    return config


_default_sqlite = f"sqlite:///{DATA_DIR / 'jackpot.sqlite3'}"
DATABASES = {"default": _database(env("DATABASE_URL", _default_sqlite))}
if TESTING and env("JACKPOT_TEST_DATABASE_URL"):
    DATABASES = {"default": _database(env("JACKPOT_TEST_DATABASE_URL"))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate-limit counters and short-lived copies of rows (core/shared_cache.py): nothing that must
# be right lives only here. Local memory is per process (one node); a fleet shares Redis. An
# unreachable Redis costs a short timeout, then it is left alone for a few seconds.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        # Counters exist only per verified credential and per client address; room for many.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}
if env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
            "KEY_PREFIX": "jackpot",
            "OPTIONS": {
                "socket_connect_timeout": float(env("JACKPOT_REDIS_TIMEOUT", "0.5")),
                "socket_timeout": float(env("JACKPOT_REDIS_TIMEOUT", "0.5")),
            },
        }
    }

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Static files are served from the package by whitenoise; collectstatic is optional.
STATIC_ROOT = env("JACKPOT_STATIC_ROOT")
STATICFILES_DIRS = [BASE_DIR / "static"]  # what every page shares: the favicon
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A backoffice login lasts this many seconds (the portal and the admin share Django's session).
SESSION_COOKIE_AGE = env_int("JACKPOT_BACKOFFICE_SESSION_AGE", 8 * 3600)
SESSION_COOKIE_SECURE = not (DEMO or DEBUG or TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- What browsers are told (every page: portal, admin, API docs, home, demo page) ---------
# Nothing loads from elsewhere: scripts only from this origin or carrying the response's nonce
# (django-csp), images from this origin or data: URIs (the PDF preview, Swagger's icons).
# Styles may be inline: the charts and store colours are style attributes, which no nonce can
# allow, and Swagger UI and ReDoc write their own <style>; a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],  # ReDoc's search runs in a worker it builds
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind reverse proxies (comma-separated IPs or CIDRs, none by default): only from these peers
# are X-Forwarded-For (the client's address: rate limits, logs) and X-Forwarded-Proto (HTTPS:
# `request.is_secure()`, the HTTPS redirect) believed; anyone could send them to a server
# reached directly (web/requests.py, core/proxies.py).
JACKPOT_TRUSTED_PROXIES = env("JACKPOT_TRUSTED_PROXIES", "")
# Served over HTTPS (JACKPOT_HTTPS=1): browsers are told to come back over HTTPS only, plain
# HTTP is redirected (the probes and the metrics scrape excepted), cookies stay on HTTPS.
HTTPS = env_bool("JACKPOT_HTTPS", False)
SECURE_HSTS_SECONDS = env_int("JACKPOT_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False  # a choice for the operator's domain, not ours
SECURE_SSL_REDIRECT = HTTPS
# The probes, and the scrape Prometheus makes of each node over the private network (it carries
# JACKPOT_METRICS_TOKEN, so keep that network private or scrape through the TLS proxy).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# --- Backoffice (partner portal and operator admin) ----------------------------------------
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
# django-axes first, so that a locked-out username and address is refused before any password
# is checked; then Django's own users.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After this many failed logins for one username from one address, further attempts are
# refused (429) for JACKPOT_LOGIN_LOCKOUT_MINUTES; a successful login resets the count.
AXES_FAILURE_LIMIT = env_int("JACKPOT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("JACKPOT_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = (
    "jackpot.core.proxies.request_client"  # behind JACKPOT_TRUSTED_PROXIES too
)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked_out.html"
AXES_ENABLED = env_bool("JACKPOT_LOGIN_THROTTLING", True)
# Not its start-up banner ("AXES: BEGIN version …", on stderr before every `jackpot` command's
# output) nor user agents in its log lines; lockouts and failures are still logged as warnings.
AXES_VERBOSE = False
# Where partners send their wallet top-ups (shown in the portal's wallet page).
JACKPOT_TOPUP_ACCOUNT_HOLDER = env("JACKPOT_TOPUP_ACCOUNT_HOLDER", "Jackpot SAS")
JACKPOT_TOPUP_IBAN = env("JACKPOT_TOPUP_IBAN", "")
JACKPOT_TOPUP_BIC = env("JACKPOT_TOPUP_BIC", "")

# --- Jackpot rules -------------------------------------------------------------------------
# A partner token older than this (by its `iat`) is refused, and burn records older than this
# are pruned: a token that can no longer be accepted needs no record of having been used.
JACKPOT_TOKEN_MAX_AGE = env_int("JACKPOT_TOKEN_MAX_AGE", 3600)
# How far in the future a token's `iat` may be (clock skew between partner and platform).
JACKPOT_TOKEN_CLOCK_SKEW = env_int("JACKPOT_TOKEN_CLOCK_SKEW", 60)
# A session (what a token is exchanged for) lives this long, or until it reserves a voucher.
JACKPOT_SESSION_TTL = env_int("JACKPOT_SESSION_TTL", 3600)
# A reserved voucher not confirmed within this many seconds expires and frees its budget.
JACKPOT_RESERVATION_TTL = env_int("JACKPOT_RESERVATION_TTL", 48 * 3600)
# Per-session ceiling given to new partners, in the partner's currency.
JACKPOT_DEFAULT_SESSION_CEILING = env("JACKPOT_DEFAULT_SESSION_CEILING", "1000.00")
# API requests a minute per credential (apikey or bearer), and per client address without one;
# 0 turns the limit off.
# Seconds a server process keeps the running catalogue's definitions (catalog/snapshot.py);
# budgets' counters are always read fresh. 0 turns it off (the default under the tests, which
# edit the catalogue with queryset updates that no signal reports).
JACKPOT_CATALOGUE_CACHE_SECONDS = float(
    env("JACKPOT_CATALOGUE_CACHE_SECONDS", "0" if TESTING else "2")
)
JACKPOT_COMPILED_STATEMENTS = env_bool("JACKPOT_COMPILED_STATEMENTS", True)  # core/compiled.py
JACKPOT_RATE_LIMIT = env_int("JACKPOT_RATE_LIMIT", 600)
JACKPOT_RATE_LIMIT_ANONYMOUS = env_int("JACKPOT_RATE_LIMIT_ANONYMOUS", 300)
# How long a response is replayed for the same Idempotency-Key, and how long a retry waits for
# the first request with its key to finish.
JACKPOT_IDEMPOTENCY_TTL = env_int("JACKPOT_IDEMPOTENCY_TTL", 24 * 3600)
JACKPOT_IDEMPOTENCY_WAIT = float(env("JACKPOT_IDEMPOTENCY_WAIT", "10"))
# Largest request body accepted (bytes); larger ones get a 413 problem.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("JACKPOT_MAX_BODY", 64 * 1024)
# Seconds between two expiry sweeps of `jackpot worker`.
JACKPOT_WORKER_INTERVAL = float(env("JACKPOT_WORKER_INTERVAL", "5"))
# What the worker prunes, and after how many days (README, "Data kept and for how long"):
# delivered webhooks (with their attempts and envelopes) after their last change; failed or
# disabled ones, and envelopes sent to nobody; finished PDF and mail jobs; sessions after they
# expired. Vouchers, their journal, statements and the ledger are never pruned. A worker prunes
# at start, then every JACKPOT_PRUNE_INTERVAL seconds (in batches, between its other work).
JACKPOT_WEBHOOK_RETENTION_DAYS = env_int("JACKPOT_WEBHOOK_RETENTION_DAYS", 30)
JACKPOT_WEBHOOK_FAILED_RETENTION_DAYS = env_int("JACKPOT_WEBHOOK_FAILED_RETENTION_DAYS", 90)
JACKPOT_JOB_RETENTION_DAYS = env_int("JACKPOT_JOB_RETENTION_DAYS", 30)
JACKPOT_SESSION_RETENTION_DAYS = env_int("JACKPOT_SESSION_RETENTION_DAYS", 30)
# Days after a voucher closed (vouchers/personal_data.py says when that is) before the worker
# erases its user's personal data (userId, e-mail; the session's postcode, age, gender), keeping
# what the accounts need; a session's own after it expired.
JACKPOT_PERSONAL_DATA_RETENTION_DAYS = env_int("JACKPOT_PERSONAL_DATA_RETENTION_DAYS", 365)
JACKPOT_PRUNE_INTERVAL = float(env("JACKPOT_PRUNE_INTERVAL", "3600"))
# The portal's coupon CSV holds at most this many rows; a larger export is refused with a
# message asking for a narrower one (portal/exports.py says why).
JACKPOT_EXPORT_MAX_ROWS = env_int("JACKPOT_EXPORT_MAX_ROWS", 100_000)
# Voucher delivery: a PDF link (`url` of the voucher object) is valid this many seconds, and is
# built on this public address of the platform (the links partners and users open).
JACKPOT_PDF_LINK_TTL = env_int("JACKPOT_PDF_LINK_TTL", 3600)
JACKPOT_PUBLIC_URL = env("JACKPOT_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# Mail (vouchers sent to the token's `email` when the partner enabled sending): Django's SMTP
# backend on EMAIL_HOST:EMAIL_PORT, or the console in demo mode unless EMAIL_BACKEND says else.
_default_mail_backend = "console" if DEMO else "smtp"
EMAIL_BACKEND = env(
    "EMAIL_BACKEND", f"django.core.mail.backends.{_default_mail_backend}.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Jackpot <vouchers@localhost>")

# Operations (web/health.py, web/metrics.py): /metrics answers only a request carrying
# `Authorization: Bearer <JACKPOT_METRICS_TOKEN>` (404 while unset); logs are human text, or one
# JSON object a line (requests and worker jobs included) with JACKPOT_LOG_FORMAT=json.
JACKPOT_METRICS_TOKEN = env("JACKPOT_METRICS_TOKEN", "")
JACKPOT_LOG_FORMAT = env("JACKPOT_LOG_FORMAT", "text").lower()
JACKPOT_READY_CACHE_SECONDS = float(env("JACKPOT_READY_CACHE_SECONDS", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "jackpot.core.logs.PlainFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "jackpot.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if JACKPOT_LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}
