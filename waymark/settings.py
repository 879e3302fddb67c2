"""Waymark's one settings module, driven by the environment (see docs/configuration.md).

A fresh clone runs with no services: SQLite in WAL mode in a git-ignored data folder.
Nothing insecure is assumed for production: with DEBUG off, SECRET_KEY (or SECRET_KEY_FILE)
and ALLOWED_HOSTS must come from the environment, and `waymark.checks` refuses to start
without them.
"""

from __future__ import annotations

import base64
import os
import secrets
from contextlib import suppress
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from waymark import helplines

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_text(name: str, default: str = "") -> str:
    """A value from NAME, or from the file named by NAME_FILE (for secrets)."""
    if name in os.environ:
        return os.environ[name]
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name}: {error}") from error
    return default


def env_bool(name: str, default: bool) -> bool:
    """Strict: only True or False (any case); anything else is a configuration error."""
    value = env_text(name)
    if value == "":
        return default
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env_text(name)
    if value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from error


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_text(name)
    if value == "":
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


def fernet_keys(source: str, text: str) -> list[str]:
    """Fernet keys (32 random bytes in url-safe base64 each), separated by commas or lines."""
    keys = text.replace(",", " ").split()
    for number, key in enumerate(keys, start=1):
        try:
            well_formed = len(base64.urlsafe_b64decode(key)) == 32
        except ValueError:  # bad padding and non-ASCII text are both ValueErrors
            well_formed = False
        if not well_formed:  # the message names the key's place, never the key
            raise ImproperlyConfigured(
                f"{source}: key {number} is not a Fernet key (32 bytes in url-safe base64)"
            )
    return keys


DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env_text("WAYMARK_DATA_DIR", str(PROJECT_DIR / "data"))).resolve()

# With DEBUG on, a local key is generated once into the data folder. With DEBUG off the key
# must come from the environment; until it does, this process gets a random key it shares
# with nobody, and the system check waymark.E001 stops `waymark serve` from starting.
SECRET_KEY = env_text("SECRET_KEY")
SECRET_KEY_FROM_ENVIRONMENT = bool(SECRET_KEY)
if not SECRET_KEY and DEBUG:
    key_file = DATA_DIR / "secret-key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text(encoding="utf-8").strip()
elif not SECRET_KEY:
    SECRET_KEY = secrets.token_urlsafe(50)


# Notes and free text are encrypted at rest (waymark/fields.py) under keys of their own, newest
# first, never derived from SECRET_KEY, so either can change alone (`waymark rotatekeys`). With
# DEBUG on, a local key is generated once into the data folder. With DEBUG off the keys must
# come from the environment, and there is no stand-in: data encrypted under a key nobody kept
# would be lost. Until they are given, nothing can be encrypted and the system check
# waymark.E006 stops `waymark serve` from starting.
def local_keys(name: str) -> list[str]:
    """With DEBUG on: a key generated once into the data folder (`data/<name>`) and read back.
    Private from the start, and never replaced: a process starting at the same moment must not
    write a second key over the first."""
    key_file = DATA_DIR / name
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        with suppress(FileExistsError):
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() + "\n")
    return fernet_keys(str(key_file), key_file.read_text(encoding="utf-8"))


WAYMARK_FIELD_KEYS = fernet_keys("WAYMARK_FIELD_KEYS", env_text("WAYMARK_FIELD_KEYS"))
if not WAYMARK_FIELD_KEYS and DEBUG:
    WAYMARK_FIELD_KEYS = local_keys("field-keys")

# The audit trail is keyed: each entry's hash is an HMAC-SHA256 under a key of its own, kept
# outside the database like the field keys (same format, newest first), so someone who can
# write to the database cannot recompute the chain after an edit (waymark/audit/keys.py). Old
# keys stay listed after a rotation: entries signed with them are checked with them. With DEBUG
# on, a local key is generated once into the data folder; with DEBUG off the check
# waymark.E009 stops `waymark serve` until one is given.
WAYMARK_AUDIT_KEYS = fernet_keys("WAYMARK_AUDIT_KEYS", env_text("WAYMARK_AUDIT_KEYS"))
if not WAYMARK_AUDIT_KEYS and DEBUG:
    WAYMARK_AUDIT_KEYS = local_keys("audit-keys")
# Where the worker writes a signed checkpoint of the audit chain's head once a day, for the
# operator to copy somewhere the database's administrators cannot change ("" = none written).
WAYMARK_AUDIT_CHECKPOINT_DIR = env_text("WAYMARK_AUDIT_CHECKPOINT_DIR")

LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", LOCAL_HOSTS if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Behind HTTPS (the only way to run Waymark for real people), set HTTPS=True.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
# Which hops in front of Waymark are reverse proxies whose X-Forwarded-For is believed: a hop
# count ("1") or addresses and networks ("127.0.0.1,::1"); none by default. waymark/net.py
# reads it, waymark.E010 checks it.
WAYMARK_TRUSTED_PROXIES = env_text("WAYMARK_TRUSTED_PROXIES")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "django_htmx",
    "ninja",
    # Staff two-factor: TOTP apps, and one-time backup codes (docs/programs.md).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "waymark.apps.WaymarkConfig",
    "waymark.accounts.apps.AccountsConfig",
    "waymark.checkup.apps.CheckupConfig",
    "waymark.content.apps.ContentConfig",
    "waymark.plans.apps.PlansConfig",
    "waymark.tracking.apps.TrackingConfig",
    "waymark.jobs.apps.JobsConfig",
    "waymark.audit.apps.AuditConfig",
    "waymark.interop.apps.InteropConfig",
    "waymark.clinic.apps.ClinicConfig",
    "waymark.measures.apps.MeasuresConfig",
    "waymark.progress.apps.ProgressConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Gzip, only for text answers that carry no secret (BREACH); above everything that may
    # still change the body, below whitenoise, whose files are compressed at collectstatic.
    "waymark.compression.SecretSafeGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks a session verified by a second factor: waymark.access lets no unverified staff
    # session see patient data.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # django-axes is switched off (AXES_ENABLED below); if it is turned on, it must come last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "waymark.urls"
WSGI_APPLICATION = "waymark.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "waymark.context_processors.help_lines",
                "waymark.context_processors.navigation",
            ],
        },
    }
]


def _database() -> dict[str, Any]:
    url = env_text("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)))
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "waymark.sqlite3",
        # Kept open between a process's requests, as PostgreSQL's: one opened and closed for
        # each request cost more than a check-in write itself (its PRAGMAs, and a checkpoint
        # of the WAL with an fsync whenever the last connection closed).
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
        "OPTIONS": {
            # WAL lets readers and one writer work at once; IMMEDIATE avoids
            # "database is locked" on write-after-read transactions.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": _database()}
# Shared by every process (rate limits live here), so nothing assumes a single process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "waymark_cache",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30  # a paused check-up can be resumed for 30 days
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"
# Sign-in protection (waymark/accounts/throttle.py; docs/operations.md, "Sign-in protection"):
# per account, wrong passwords past the free tries make each further try wait (2 s, 4 s, … up
# to 5 minutes) and LOCK_AFTER of them pause the account until its owner lifts the pause
# (emailed link, recovery code) or the window passes; per address, waits only. accounts.E001
# checks the numbers.
WAYMARK_SIGNIN_FREE_TRIES = env_int("WAYMARK_SIGNIN_FREE_TRIES", 5)
WAYMARK_SIGNIN_LOCK_AFTER = env_int("WAYMARK_SIGNIN_LOCK_AFTER", 20)
WAYMARK_SIGNIN_ADDRESS_FREE_TRIES = env_int("WAYMARK_SIGNIN_ADDRESS_FREE_TRIES", 20)
WAYMARK_SIGNIN_WINDOW_HOURS = env_int("WAYMARK_SIGNIN_WINDOW_HOURS", 24)
# Wrong staff codes are throttled per session by the same module, not per device (django-otp's
# own throttle is per account: wrong codes typed anywhere would keep the staff member out).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# django-axes (per nickname and address, with hard lockouts) is replaced by the throttle above
# and switched off; it stays installed until its old records and settings are retired.
AXES_ENABLED = False
AXES_VERBOSE = False
# The client's address behind a proxy too (waymark/net.py), as for everything else.
AXES_CLIENT_IP_CALLABLE = "waymark.net.axes_client_ip"

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

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_text("TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# A strict policy: nothing inline, nothing from anywhere else (no CDN, no analytics).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # The service worker (/sw.js) and the web app manifest: our own, like everything else.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# LOG_FORMAT=json writes one JSON object a line (waymark/logs.py), for a log collector.
LOG_FORMAT = env_text("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "waymark.logs.JsonFormatter"}},
    # A database error's message can quote a row's values: logged without it (waymark/logs.py).
    "filters": {"private_database_errors": {"()": "waymark.logs.PrivateDatabaseErrors"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["private_database_errors"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env_text("LOG_LEVEL", "INFO")},
    "loggers": {
        # fontTools (used for PDFs) logs every glyph it subsets at INFO.
        "fontTools": {"level": "WARNING"},
        # Django's own handlers (a console of its own with DEBUG on, mail to ADMINS) would
        # write its errors unfiltered: its records go to the handler above, as everyone's.
        "django": {"handlers": [], "level": "INFO"},
    },
}

# /healthz reports the worker stale when its heartbeat (every minute) is older than this.
WAYMARK_WORKER_STALE_SECONDS = env_int("WAYMARK_WORKER_STALE_SECONDS", 180)

# Requests a minute from one address to /api/v1/ (0 turns the limit off).
WAYMARK_API_RATE_LIMIT = env_int("WAYMARK_API_RATE_LIMIT", 60)

# Hours a staff session lasts once it has entered its code (docs/programs.md): a clinic computer
# left signed in must not show charts for the 30 days a person's own session lasts.
WAYMARK_STAFF_SESSION_HOURS = env_int("WAYMARK_STAFF_SESSION_HOURS", 12)

# The screeners are due again this many days after a completed check-up (waymark.E007 checks
# it is at least 1; docs/clinical-rules.md, "Re-assessment and the next step").
WAYMARK_REASSESS_DAYS = env_int("WAYMARK_REASSESS_DAYS", 28)

# A program report over more consenting people than this is computed by `waymark worker` and
# kept, not computed on each visit (docs/programs.md, "Large programs").
WAYMARK_REPORT_LIVE_LIMIT = env_int("WAYMARK_REPORT_LIVE_LIMIT", 2000)

# --- Email and background work ----------------------------------------------------------------
# Reminders are sent by `waymark worker` (docs/architecture.md). With DEBUG on, email is printed
# to the worker's console unless EMAIL_BACKEND says otherwise; with DEBUG off it goes to SMTP.
EMAIL_BACKEND = env_text(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_text("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_text("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_text("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_FILE_PATH = env_text("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_text("DEFAULT_FROM_EMAIL", "Waymark <no-reply@localhost>")
# Where links in emails point: the address people open Waymark at, without a trailing slash.
WAYMARK_SITE_URL = env_text("WAYMARK_SITE_URL", "http://localhost:8000").rstrip("/")
# Reminder emails say nothing about what a person tracks, starting with the subject.
WAYMARK_REMINDER_SUBJECT = env_text("WAYMARK_REMINDER_SUBJECT", "A reminder from Waymark")
# Measures (docs/programs.md, "Measures"): the local hour their emails go out, and how many
# days a measure's one-time link works (measures.E001 checks both).
WAYMARK_MEASURE_SEND_HOUR = env_int("WAYMARK_MEASURE_SEND_HOUR", 10)
WAYMARK_MEASURE_LINK_DAYS = env_int("WAYMARK_MEASURE_LINK_DAYS", 7)
# How long `waymark worker` waits when nothing is due.
WAYMARK_WORKER_POLL_SECONDS = env_int("WAYMARK_WORKER_POLL_SECONDS", 5)

# --- Push reminders (Web Push) ----------------------------------------------------------------
# Reminders can also come as a notification on the person's phone (waymark/tracking/push.py).
# Each push is signed with a VAPID key (RFC 8292): a P-256 private key, its 32 bytes in
# url-safe base64; the public key is derived from it. With DEBUG on, a local key is generated
# once into the data folder; with DEBUG off, push is offered only once the key is given, and
# the check tracking.W002 says so until then. A new key ends every phone's subscription.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def vapid_key(source: str, text: str) -> str:
    """The key as given ("" for none), or a configuration error that never shows the key."""
    key = text.strip()
    if not key:
        return ""
    try:
        raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    except ValueError:
        raw = b""
    if len(raw) != 32 or not 0 < int.from_bytes(raw, "big") < P256_ORDER:
        raise ImproperlyConfigured(
            f"{source}: not a VAPID private key (a P-256 key's 32 bytes in url-safe base64)"
        )
    return key.rstrip("=")


def local_vapid_key() -> str:
    """With DEBUG on: a VAPID key generated once into data/vapid-key (as `local_keys`)."""
    key_file = DATA_DIR / "vapid-key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        scalar = secrets.randbelow(P256_ORDER - 1) + 1  # any number from 1 to the order - 1
        with suppress(FileExistsError):
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(base64.urlsafe_b64encode(scalar.to_bytes(32, "big")).decode())
    return vapid_key(str(key_file), key_file.read_text(encoding="utf-8"))


WAYMARK_VAPID_PRIVATE_KEY = vapid_key(
    "WAYMARK_VAPID_PRIVATE_KEY", env_text("WAYMARK_VAPID_PRIVATE_KEY")
)
if not WAYMARK_VAPID_PRIVATE_KEY and DEBUG:
    WAYMARK_VAPID_PRIVATE_KEY = local_vapid_key()
# Who push services can write to about our pushes: a mailto: or https: address. Empty: the
# address of DEFAULT_FROM_EMAIL (Apple refuses a subject at localhost: set a real one).
WAYMARK_VAPID_SUBJECT = env_text("WAYMARK_VAPID_SUBJECT")
# The push services a phone's subscription may point at (host names; each also allows its
# subdomains), so that the worker never posts to an address someone made up; "*" allows any
# https host. The browsers' own services: Chrome and Android (FCM), Firefox, Safari, Edge.
WAYMARK_PUSH_SERVICES = env_list(
    "WAYMARK_PUSH_SERVICES",
    [
        "fcm.googleapis.com",
        "android.googleapis.com",
        "push.services.mozilla.com",
        "push.apple.com",
        "notify.windows.com",
    ],
)
# Tests only: a push service on plain http (the local one tests/test_push.py starts).
WAYMARK_PUSH_ALLOW_HTTP = False

# --- Help lines ------------------------------------------------------------------------------
# Shown in the footer of every page and first on every result; see waymark/helplines.py and
# docs/configuration.md. The system check waymark.E005 reports a malformed entry.
try:
    HELP_LINES = helplines.help_lines()
    HARM_REDUCTION_LINES = helplines.harm_reduction_lines()
    # Where to find care near you (/help/find/ and every plan); checked by waymark.E008.
    CARE_LINKS = helplines.care_links()
except helplines.HelpLineError as error:
    raise ImproperlyConfigured(str(error)) from error
