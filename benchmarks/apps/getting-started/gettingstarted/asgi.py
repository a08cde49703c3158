"""The ASGI entry point, for an ASGI server instead of gunicorn."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gettingstarted.settings")

application = get_asgi_application()
