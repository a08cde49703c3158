"""The web servers pybuildpack can run, one module each.

Adding a server: a module here with a `Server` subclass, and one line in
`SERVERS`. `DEFAULT` names the server a detected app target runs under.

    >>> get("gunicorn").command(AppTarget("wsgi", "wsgi:app", "", "wsgi.py"))
    ('gunicorn', '--config', 'python:pybuildpack_launch.gunicorn_config', 'wsgi:app')
"""

from __future__ import annotations

import shlex
from typing import Optional

from ..inspect.processes import AppTarget
from .base import Server
from .gunicorn import Gunicorn

SERVERS: dict = {server.name: server for server in (
    Gunicorn(),
)}
DEFAULT = {"wsgi": "gunicorn"}


def get(name: str) -> Server:
    return SERVERS[name]


def for_target(target: AppTarget) -> Server:
    """The server a detected app target runs under."""
    return SERVERS[DEFAULT[target.interface]]


def running(command: str) -> Optional[Server]:
    """The server a Procfile command starts, when it is one we know."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    while words and ("=" in words[0] and not words[0].startswith("=") or words[0] == "exec"):
        words = words[1:]
    return next((server for server in SERVERS.values() if server.runs(words)), None)

