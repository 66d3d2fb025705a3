"""Django settings: every deployment choice comes from the environment.

Defaults are safe for the demo and the tests: SQLite in `var/`, DEBUG off unless asked for.
Variables (documented in README.md, "Configuration"):
  DATABASE_URL          sqlite:///path or postgres://user@host:port/name (default: var/muster.sqlite3)
  MUSTER_SECRET_KEY     or MUSTER_SECRET_KEY_FILE; required when MUSTER_DEBUG is off
  MUSTER_DEBUG          true/false (default false)
  MUSTER_ALLOWED_HOSTS  comma-separated host names (default localhost,127.0.0.1)
  MUSTER_DATA_DIR       where the default SQLite database lives (default ./var)
  MUSTER_HTTPS          true/false: secure cookies, redirect to HTTPS, HSTS (default: not DEBUG)
  MUSTER_TLS_PROXY      true/false: trust X-Forwarded-Proto from a TLS proxy in front (default false)
  MUSTER_TRUSTED_PROXIES  how many proxies in front add to X-Forwarded-For, for the audit log (default 0)
  MUSTER_HSTS_SECONDS   how long browsers keep to HTTPS (default 31536000, a year)
  MUSTER_HSTS_PRELOAD   true/false: ask to be on browsers' preload list (default false)
  MUSTER_SESSION_IDLE_MINUTES  sign out after this long without activity (default 30)
  MUSTER_SESSION_MAX_HOURS     sign out this long after sign-in, however active (default 10)
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_secret(name: str) -> str | None:
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name) or None


DEBUG = env_bool("MUSTER_DEBUG", False)
DATA_DIR = Path(os.environ.get("MUSTER_DATA_DIR") or Path.cwd() / "var")

# Without a key, command-line work (imports, reports) still runs; Django refuses anything that
# signs data (sign-in sessions), and `muster serve` says which variable to set.
SECRET_KEY = env_secret("MUSTER_SECRET_KEY") or (
    "muster-debug-only-not-secret" if DEBUG else ""
)

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("MUSTER_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "muster.accounts.apps.VerifiedAdminConfig",  # the admin, only after a verified sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "muster.accounts",
    "muster.registers",
    "muster.people",
    "muster.records",
    "muster.audit",
    "muster.statutory",
    "muster.interop",
    "muster.casework",
    "muster.care",
    "muster.targeting",
    "muster.api",
    "muster.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "muster.accounts.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends sessions idle or old (below), then marks the user verified by a code or not, then
    # sends everyone not signed in with password and code to the sign-in page.
    "muster.accounts.middleware.SessionExpiryMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "muster.accounts.middleware.VerifiedSignInRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "muster.urls"
WSGI_APPLICATION = "muster.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

_default_db = f"sqlite:///{DATA_DIR / 'muster.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Test runs use a database file, not SQLite's shared in-memory database, whose writers fail
    # at once on a lock instead of waiting for it as they do in use (one file per test run).
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"muster-test-{os.getpid()}.sqlite3")
    }
    _sqlite_file = str(DATABASES["default"]["NAME"])
    if _sqlite_file and _sqlite_file != ":memory:":
        Path(_sqlite_file).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# A school system pushes a whole morning's marks in one API batch (issue 9: 100,000 marks, about
# 10 MB of JSON); Django's default 2.5 MB would refuse it before the API's own checks run.
DATA_UPLOAD_MAX_MEMORY_SIZE = 32 * 1024 * 1024

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Front-end packages (GOV.UK Frontend) come from npm at set-up (`npm ci`, dev.py) into
# node_modules/, never committed; Django serves their built files (muster.web).
NODE_MODULES = Path(os.environ.get("MUSTER_NODE_MODULES") or BASE_DIR.parents[1] / "node_modules")
STATICFILES_DIRS = [("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
                    ("htmx", NODE_MODULES / "htmx.org" / "dist")]

# Sign-in (muster.accounts): password, then a code from an authenticator app, for everyone.
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "web:home"
"""Each person's start of day (muster.web.navigation.start_of_day): the admin only for staff."""
OTP_TOTP_ISSUER = "Muster"
# Muster's own lock (5 failures for a username in 15 minutes, muster.accounts.lockout) counts
# wrong codes with wrong passwords; django-otp's per-device delay would refuse a right code typed
# soon after a wrong one, and tell no one why.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret key

# A session ends after MUSTER_SESSION_IDLE_MINUTES without a request and at most
# MUSTER_SESSION_MAX_HOURS after sign-in (muster.accounts.middleware.SessionExpiryMiddleware);
# the cookie goes when the browser closes.
MUSTER_SESSION_IDLE = dt.timedelta(minutes=env_int("MUSTER_SESSION_IDLE_MINUTES", 30, minimum=1))
MUSTER_SESSION_MAX_AGE = dt.timedelta(hours=env_int("MUSTER_SESSION_MAX_HOURS", 10, minimum=1))
SESSION_COOKIE_AGE = int(MUSTER_SESSION_MAX_AGE.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# HTTPS: on whenever DEBUG is off, unless MUSTER_HTTPS=false says this run is plain HTTP
# (local use only). MUSTER_TLS_PROXY=true trusts X-Forwarded-Proto: set it only when a proxy
# that terminates TLS is in front and overwrites that header.
MUSTER_HTTPS = env_bool("MUSTER_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = MUSTER_HTTPS
CSRF_COOKIE_SECURE = MUSTER_HTTPS
SECURE_SSL_REDIRECT = MUSTER_HTTPS
SECURE_HSTS_SECONDS = env_int("MUSTER_HSTS_SECONDS", 31_536_000) if MUSTER_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = MUSTER_HTTPS
# Preloading binds the whole domain and its subdomains to HTTPS for months, past undoing: a
# choice for the domain's owner (often a council), so off unless asked for. Django's deploy
# check warns when it is off; that warning is silenced only then.
SECURE_HSTS_PRELOAD = MUSTER_HTTPS and env_bool("MUSTER_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("MUSTER_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of Muster append the address they saw to X-Forwarded-For; the audit
# log records the address the outermost one saw (muster.audit.log.client_address). 0 believes
# no such header and records REMOTE_ADDR: anyone can send one.
MUSTER_TRUSTED_PROXIES = env_int("MUSTER_TRUSTED_PROXIES", 0)

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Pages load scripts, styles, images and fonts from Muster alone: no inline scripts, no other
# origins, no framing. The sign-in pages use no JavaScript at all (the QR code is inline SVG).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
