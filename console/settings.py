"""Django settings, read once from the environment (the same variables as the adapter's).

- ``PORADNYK_DATABASE_URL``: one URL switches every table of the adapter and the console
  (``postgres://user:pass@host/db``); default SQLite in WAL mode in the data folder.
- ``PORADNYK_DATA_DIR``: where the SQLite file and the generated secret key live.
- ``PORADNYK_CONSOLE_HOSTS``: host names the console answers to (comma-separated).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

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

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "store",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "console.urls"
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
WSGI_APPLICATION = "console.wsgi.application"

_SQLITE = f"sqlite:///{DATA_DIR / 'poradnyk.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("PORADNYK_DATABASE_URL") or _SQLITE, conn_max_age=600
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers never wait for the writer; a commit survives kill -9 of any process.
    # secure_delete: deleted rows are overwritten, not left readable in free pages.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA secure_delete=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "cs"
LANGUAGES = [("cs", "Čeština"), ("uk", "Українська"), ("en", "English")]
TIME_ZONE = "Europe/Prague"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"

# Logs carry no person: Django's request logger would print URLs and bodies of errors.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"privacy": {"()": "poradnyk.logs.PrivacyFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["privacy"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
