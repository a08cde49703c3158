"""Serve a Django app's collected static files from its WSGI process.

Wraps the WSGI application with WhiteNoise when the app serves Django, its
STATIC_URL is local, STATIC_ROOT exists, and it does not use WhiteNoise's
middleware already. Hashed names (name.0123456789ab.css, as Django's manifest
storage writes) get a one-year immutable cache header; others a short one.
"""

import os
import re

_HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
SHORT_MAX_AGE = 60


def is_hashed(path, url=None):
    return bool(_HASHED.search(url or path))


def wrap(application):
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        return application
    try:
        from django.conf import settings
        static_root = settings.STATIC_ROOT
        static_url = settings.STATIC_URL or ""
        middleware = list(getattr(settings, "MIDDLEWARE", []) or [])
    except Exception:  # not a configured Django app: leave it alone
        return application
    if not static_root or not os.path.isdir(str(static_root)):
        return application
    if "://" in static_url or static_url.startswith("//"):
        return application  # served from a CDN or another host
    if any("whitenoise" in entry.lower() for entry in middleware):
        return application  # the app serves its static files itself
    try:
        from whitenoise import WhiteNoise
    except ImportError:
        return application
    prefix = "/" + static_url.strip("/") + "/"
    return WhiteNoise(application, root=str(static_root), prefix=prefix, max_age=SHORT_MAX_AGE,
                      immutable_file_test=is_hashed)
