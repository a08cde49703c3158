"""hypercorn: an ASGI server (HTTP/1, HTTP/2), used when the app names it or PYBUILDPACK_SERVER does.

It binds 0.0.0.0:$PORT; its other settings live in `launch/asgi_hypercorn.py`:
WEB_CONCURRENCY workers, requests logged to stdout and errors to stderr, idle
connections closed after 5 s, 20 s for in-flight requests after SIGTERM, and
the app's own hypercorn.toml applied last. hypercorn cannot load factories,
trust FORWARDED_ALLOW_IPS or serve Django's static files, and its workers drop
requests on SIGTERM, so it serves the app through `launch/asgi_app.py`.
"""

from __future__ import annotations

from pathlib import Path

from ..inspect.processes import AppTarget
from ..pins import Pin
from . import asgi
from .base import Server

CONFIG = "python:pybuildpack_launch.asgi_hypercorn.settings"


class Hypercorn(Server):
    name = "hypercorn"
    start_modules = ("hypercorn.run",)
    interfaces = ("asgi",)
    pins = (
        Pin("0.18.0", 'python_version >= "3.10"'),
        Pin("0.17.3", 'python_version < "3.10"'),
    )

    def command(self, target: AppTarget, app_dir: Path) -> tuple:
        return tuple(asgi.environment(target) + ["hypercorn", "--config", CONFIG, "--bind", "0.0.0.0:$PORT",
                                                 asgi.BEHIND_ROUTER])
