"""uvicorn: the default server for ASGI apps.

Binds 0.0.0.0:$PORT. uvicorn reads WEB_CONCURRENCY (its worker count)
itself, and logs requests to stdout and errors to stderr. Its own
X-Forwarded-* handling is off (`--no-proxy-headers`: with
FORWARDED_ALLOW_IPS=`*` it believes an entry the client can forge);
`asgi_app:behind_router` applies FORWARDED_ALLOW_IPS instead (`launch/forwarded.py`). pybuildpack adds: idle connections
closed after 5 s (less than the router's idle timeout), 2048 pending
connections, and on SIGTERM 20 s for in-flight requests before it exits
(less than the platforms' 30 s before SIGKILL; uvicorn's own default waits
for ever). It serves the app through `launch/asgi_app.py`, which loads the
target (object or factory, from its directory), serves a Django project's
collected static files, and reads requests already received before uvicorn
closes idle connections on SIGTERM (`launch/asgi_uvicorn.py`), which uvicorn
alone resets under load. uvicorn has no config file of its own: its settings
are flags and UVICORN_* variables, and a flag pybuildpack passes wins. An
app that pins a uvicorn older than GRACEFUL_SINCE gets the command without the
flag that release added, and a warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from packaging.version import InvalidVersion, Version

from .. import errors
from ..inspect.processes import AppTarget
from ..pins import Pin
from . import asgi
from .base import Server

KEEP_ALIVE = "5"
GRACEFUL_TIMEOUT = "20"
BACKLOG = "2048"
# The first release with --timeout-graceful-shutdown: an app that pins an older
# uvicorn gets the command without it (uvicorn would refuse to start).
GRACEFUL_SINCE = "0.22"


class Uvicorn(Server):
    name = "uvicorn"
    start_modules = ("uvicorn.main",)
    interfaces = ("asgi",)
    pins = (
        Pin("0.54.0", 'python_version >= "3.10"'),
        Pin("0.39.0", 'python_version == "3.9"'),
        Pin("0.33.0", 'python_version < "3.9"'),
    )

    def command(self, target: AppTarget, app_dir: Path) -> tuple:
        return tuple(asgi.environment(target) + [
            "uvicorn", "--host", "0.0.0.0", "--port", "$PORT", "--timeout-keep-alive", KEEP_ALIVE,
            "--timeout-graceful-shutdown", GRACEFUL_TIMEOUT, "--backlog", BACKLOG, "--no-proxy-headers",
            asgi.BEHIND_ROUTER])

    def for_installed(self, words: Sequence[str], version: str) -> tuple:
        try:
            older = Version(version) < Version(GRACEFUL_SINCE)
        except InvalidVersion:
            older = False
        if not older or "--timeout-graceful-shutdown" not in words:
            return tuple(words), None
        at = list(words).index("--timeout-graceful-shutdown")
        return (tuple(words[:at]) + tuple(words[at + 2:]),
                errors.uvicorn_without_graceful_timeout(version, GRACEFUL_SINCE, GRACEFUL_TIMEOUT))
