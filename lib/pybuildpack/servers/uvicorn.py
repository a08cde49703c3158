"""uvicorn: the default server for ASGI apps.

Binds 0.0.0.0:$PORT. uvicorn reads WEB_CONCURRENCY (its worker count) and
FORWARDED_ALLOW_IPS (whose X-Forwarded-* headers to trust) itself, logs
requests to stdout and errors to stderr, and loads factories (`--factory`)
and apps in a subdirectory (`--app-dir`) itself. pybuildpack adds: idle
connections closed after 5 s (less than the router's idle timeout), 2048
pending connections, and on SIGTERM 20 s for in-flight requests before it
exits (less than the platforms' 30 s before SIGKILL; uvicorn's own default
waits for ever). A Django project's app is served through
`launch/asgi_app.py`, which serves its collected static files. uvicorn has no
config file of its own: its settings are flags and UVICORN_* variables, and
a flag pybuildpack passes wins over a variable.
"""

from __future__ import annotations

from pathlib import Path

from ..inspect.processes import AppTarget
from ..pins import Pin
from . import asgi
from .base import Server

KEEP_ALIVE = "5"
GRACEFUL_TIMEOUT = "20"
BACKLOG = "2048"


class Uvicorn(Server):
    name = "uvicorn"
    interfaces = ("asgi",)
    pins = (
        Pin("0.54.0", 'python_version >= "3.10"'),
        Pin("0.39.0", 'python_version == "3.9"'),
        Pin("0.33.0", 'python_version < "3.9"'),
    )
    # uvicorn-worker is uvicorn's worker class for gunicorn, not uvicorn alone.
    packages = ("uvicorn",)

    def command(self, target: AppTarget, app_dir: Path) -> tuple:
        words = []
        if asgi.is_django(target, app_dir):
            words += asgi.environment(target)
        words += ["uvicorn", "--host", "0.0.0.0", "--port", "$PORT",
                  "--timeout-keep-alive", KEEP_ALIVE, "--timeout-graceful-shutdown", GRACEFUL_TIMEOUT,
                  "--backlog", BACKLOG]
        if asgi.is_django(target, app_dir):
            return tuple(words + [asgi.APPLICATION])
        if target.chdir and target.chdir != ".":
            words += ["--app-dir", target.chdir]
        if target.kind == "factory":
            words.append("--factory")
        words.append(target.target)
        return tuple(words)
