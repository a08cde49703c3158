"""The WSGI entry point: pybuildpack serves `application` from here with gunicorn."""

from hello import create_app

application = create_app()
