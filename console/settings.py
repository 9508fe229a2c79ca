"""Django settings, read once from the environment (the same variables as the adapter's).

- ``PORADNYK_DATABASE_URL``: one URL switches every table of the adapter and the console
  (``postgresql://user:pass@host/db``, psycopg 3); default SQLite in WAL mode in the data
  folder. Rasa's conversations follow the same URL (``rasa_server.tracker_store``).
- ``PORADNYK_DATA_DIR``: where the SQLite file and the generated secret key live.
- ``PORADNYK_CONSOLE_HOSTS``: host names the console answers to (comma-separated).
- ``PORADNYK_CONTENT_DIR``: the content the console edits and publishes (default ``content/``).
- ``PORADNYK_REVIEW_AGE_DAYS``: answers checked longer ago are marked on the dashboard.
- ``PORADNYK_NLU_DIR``, ``PORADNYK_MODEL_DIR``: the training data the inbox adds examples
  to (default ``nlu_data/``) and the model folder (when it was last trained).
- ``PORADNYK_CONSOLE_HTTPS``: ``1`` behind an HTTPS reverse proxy: secure cookies, HSTS,
  and the client address from the proxy's ``X-Forwarded-For`` (for the login rate limit).
- ``PORADNYK_CONSOLE_SESSION_HOURS``: a log-in lasts this long at most (default 8).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from store.backend import database_settings

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("PORADNYK_DATA_DIR") or BASE_DIR / "var")


def _secret_key(path: Path) -> str:
    """Generated once and kept in the data folder, like the pseudonym salt."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("PORADNYK_SECRET_KEY") or _secret_key(DATA_DIR / "console_secret_key")
DEBUG = False
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("PORADNYK_CONSOLE_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

PORADNYK_CONTENT_DIR = Path(os.environ.get("PORADNYK_CONTENT_DIR") or BASE_DIR / "content")
PORADNYK_NLU_DIR = Path(os.environ.get("PORADNYK_NLU_DIR") or BASE_DIR / "nlu_data")
PORADNYK_MODEL_DIR = Path(os.environ.get("PORADNYK_MODEL_DIR") or BASE_DIR / "models")
PORADNYK_REVIEW_AGE_DAYS = int(os.environ.get("PORADNYK_REVIEW_AGE_DAYS") or 180)
HTTPS = os.environ.get("PORADNYK_CONSOLE_HTTPS", "0").strip() == "1"

INSTALLED_APPS = [
    "console.editorial",
    "console.announcements",
    "console.insights",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "store",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a log-in unless its view says otherwise (log-in, /healthz).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "console.editorial.middleware.StaffLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A page that needs the content while the files have a mistake (and no good version
    # was ever seen) says what is wrong instead of "Server Error".
    "console.editorial.problems.ContentProblemsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "console.editorial.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into its 429 page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a log-in while its user name and address are locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Five wrong passwords for one user name from one address lock that pair for 15 minutes
# (by the pair, so nobody can lock a colleague out from elsewhere).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "editorial/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "console.editorial.middleware.client_ip"
AXES_VERBOSE = False

# A log-in lasts a working day at most, and ends when the browser closes.
SESSION_COOKIE_AGE = int(float(os.environ.get("PORADNYK_CONSOLE_SESSION_HOURS") or 8) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_NAME = "poradnyk_console_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if HTTPS:
    # Behind an HTTPS reverse proxy (README, "Staff console"): it terminates TLS and says
    # so in X-Forwarded-Proto; cookies never travel over plain HTTP.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31_536_000
    CSRF_TRUSTED_ORIGINS = [
        f"https://{h}" for h in ALLOWED_HOSTS if h not in ("127.0.0.1", "localhost")
    ]


ROOT_URLCONF = "console.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "console" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "console.editorial.context.roles_context",
                "console.editorial.problems.content_problems_context",
            ],
        },
    },
]
WSGI_APPLICATION = "console.wsgi.application"

# SQLite by default, PostgreSQL with a postgresql:// URL; the differences live in
# store/backend.py.
DATABASES = {"default": database_settings(os.environ.get("PORADNYK_DATABASE_URL"), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "cs"
LANGUAGES = [("cs", "Čeština"), ("uk", "Українська"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "console" / "locale"]
LANGUAGE_COOKIE_NAME = "poradnyk_console_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
TIME_ZONE = "Europe/Prague"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
# Served by WhiteNoise straight from the apps' static folders: no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

# Logs carry no person: Django's request logger would print URLs and bodies of errors.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"privacy": {"()": "poradnyk.logs.PrivacyFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["privacy"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
