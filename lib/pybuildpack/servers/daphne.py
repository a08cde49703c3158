"""daphne: the Django Channels ASGI server, used when the app names it or PYBUILDPACK_SERVER does.

Binds 0.0.0.0:$PORT (with 2048 pending connections, not Twisted's 50) and logs requests to stdout (`--access-log -`). daphne
runs one process: it has no workers, so WEB_CONCURRENCY does not apply (run
more dynos or containers to scale). daphne takes only `module:attribute` targets, trusts forwarded
headers from any peer when asked, cannot serve Django's static files and
cancels in-flight requests on SIGTERM, so it serves the app through
`launch/asgi_app.py`, which loads factories and apps in a subdirectory, trusts
the headers only as FORWARDED_ALLOW_IPS says, lets requests finish (20 s
at most) on SIGTERM, and closes kept-alive connections idle for 5 s. daphne has no config file of its own.
"""

from __future__ import annotations

from pathlib import Path

from ..inspect.processes import AppTarget
from ..pins import Pin
from . import asgi
from .base import Server


BACKLOG = 2048


class Daphne(Server):
    name = "daphne"
    start_modules = ("daphne.cli",)
    interfaces = ("asgi",)
    pins = (
        Pin("4.2.3", 'python_version >= "3.9"'),
        Pin("4.1.2", 'python_version < "3.9"'),
    )

    def command(self, target: AppTarget, app_dir: Path) -> tuple:
        # An endpoint rather than --bind/--port: Twisted's default backlog (50)
        # resets connections that arrive in a burst.
        return tuple(asgi.environment(target) + ["daphne", "--endpoint", f"tcp:port=$PORT:interface=0.0.0.0:backlog={BACKLOG}",
                                                 "--access-log", "-", asgi.BEHIND_ROUTER])
