"""What every web server module provides: the interface behind `servers/`.

A server turns an app target (found by `inspect`) into the web process's
command. Binding all interfaces on `$PORT`, the worker count
(`WEB_CONCURRENCY`), access logs on stdout, the router's forwarded headers,
Django's static files, graceful shutdown and the app's own config file for
that server (applied last) are the server's business too: each module says
how it does them, with flags or with a config file in `launch/` that runs
inside the built app.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Callable, ClassVar, Mapping, Optional, Sequence

from ..inspect.processes import AppTarget, Process


class Server(ABC):
    """One web server. Subclasses set the class attributes and `command()`."""

    name: ClassVar[str]                 # what PYBUILDPACK_SERVER names it by, and its package on PyPI
    interfaces: ClassVar[tuple]         # "wsgi", "asgi": what it can serve
    pins: ClassVar[tuple]               # Pin(version, marker), newest first: what the build adds
    # Every package name that, declared by the app, means the app chose this server.
    packages: ClassVar[tuple] = ()
    # The package the build adds when the app declares none of `packages`
    # (None: `name`), e.g. pyuwsgi's wheels for uWSGI rather than compiling it.
    package: ClassVar[Optional[str]] = None
    # The executables (or `python -m` modules) that start it, for recognising
    # Procfile commands, including a copy of the command pybuildpack writes.
    executables: ClassVar[tuple] = ()
    # The modules its command imports before it can serve anything: the build
    # imports them once after the install, so a server that cannot even start
    # (a dependency gone from the environment) fails the build, not the boot.
    start_modules: ClassVar[tuple] = ()
    # True when the web process serves Django's collected static files itself
    # with WhiteNoise, which the build then adds.
    serves_django_static: ClassVar[bool] = False

    @abstractmethod
    def command(self, target: AppTarget, app_dir: Path) -> tuple:
        """The web process serving `target`, as words. A word may refer to the
        environment at start as `$NAME` or `${NAME:-default}` (the command is then
        run by a shell); every other word is literal. `app_dir` is the built app's
        source, for config files the app brings (applied last)."""

    def declared_by(self, declares) -> bool:
        """Whether the app's dependencies name this server (`declares(name)`)."""
        return any(declares(package) for package in (self.packages or (self.name,)))

    def runs(self, words: Sequence[str]) -> bool:
        """Whether a command line (split into words, environment assignments and
        `exec` already dropped) starts this server: `NAME ...` or `python -m NAME ...`."""
        names = self.executables or (self.name,)
        if len(words) >= 3 and words[0] in ("python", "python3") and words[1] == "-m" and words[2] in names:
            return True
        return bool(words) and os.path.basename(words[0]) in names

    def check_build_machine(self, env: Mapping[str, str], origin: str) -> None:
        """Raise a UserError when the build machine cannot build or run this
        server (a system library it needs is missing). `origin` says where the
        web process came from, for the message."""

    def check_config(self, process: Process, words: Sequence[str], app_dir: Path,
                     declares: Callable[[str], bool], runtime_env: Mapping[str, str]) -> None:
        """Raise a UserError when `process` (this server's command line, split
        into `words`) would stop at start for the server's own configuration:
        its options and the config files they name, in `app_dir`. `runtime_env`:
        what is known to be set where the app runs (the config vars and the
        platform's variables); `declares`: whether the app declares a package."""

    def config_warnings(self, process: Process, words: Sequence[str], app_dir: Path,
                        declares: Callable[[str], bool], env: Mapping[str, str]) -> list:
        """(title, body) warnings about a Procfile `process` that runs this server
        with a configuration of its own that works, but badly. `env`: the config
        vars and the command's own `NAME=value` assignments."""
        return []

    def for_installed(self, words: Sequence[str], version: str) -> tuple:
        """(words, warning or None): the command pybuildpack wrote for this server
        (split into words), fitted to the `version` of it the app installed, and
        a (title, body) warning saying what that version lacks."""
        return tuple(words), None

    @property
    def django_static(self) -> Optional[str]:
        """How the web process serves Django's collected static files, for
        `explain` ("WhiteNoise", "uWSGI's --static-map"), or None."""
        return "WhiteNoise" if self.serves_django_static else None

    def django_static_for(self, interface: Optional[str]) -> Optional[str]:
        """`django_static` for a web process serving `interface`: every ASGI
        process serves launch/asgi_app.py, whose own static file server does it."""
        if interface == "asgi":
            return "pybuildpack's ASGI static file server"
        return self.django_static

    @property
    def added_package(self) -> str:
        return self.package or self.name

    def label(self, interface: str) -> str:
        """How the log names this server serving `interface`."""
        return self.name

    def modules_to_start(self, interface: Optional[str]) -> tuple:
        """`start_modules`, plus what serving `interface` imports besides."""
        return self.start_modules

    def companions(self, interface: str) -> tuple:
        """(package, pins) of what else serving `interface` needs installed
        besides the server itself (gunicorn's uvicorn worker for ASGI)."""
        return ()

    def reload(self, env: Mapping[str, str]) -> tuple:
        """(environment, log line) that make this server reload changed code itself,
        or (None, "") when it cannot and pybuildpack must restart it."""
        return None, ""


def launch_spec(target: AppTarget) -> str:
    """`target` as launch/target.py loads it: `module:app`, `module:factory()`
    or `paste:FILE`."""
    if target.kind == "paste":
        return "paste:" + target.target
    return target.target + ("()" if target.kind == "factory" else "")


def runner(module: str, target: AppTarget) -> list:
    """The words that start a launch/ runner module serving `target`."""
    words = ["python", "-m", f"pybuildpack_launch.{module}"]
    if target.chdir:
        words += ["--chdir", target.chdir]
    return words + [launch_spec(target)]
