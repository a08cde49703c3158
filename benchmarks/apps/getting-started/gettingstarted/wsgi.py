"""The WSGI entry point gunicorn serves: `gettingstarted.wsgi` (its `application`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gettingstarted.settings")

application = get_wsgi_application()
