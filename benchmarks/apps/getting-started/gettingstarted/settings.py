"""Settings of the getting-started site.

Everything that differs between a laptop and a dyno comes from the environment,
with defaults that run the site locally on SQLite:

    SECRET_KEY      signs sessions and tokens (default: a new random key per boot)
    DEBUG           `1`/`true` for Django's debug pages (default: off)
    ALLOWED_HOSTS   comma-separated host names (default: any host on a dyno,
                    whose router only forwards the app's own domains; else localhost)
    DATABASE_URL    e.g. postgres://user:password@host:5432/name (default: db.sqlite3)
    SECURE_SSL_REDIRECT  `1`/`true` to redirect plain HTTP to HTTPS
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)
DEBUG = env_flag("DEBUG")

ON_DYNO = "DYNO" in os.environ
if os.environ.get("ALLOWED_HOSTS", "").strip():
    ALLOWED_HOSTS = [host.strip() for host in os.environ["ALLOWED_HOSTS"].split(",") if host.strip()]
elif ON_DYNO:
    ALLOWED_HOSTS = ["*"]
else:
    ALLOWED_HOSTS = [".localhost", "127.0.0.1", "[::1]"]

# The router ends TLS and says so in X-Forwarded-Proto (gunicorn.conf.py trusts it).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT")

INSTALLED_APPS = [
    # runserver leaves static files to WhiteNoise too, so development serves them as production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "hello",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gettingstarted.urls"
WSGI_APPLICATION = "gettingstarted.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    ),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# collectstatic gathers the files here at build time; WhiteNoise serves them
# compressed, under names that change with their content (so they cache forever).
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Logs go to stdout, where the platform collects them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.request": {"level": "ERROR"}},
}
