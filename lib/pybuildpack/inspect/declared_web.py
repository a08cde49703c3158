"""The web process a user named with the variables of OpenShift's Python image.

Users of OpenShift's own Python S2I image say what their web process is with
environment variables. pybuildpack reads the same names from the config vars,
on every platform, so an app moved from that image builds the same way:

    APP_MODULE=main:app        an app target, served by the server pybuildpack
                               chooses (gunicorn by default); `module` alone is
                               `module:application`, `module:make()` a factory
    APP_FILE=server.py         a Python file that starts its own server: `python server.py`
    APP_SCRIPT=start.sh        an executable script: `./start.sh`

At most one of them may be set. With a Procfile `web` line too, both must
name the same thing, and the Procfile line (which says more) is what runs;
a Procfile line that runs something else is an error, never a silent choice,
because Heroku always runs the Procfile's line whatever a buildpack says.

    >>> parse_app_module("main:app")
    ('main', 'app', 'object')
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Mapping, Optional, Union

from .. import errors
from .processes import AppTarget, Process
from .web_app import INTERFACE, classify
from .django import module_file

VARIABLES = ("APP_MODULE", "APP_FILE", "APP_SCRIPT")
_APP_MODULE = re.compile(r"^(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)"
                         r"(?::(?P<attribute>[A-Za-z_]\w*)(?P<call>\(\))?)?$")


@dataclass(frozen=True)
class DeclaredWeb:
    variable: str                          # APP_MODULE, APP_FILE or APP_SCRIPT
    value: str
    found: Union[AppTarget, Process]       # what the plan serves (an AppTarget) or runs (a Process)


def origin(variable: str) -> str:
    return f"config var {variable}"


def named_variables(config) -> list:
    """[(name, value)] of the variables set (to something other than blanks)."""
    return [(name, config.get(name).strip()) for name in VARIABLES if (config.get(name) or "").strip()]


def declared_web(app_dir: Path, config, procfile: Mapping[str, Process],
                 declared: Optional[str] = None) -> Optional[DeclaredWeb]:
    """The web process APP_MODULE, APP_FILE or APP_SCRIPT names, or None when
    none is set or the Procfile's web line runs the same thing. `declared` is
    the framework the dependencies name (for an app target's interface)."""
    named = named_variables(config)
    if not named:
        return None
    if len(named) > 1:
        raise errors.AppVariablesConflict([name for name, _ in named])
    variable, value = named[0]
    web = procfile.get("web")
    if variable == "APP_MODULE":
        found: Union[AppTarget, Process] = app_module_target(app_dir, value, declared)
    else:
        found = app_file_process(app_dir, variable, value)
    if web is not None:
        if names_same(variable, value, web.command):
            return None
        raise errors.AppVariableConflictsWithProcfile(variable, value, web.origin, web.command)
    return DeclaredWeb(variable, value, found)


def parse_app_module(value: str) -> tuple:
    """(module, attribute, kind) of an APP_MODULE value; raises AppVariableInvalid."""
    match = _APP_MODULE.match(value)
    if match is None:
        raise errors.AppVariableInvalid(
            "APP_MODULE", value, "it is not of the form `module:callable` (a dotted module name, a colon, "
            "a name)", "APP_MODULE=myproject.wsgi:application")
    kind = "factory" if match.group("call") else "object"
    return match.group("module"), match.group("attribute") or "application", kind


def app_module_target(app_dir: Path, value: str, declared: Optional[str]) -> AppTarget:
    module, attribute, kind = parse_app_module(value)
    chdir = next((where for where in ("", "src")
                  if module_file(app_dir / where if where else app_dir, module) is not None), None)
    if chdir is None:
        path = module.replace(".", "/")
        raise errors.AppVariableInvalid(
            "APP_MODULE", value, f"the app has no module {module}\n({path}.py or {path}/__init__.py, "
            "at its top or under src/)", f"APP_MODULE=<module>:{attribute} naming a module of the app")
    framework, interface, _ = classify(app_dir, module, attribute, declared)
    what = f"{framework} app" if framework else f"{INTERFACE[interface]} app"
    call = "()" if kind == "factory" else ""
    note = f"App: {what} `{module}:{attribute}{call}` named by APP_MODULE ({INTERFACE[interface]})"
    return AppTarget(interface, f"{module}:{attribute}", chdir, origin("APP_MODULE"), kind=kind,
                     framework=framework, notes=(note,))


def relative_file(app_dir: Path, variable: str, value: str) -> str:
    """`value` as a path inside the app ("server.py", "bin/start.sh"), checked to be a file."""
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise errors.AppVariableInvalid(variable, value, "it is not a path inside the app",
                                        f"{variable}=<a path relative to the app's top directory>")
    relative = path.as_posix()
    if not (app_dir / relative).is_file():
        raise errors.AppVariableInvalid(variable, value, f"the app has no file {relative}",
                                        f"{variable}=<a file of the app, relative to its top directory>")
    return relative


def app_file_process(app_dir: Path, variable: str, value: str) -> Process:
    relative = relative_file(app_dir, variable, value)
    if variable == "APP_FILE":
        return Process("web", f"python {shlex.quote(relative)}", origin(variable), ("python", relative),
                       notes=(f"App: {relative}, named by APP_FILE, run with python",))
    if not os.access(app_dir / relative, os.X_OK):
        raise errors.AppVariableInvalid(variable, value, f"{relative} is not executable",
                                        f"git update-index --chmod=+x {relative}")
    return Process("web", f"./{shlex.quote(relative)}", origin(variable), (f"./{relative}",),
                   notes=(f"App: {relative}, named by APP_SCRIPT",))


def names_same(variable: str, value: str, command: str) -> bool:
    """Whether a Procfile command runs what the variable names: the app target
    (with or without `()`) or the file is one of its words."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    if variable == "APP_MODULE":
        wanted = {value, value + "()", value.rstrip("()")} if ":" in value else {value, f"{value}:application"}
        return any(word in wanted for word in words)
    target = os.path.normpath(value)
    return any(os.path.normpath(word) == target for word in words if word and not word.startswith("-"))
