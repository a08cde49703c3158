"""The app's processes: its Procfile, and what it would serve without one.

Default web detection order (the first that applies wins, `DEFAULT_WEB_ORDER`):
an executable app.sh, then the app finder of `web_app.py` (Django, a
PasteDeploy file, app objects and factories, scripts that start a server). A
command (app.sh, `python app.py`) is run as it is; an app target
(`module:attribute`) is handed to the plan, which picks the server that runs
it (`servers/`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from .. import errors
from . import web_app
from .django import DjangoProject

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")

DEFAULT_WEB_ORDER = web_app.ORDER


@dataclass(frozen=True)
class Process:
    """A process type. `argv` is set for the processes we generate (so CNB can
    exec them without a shell); Procfile commands are shell text only.
    `server` names the web server (`servers/`) that runs it, when we know.
    Generated commands that need the environment at start ($PORT) have no
    argv: every platform runs them with a shell, as it does Procfile lines."""

    name: str
    command: str
    origin: str
    argv: tuple = ()
    server: Optional[str] = None
    notes: tuple = ()    # log lines on how it was chosen (the server and why, a dev server left alone)
    interface: Optional[str] = None   # "wsgi" or "asgi", for the processes that serve an app target


@dataclass(frozen=True)
class AppTarget:
    """An app a web server can serve, found by reading the source.

    `target` is `module:attribute`, importable from `chdir` (relative to the
    app, "" for the top). `kind` says what the attribute is: the app object
    itself ("object"), a factory to call with no arguments ("factory"), or, for
    PasteDeploy apps ("paste"), `target` is the .ini file and there is no
    attribute. `origin` says where it was found ("main.py line 4"); `notes`
    are log lines about the finding (a dev server call left alone, say)."""

    interface: str   # "wsgi" or "asgi"
    target: str
    chdir: str
    origin: str
    kind: str = "object"          # "object", "factory" or "paste"
    framework: Optional[str] = None
    notes: tuple = ()

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]

    @property
    def attribute(self) -> str:
        return self.target.partition(":")[2]


@dataclass(frozen=True)
class Processes:
    procfile: dict = field(default_factory=dict)   # name -> Process, in file order
    default_web: Optional[Process] = None

    @property
    def all(self) -> dict:
        """Procfile processes, plus the default web when the Procfile has none."""
        merged = dict(self.procfile)
        if "web" not in merged and self.default_web is not None:
            merged = {"web": self.default_web, **merged}
        return merged

    @property
    def web(self) -> Optional[Process]:
        return self.all.get("web")

    @property
    def detected(self) -> dict:
        """The processes pybuildpack chose, not the Procfile: Heroku's default_process_types."""
        if self.default_web is not None and "web" not in self.procfile:
            return {"web": self.default_web}
        return {}


def procfile_path(app_dir: Path) -> Path:
    """The app's Procfile: its own, else (an app in a subdirectory) the one at
    the top of its repository, which is where Heroku reads it. Both is a
    TwoProcfiles error."""
    from ..app_root import relative, repository_top

    own, top = app_dir / "Procfile", repository_top(app_dir)
    if top != Path(app_dir).resolve() and (top / "Procfile").is_file():
        if own.is_file():
            raise errors.TwoProcfiles(relative(app_dir, top))
        return top / "Procfile"
    return own


def parse_procfile(app_dir: Path) -> dict:
    path = procfile_path(app_dir)
    if not path.is_file():
        return {}
    try:
        # utf-8-sig: editors on Windows start files with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.FileUnreadable("Procfile", str(exc))
    processes: dict = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, sep, command = stripped.partition(":")
        if not sep or not _NAME.match(name.strip()) or not command.strip():
            raise errors.ProcfileInvalid(number, stripped)
        name = name.strip()
        if name in processes:
            raise errors.ProcfileDuplicate(name, int(processes[name].origin.rsplit(" ", 1)[1]), number)
        processes[name] = Process(name, command.strip(), f"Procfile line {number}")
    return processes


WebFinding = Union[Process, AppTarget, None]


def detect_default_web(app_dir: Path, django: Optional[DjangoProject], declared: Optional[str] = None) -> tuple:
    """(a command Process, an AppTarget or None; warnings), following
    DEFAULT_WEB_ORDER. `declared` is the framework the dependencies name, for
    classifying an app whose source does not say (see web_app.find_web_app)."""
    warnings = []
    app_sh = app_dir / "app.sh"
    if app_sh.is_file():
        if os.access(app_sh, os.X_OK):
            return Process("web", "./app.sh", "app.sh", ("./app.sh",)), tuple(warnings)
        warnings.append(errors.app_sh_not_executable())
    return web_app.find_web_app(app_dir, django, declared), tuple(warnings)
