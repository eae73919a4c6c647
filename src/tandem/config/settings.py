"""Settings, driven by the environment so that every command honours the same variables.

DATABASE_URL   sqlite:///path/db.sqlite3 (default: var/tandem.sqlite3) or postgres://user@host:port/name
TANDEM_DEBUG   "1" for development pages and tracebacks
TANDEM_SECRET_KEY  required when TANDEM_DEBUG is not set; a per-checkout key is made otherwise
TANDEM_ALLOWED_HOSTS  comma-separated
TANDEM_CONN_MAX_AGE  seconds a connection is kept between requests (0; `tandem serve`: 600)
TANDEM_DUCKDB_MEMORY  the most memory each linkage run's DuckDB may use ("8GB"); beyond it DuckDB
               spills to var/duckdb-tmp (a 1M-record link reached 17 GiB without a limit)
TANDEM_VAR_DIR  where Tandem writes its files (default: the SQLite file's folder, else var/)
TANDEM_JOB_STALE_SECONDS  a running job whose worker has not reported for this long is taken to
               have stopped, and runs again (120)
TANDEM_JOB_ATTEMPTS  how many times a job is started before an interrupted one is failed (3)
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/tandem
PROJECT_DIR = BASE_DIR.parent.parent  # the checkout


def _var_dir() -> Path:
    """Where Tandem keeps what it writes (the secret key of a development checkout, uploaded
    extracts, built returns, linkage's spill files): TANDEM_VAR_DIR; else beside the SQLite
    file DATABASE_URL names, so a database kept elsewhere keeps its files with it; else var/
    in the checkout."""
    if os.environ.get("TANDEM_VAR_DIR"):
        return Path(os.environ["TANDEM_VAR_DIR"])
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///")).parent
    return PROJECT_DIR / "var"


VAR_DIR = _var_dir()

DEBUG = os.environ.get("TANDEM_DEBUG", "") == "1"


def _secret_key() -> str:
    key = os.environ.get("TANDEM_SECRET_KEY")
    if key:
        return key
    # A development checkout keeps its own random key, never one committed to the repository.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h
    for h in os.environ.get("TANDEM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Before django_tasks_db: its `db_worker` command is Tandem's, which recovers first.
    "tandem.jobs",
    "django_tasks_db",
    "ninja",
    "tandem.partners",
    "tandem.people",
    "tandem.access",
    "tandem.audit",
    "tandem.referrals",
    "tandem.casework",
    "tandem.portal",
    "tandem.linkage",
    "tandem.synth",
    # Children looked after and statutory returns (issue 7)
    "tandem.care",
    "tandem.returns",
    # Evidence of what works (issue 23): services, spells, measures, cost-benefit
    "tandem.outcomes",
    # Planning (issue 24): demand forecast, scenarios, pooled budgets, capacity
    "tandem.planning",
    # Sign-in security (issue 4): the second factor and the acceptable-use notice
    "django_otp",
    "django_otp.plugins.otp_totp",
    "tandem.security",
    "tandem.web",
    "tandem.config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "tandem.audit.middleware.RequestContextMiddleware",
    "tandem.web.middleware.NoStoreMiddleware",
    # Sign-in security (issue 4): a session is not signed in until its code is checked.
    "django_otp.middleware.OTPMiddleware",
    "tandem.security.middleware.SignInSecurityMiddleware",
]

ROOT_URLCONF = "tandem.config.urls"
WSGI_APPLICATION = "tandem.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "tandem.config.jinja2.environment",
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csrf",
                "django.template.context_processors.csp",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # Only Django's admin (system administrators: partners, teams and users) uses these.
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tandem.sqlite3'}"),
        conn_max_age=int(os.environ.get("TANDEM_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web server read while one of them writes. A new database
    # gets 16 KiB pages (an existing one keeps its own): a quarter of the system calls to write
    # or scan a table, which `tandem synth` at 1,000,000 children spends much of its time on.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Server-side binding sends each query's text with $n placeholders, so psycopg prepares
    # the ones a request runs every time (after five uses on a connection) and PostgreSQL stops
    # planning them afresh: the access check's plan cost more than its run. (Django turns this
    # off by default for transaction-mode poolers, which Tandem does not use.)
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partners.User"
AUTHENTICATION_BACKENDS = ["tandem.partners.backends.UserWithTeamBackend"]
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:start"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Record linkage: every DuckDB connection Splink works in (linkage.standardise.connect).
TANDEM_DUCKDB_MEMORY = os.environ.get("TANDEM_DUCKDB_MEMORY", "8GB")
TANDEM_DUCKDB_TEMP_DIR = VAR_DIR / "duckdb-tmp"
# Long work that survives (issue 28): a job's worker reports every sixth of this.
TANDEM_JOB_STALE_SECONDS = int(os.environ.get("TANDEM_JOB_STALE_SECONDS", "120"))
TANDEM_JOB_ATTEMPTS = int(os.environ.get("TANDEM_JOB_ATTEMPTS", "3"))

# Sign-in: five failures lock an account for 15 minutes; a session ends after 30 idle minutes.
TANDEM_LOCKOUT_FAILURES = int(os.environ.get("TANDEM_LOCKOUT_FAILURES", "5"))
TANDEM_LOCKOUT_MINUTES = int(os.environ.get("TANDEM_LOCKOUT_MINUTES", "15"))
# Information governance: how long emergency (break-glass) access lasts.
TANDEM_BREAK_GLASS_HOURS = int(os.environ.get("TANDEM_BREAK_GLASS_HOURS", "4"))
# How long a one-time set-up code for an authenticator app stays valid (security.enrolment).
TANDEM_ENROLMENT_CODE_HOURS = int(os.environ.get("TANDEM_ENROLMENT_CODE_HOURS", "72"))
# Sign-in security: the authenticator app shows "Tandem"; wrong codes count towards the lock-out
# above, so django-otp's own back-off (which would refuse a right code without saying why) is off.
OTP_TOTP_ISSUER = "Tandem"
OTP_TOTP_THROTTLE_FACTOR = 0
# Change it whenever the words of web/security/acceptable_use.html change: everyone is asked again.
TANDEM_ACCEPTABLE_USE_VERSION = os.environ.get("TANDEM_ACCEPTABLE_USE_VERSION", "2026-11")
SESSION_COOKIE_AGE = int(os.environ.get("TANDEM_SESSION_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("TANDEM_SECURE_COOKIES", "") == "1"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
STATICFILES_DIRS = (
    [PROJECT_DIR / "build" / "static"] if (PROJECT_DIR / "build" / "static").exists() else []
)
WHITENOISE_USE_FINDERS = True

# In the database, so every server process shares it: sign-in failures for usernames that do not
# exist are counted here, and a per-process count would give an attacker one lock-out per worker.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tandem_cache",
    }
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TANDEM_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Request logs carry paths only: ids, never names, so a log never shows a child.
    "root": {"handlers": ["console"], "level": os.environ.get("TANDEM_LOG_LEVEL", "WARNING")},
}
