"""waitress: a pure-Python, multi-threaded WSGI server (one process).

The web process is `python -m pybuildpack_launch.wsgi_waitress SPEC`
(launch/wsgi_waitress.py), which calls waitress itself, because
waitress-serve has no access log, no graceful shutdown and no PasteDeploy
files: it binds 0.0.0.0:$PORT with 4 × WEB_CONCURRENCY threads, logs
requests on stdout, trusts the router's forwarded headers when
FORWARDED_ALLOW_IPS is set, serves Django's static files with WhiteNoise,
applies a paste .ini's `[server:main]` options last, and drains on SIGTERM.
"""

from __future__ import annotations

from pathlib import Path

from ..inspect.processes import AppTarget
from ..pins import Pin
from .base import Server, runner


class Waitress(Server):
    name = "waitress"
    start_modules = ("waitress.runner",)
    interfaces = ("wsgi",)
    pins = (
        Pin("3.0.2", 'python_version >= "3.9"'),
        Pin("3.0.0", 'python_version < "3.9"'),
    )
    executables = ("waitress-serve", "pybuildpack_launch.wsgi_waitress")
    serves_django_static = True

    def command(self, target: AppTarget, app_dir: Path) -> tuple:
        return tuple(runner("wsgi_waitress", target))
