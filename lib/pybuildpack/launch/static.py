"""Serve a Django app's collected static files from its WSGI process.

Wraps the WSGI application with WhiteNoise when the app serves Django, its
STATIC_URL is local, STATIC_ROOT exists, and it does not use WhiteNoise's
middleware already. Hashed names (name.0123456789ab.css, as Django's manifest
storage writes) get a one-year immutable cache header; others a short one.
"""

import os
import re
import urllib.parse

_HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
SHORT_MAX_AGE = 60


def is_hashed(path, url=None):
    return bool(_HASHED.search(url or path))


def django_static_location():
    """(URL prefix such as "/static/", STATIC_ROOT) when the web process should
    serve Django's collected static files: a configured Django app
    (DJANGO_SETTINGS_MODULE set) whose STATIC_ROOT exists, whose STATIC_URL is a
    path on this host (not "/", which would shadow every page) and which does
    not use WhiteNoise's middleware already; None otherwise. Every server's way
    of serving them (WhiteNoise here, asgi_static, uWSGI's and Apache's maps)
    follows these rules."""
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        return None
    try:
        from django.conf import settings
        static_root = settings.STATIC_ROOT
        static_url = settings.STATIC_URL or ""
        middleware = list(getattr(settings, "MIDDLEWARE", []) or [])
    except Exception:  # not a configured Django app: leave it alone
        return None
    if not static_root or not os.path.isdir(str(static_root)):
        return None
    if "://" in static_url or static_url.startswith("//"):
        return None  # served from a CDN or another host
    if any("whitenoise" in entry.lower() for entry in middleware):
        return None  # the app serves its static files itself
    path = urllib.parse.urlsplit(static_url).path.strip("/")
    if not path:
        return None
    return "/" + path + "/", os.path.abspath(str(static_root))


def wrap(application):
    location = django_static_location()
    if location is None:
        return application
    try:
        from whitenoise import WhiteNoise
    except ImportError:
        return application
    prefix, root = location
    return WhiteNoise(application, root=root, prefix=prefix, max_age=SHORT_MAX_AGE, immutable_file_test=is_hashed)
