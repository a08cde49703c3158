"""uWSGI: a C WSGI server with a master process and forked workers.

The build adds `pyuwsgi` (uWSGI built as Python wheels: no C compiler, no
Python headers, seconds to install) unless the app declares `uwsgi` (compiled
from source at install) or `pyuwsgi` itself; both provide the `uwsgi`
command. The web process is `python -m pybuildpack_launch.wsgi_uwsgi SPEC`
(launch/wsgi_uwsgi.py): uWSGI on 0.0.0.0:$PORT, WEB_CONCURRENCY workers of
4 threads, Django's static files with `--static-map`, a graceful stop on
SIGTERM, and the app's own `uwsgi.ini` last (`--ini`), so it wins.

The build reads the Python home a uWSGI command sets (`-H`, `home`,
`virtualenv`, ...: on its command line and in the ini files it names): the
compiled `uwsgi` embeds Python and starts it with that home, so a home of
`$(VIRTUAL_ENV)` where no virtualenv is active (Heroku, S2I: the packages are
in the runtime's own Python) stops it at boot. pyuwsgi runs inside a Python
already started, which a home does not change.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Mapping, Sequence

from .. import errors
from ..inspect.processes import AppTarget, Process
from ..pins import Pin
from .base import Server, runner

CONFIG_FILE = "uwsgi.ini"
# uWSGI's names for its Python home (PYTHONHOME of the Python it embeds).
HOME_OPTIONS = ("home", "virtualenv", "venv", "pyhome")
# An environment variable in a value: uWSGI's $(NAME) in its config, the shell's $NAME on a command line.
_VARIABLE = re.compile(r"\$(?:\((\w+)\)|\{(\w+)\}|(\w+))")
# Where no virtualenv is active, this is not set (tests/integration/test_virtual_env.py).
VIRTUAL_ENV = "VIRTUAL_ENV"


class UWSGI(Server):
    name = "uwsgi"
    interfaces = ("wsgi",)
    # pyuwsgi has manylinux wheels for CPython 3.8 to 3.14 (x86_64, aarch64).
    pins = (Pin("2.0.30.post1", ""),)
    packages = ("uwsgi", "pyuwsgi")
    package = "pyuwsgi"
    executables = ("uwsgi", "pyuwsgi", "pybuildpack_launch.wsgi_uwsgi")

    django_static = "uWSGI's --static-map"

    def command(self, target: AppTarget, app_dir: Path) -> tuple:
        words = runner("wsgi_uwsgi", target)
        if (app_dir / CONFIG_FILE).is_file():
            # The runner runs uWSGI in the target's directory.
            words += ["--ini", os.path.relpath(CONFIG_FILE, target.chdir or ".")]
        return tuple(words)

    def check_config(self, process: Process, words: Sequence[str], app_dir: Path,
                     declares: Callable[[str], bool], runtime_env: Mapping[str, str]) -> None:
        if not declares("uwsgi"):
            return   # pyuwsgi (declared, or added by the build): the home changes nothing
        for where, setting, value in home_settings(words, app_dir, process.origin):
            names = {name for match in _VARIABLE.finditer(value) for name in match.groups() if name}
            if VIRTUAL_ENV in names and VIRTUAL_ENV not in runtime_env:
                raise errors.UwsgiHomeUnset(where, setting, process.name, in_file=where != process.origin)


def home_settings(words: Sequence[str], app_dir: Path, origin: str) -> list:
    """(where, setting as written, value) of each Python home a uWSGI command
    sets: on its command line (where: `origin`, the command's), or in the
    [uwsgi] section (or the one named by `FILE.ini:SECTION`) of an ini file
    it names (`--ini FILE`, or a lone `FILE.ini`), outside `if-*` blocks
    (where: "etc/uwsgi.ini line 9")."""
    found, files, cwd = [], [], app_dir
    words, index = list(words), 1
    while index < len(words):
        word = words[index]
        option, equals, inline = word.lstrip("-").partition("=")
        value = inline if equals else (words[index + 1] if index + 1 < len(words) else "")
        taken = 1 if equals or not word.startswith("-") else 2
        if word == "--chdir" and "pybuildpack_launch.wsgi_uwsgi" in words[:index]:
            cwd = app_dir / value   # the runner's own --chdir: the --ini after it is relative to it
        elif word.startswith("-") and (option in HOME_OPTIONS or word == "-H"):
            found.append((origin, word if equals else f"{word} {value}", value))
        elif option in ("ini", "ini-paste") and word.startswith("--"):
            files.append(value)
        elif word.startswith("-"):
            taken = 1   # another option: its value, if any, is not a file uWSGI reads as an ini
        elif word.endswith(".ini") and not word.startswith("paste:"):
            files.append(word)
        index += taken
    for name in files:
        # FILE.ini:SECTION reads that section instead of [uwsgi].
        name, section = name.rsplit(":", 1) if ".ini:" in name else (name, "uwsgi")
        found += _ini_homes(cwd / name, section, app_dir)
    return found


def _ini_homes(path: Path, wanted: str, app_dir: Path) -> list:
    try:
        if not path.is_file():   # not there at build time (or a FIFO, which would block): nothing to read
            return []
        text = path.read_text(encoding="utf-8", errors="replace")
        shown = os.path.relpath(path, app_dir)
    except (OSError, ValueError):
        return []
    found, section, depth = [], "", 0
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section, depth = stripped[1:-1].strip(), 0
            continue
        key, equals, value = (part.strip() for part in stripped.partition("="))
        if section != wanted or not equals:
            continue
        if key.startswith("if-"):
            depth += 1     # a conditional home (if-env = VIRTUAL_ENV) is the app's own decision
        elif key == "endif":
            depth = max(0, depth - 1)
        elif key in HOME_OPTIONS and depth == 0:
            found.append((f"{shown} line {number}", f"{key} = {value}", value))
    return found
