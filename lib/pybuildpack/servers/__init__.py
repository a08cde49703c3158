"""The web servers pybuildpack can run, one module each.

Adding a server: a module here with a `Server` subclass, and one line in
`SERVERS`, whose order is the preference among servers an app declares.
`DEFAULT` names the server an app gets when it declares none for its
interface (WSGI or ASGI).

    >>> from pathlib import Path
    >>> get("gunicorn").command(AppTarget("wsgi", "wsgi:app", "", "wsgi.py"), Path("."))
    ('gunicorn', '--config', 'python:pybuildpack_launch.gunicorn_config', 'wsgi:app')
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Callable, Mapping, NamedTuple, Optional, Sequence

from .. import errors
from ..config import Origin
from ..inspect.processes import AppTarget, Process
from .base import Server
from .gunicorn import Gunicorn
from .daphne import Daphne
from .granian import Granian
from .hypercorn import Hypercorn
from .uvicorn import Uvicorn
from .waitress import Waitress
from .uwsgi import UWSGI
from .mod_wsgi import ModWsgi

SERVERS: dict = {server.name: server for server in (
    Gunicorn(),
    Uvicorn(),
    Hypercorn(),
    Granian(),
    Daphne(),
    Waitress(),
    UWSGI(),
    ModWsgi(),
)}
# gunicorn runs ASGI apps in uvicorn workers: measured faster than uvicorn's own
# --workers (servers/gunicorn.py).
DEFAULT = {"wsgi": "gunicorn", "asgi": "gunicorn"}
INTERFACE_NAMES = {"wsgi": "WSGI", "asgi": "ASGI"}
CHOICE_VAR = "PYBUILDPACK_SERVER"
ALIASES = {"pyuwsgi": "uwsgi", "mod-wsgi": "mod_wsgi", "mod-wsgi-express": "mod_wsgi"}


class Choice(NamedTuple):
    server: Server
    reason: str      # "the default ASGI server", "requirements.txt names it", "config var PYBUILDPACK_SERVER"


def get(name: str) -> Server:
    return SERVERS[name]


def choose(target: AppTarget, declares: Callable[[str], bool], requested: Optional[str],
           declared_in: str = "the app's dependencies", where: Optional[Origin] = None) -> Choice:
    """The server that runs `target`: the one PYBUILDPACK_SERVER (or the `server`
    setting, as `where` says) names (`requested`), else the first server of
    SERVERS the app's dependencies name that serves the target's interface,
    else DEFAULT for the interface."""
    interface = INTERFACE_NAMES[target.interface]
    where = where or Origin(CHOICE_VAR)
    if requested is not None and requested.strip():
        name = server_name(requested)
        if name is None:
            raise errors.ConfigVarInvalid(where, repr(requested), "one of " + ", ".join(f"`{s}`" for s in SERVERS))
        server = SERVERS[name]
        if target.interface not in server.interfaces:
            raise errors.ServerCannotServe(where, server.name, interface, target.origin,
                                           [s.name for s in SERVERS.values() if target.interface in s.interfaces])
        return Choice(server, str(where))
    for server in SERVERS.values():
        if target.interface in server.interfaces and server.declared_by(declares):
            return Choice(server, f"{declared_in} names it")
    return Choice(SERVERS[DEFAULT[target.interface]], f"the default {interface} server")


def server_name(requested: str) -> Optional[str]:
    """The server `requested` names, with the aliases its config var and setting
    accept (`mod-wsgi-express`, `pyuwsgi`, any case, `_` or `-`); None for no server we know."""
    name = requested.strip().lower().replace("_", "-")
    name = ALIASES.get(name, name)
    return name if name in SERVERS else None


_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def is_assignment(word: str) -> bool:
    """Whether a command's word is a shell `NAME=value` assignment."""
    return _ASSIGNMENT.match(word) is not None


def shell_words(words: Sequence[str]) -> str:
    """A command line from words, `$`-words double-quoted so the shell expands
    them. A leading `NAME=value` word stays an assignment: only its value is quoted.

        >>> print(shell_words(["PYBUILDPACK_APP=main:make()", "uvicorn", "--port", "$PORT"]))
        PYBUILDPACK_APP='main:make()' uvicorn --port "$PORT"
    """
    rendered, leading = [], True
    for word in words:
        match = _ASSIGNMENT.match(word) if leading else None
        leading = leading and match is not None
        if match:
            name, value = word[:match.end()], word[match.end():]
            rendered.append(name + (f'"{value}"' if "$" in value else shlex.quote(value) if value else ""))
        else:
            rendered.append(f'"{word}"' if "$" in word else shlex.quote(word))
    return " ".join(rendered)


def check_build_machine(processes: Mapping[str, Process], env: Mapping[str, str]) -> None:
    """Fail early, with what to install, when a server our processes run
    cannot be built or run on this machine (mod_wsgi-express without Apache)."""
    for process in processes.values():
        if process.server is not None:
            get(process.server).check_build_machine(env, process.origin)


def check_configs(processes: Mapping[str, Process], app_dir: Path, declares: Callable[[str], bool],
                  runtime_env: Mapping[str, str]) -> None:
    """Fail early when a process's server would stop at start for its own
    configuration (Server.check_config: uWSGI told to use a Python home that
    is not set where the app runs)."""
    for process in processes.values():
        server = of_process(process)
        if server is not None:
            words = list(process.argv) or split_command(process.command)[1]
            server.check_config(process, words, app_dir, declares, runtime_env)


def config_warnings(procfile: Mapping[str, Process], app_dir: Path, declares: Callable[[str], bool],
                    config: Mapping[str, str]) -> list:
    """Warnings about the servers the Procfile's commands run as they configure
    them (Server.config_warnings); the commands pybuildpack writes need none."""
    found = []
    for process in procfile.values():
        assignments, words = split_command(process.command)
        server = _running(words)
        if server is not None:
            found += server.config_warnings(process, words, app_dir, declares, {**config, **assignments})
    return found


def split_command(command: str) -> tuple:
    """({NAME: value} of the command line's leading assignments, its other
    words with a leading `exec` dropped); ({}, []) for a line the shell could not split."""
    try:
        words = shlex.split(command)
    except ValueError:
        return {}, []
    assignments = {}
    while words and (is_assignment(words[0]) or words[0] == "exec"):
        name, _, value = words.pop(0).partition("=")
        if name != "exec":
            assignments[name] = value
    return assignments, words


def running(command: str) -> Optional[Server]:
    """The server a Procfile command starts, when it is one we know."""
    return _running(split_command(command)[1])


def _running(words: Sequence[str]) -> Optional[Server]:
    return next((server for server in SERVERS.values() if server.runs(words)), None)


def of_process(process: Process) -> Optional[Server]:
    """The server a process runs: the one pybuildpack's own processes name, else
    the one a Procfile command starts (None: no server we know)."""
    return get(process.server) if process.server is not None else running(process.command)
