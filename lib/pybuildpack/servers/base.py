"""What every web server module provides: the interface behind `servers/`.

A server turns an app target (`module:attribute`, found by `inspect`) into the
web process's command. Binding `$PORT`, the worker count (`WEB_CONCURRENCY`),
static files and graceful shutdown are the server's business too: each module
says how it does them, usually through a config file in `launch/` that runs
inside the built app.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from typing import ClassVar, Mapping, Sequence

from ..inspect.processes import AppTarget


class Server(ABC):
    """One web server. Subclasses set the class attributes and `command()`."""

    name: ClassVar[str]                 # also its package name on PyPI
    interfaces: ClassVar[tuple]         # "wsgi", "asgi"
    pins: ClassVar[tuple]               # Pin(version, marker), newest first: what the build adds
    # True when the web process serves Django's collected static files itself
    # (with WhiteNoise, which the build then adds).
    serves_django_static: ClassVar[bool] = False

    @abstractmethod
    def command(self, target: AppTarget) -> tuple:
        """argv of the web process serving `target`, bound to $PORT."""

    def runs(self, words: Sequence[str]) -> bool:
        """Whether a command line (split into words, environment assignments and
        `exec` already dropped) starts this server: `NAME ...` or `python -m NAME ...`."""
        if words[:3] in (["python", "-m", self.name], ["python3", "-m", self.name]):
            return True
        return bool(words) and os.path.basename(words[0]) == self.name

    def reload(self, env: Mapping[str, str]) -> tuple:
        """(environment, log line) that make this server reload changed code itself,
        or (None, "") when it cannot and pybuildpack must restart it."""
        return None, ""

