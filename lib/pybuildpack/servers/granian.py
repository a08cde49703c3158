"""granian: a Rust-based ASGI server, used when the app names it or PYBUILDPACK_SERVER does.

Binds 0.0.0.0:$PORT with the ASGI interface, logs requests (`--access-log`),
and runs WEB_CONCURRENCY workers. granian has no config file: every setting is
also a GRANIAN_* variable, and those the app sets win over pybuildpack's
defaults, which `launch/asgi_granian.py` sets before it exec's granian
(GRANIAN_WORKERS, GRANIAN_WORKERS_KILL_TIMEOUT,
GRANIAN_HTTP1_HEADER_READ_TIMEOUT). On SIGTERM granian stops accepting and its
workers finish their requests within 20 s in all; idle kept-alive connections
close after 5 s. granian cannot trust FORWARDED_ALLOW_IPS or serve
Django's static files, so it serves the app through `launch/asgi_app.py`,
which also loads factories and apps in a subdirectory the same way for every
granian release pinned (1.x, for Python 3.8, has no --working-dir).
"""

from __future__ import annotations

from pathlib import Path

from ..inspect.processes import AppTarget
from ..pins import Pin
from . import asgi
from .base import Server

LAUNCHER = ("python", "-m", "pybuildpack_launch.asgi_granian")


class Granian(Server):
    name = "granian"
    start_modules = ("granian.cli",)
    executables = ("granian", "pybuildpack_launch.asgi_granian")
    interfaces = ("asgi",)
    pins = (
        Pin("2.8.7", 'python_version >= "3.10"'),
        Pin("2.5.7", 'python_version == "3.9"'),
        Pin("1.6.4", 'python_version < "3.9"'),
    )

    def command(self, target: AppTarget, app_dir: Path) -> tuple:
        words = asgi.environment(target) + list(LAUNCHER)
        words += ["--interface", "asgi", "--host", "0.0.0.0", "--port", "$PORT",
                  "--workers", "${GRANIAN_WORKERS:-${WEB_CONCURRENCY:-1}}", "--access-log", asgi.BEHIND_ROUTER]
        return tuple(words)
