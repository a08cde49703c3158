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
already started, which a home does not change. A Procfile's compiled uWSGI
with a master process and nothing that makes SIGTERM stop it is warned about:
uWSGI 2.0's master answers SIGTERM by reloading.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Mapping, NamedTuple, Optional, Sequence

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
        for setting in read_options(words, app_dir, process.origin):
            if setting.option not in HOME_OPTIONS:
                continue
            names = {name for match in _VARIABLE.finditer(setting.value) for name in match.groups() if name}
            if VIRTUAL_ENV in names and VIRTUAL_ENV not in runtime_env:
                raise errors.UwsgiHomeUnset(setting.where, setting.written, process.name,
                                            in_file=setting.where != process.origin)

    def config_warnings(self, process: Process, words: Sequence[str], app_dir: Path,
                        declares: Callable[[str], bool], env: Mapping[str, str]) -> list:
        if not declares("uwsgi"):
            return []   # pyuwsgi exits on SIGTERM
        options = read_options(words, app_dir, process.origin)
        # uWSGI also reads an option from UWSGI_<NAME> in its environment.
        from_env = {name[6:].lower().replace("_", "-"): value for name, value in env.items()
                    if name.startswith("UWSGI_")}

        def last(name: str) -> Optional[Setting]:
            given = [setting for setting in options if setting.option == name]
            if name in from_env:
                given.append(Setting("", name, "", from_env[name]))
            return given[-1] if given else None

        def on(name: str) -> bool:
            setting = last(name)
            return setting is not None and setting.value.strip().lower() in ("", "1", "true", "yes", "on")

        graceful = any(s.option == "hook-master-start" and "unix_signal:15" in s.value.replace(" ", "")
                       for s in options)
        master = last("master")
        if not on("master") or on("die-on-term") or graceful:
            return []
        return [errors.uwsgi_reloads_on_sigterm(process.name, master.where or process.origin,
                                                in_file=master.where not in ("", process.origin))]


class Setting(NamedTuple):
    where: str       # "Procfile line 2" (the command line), "etc/uwsgi.ini line 9"
    option: str      # its long name: "home", "master"
    written: str     # as written: "--home /x", "virtualenv = $(VIRTUAL_ENV)"
    value: str       # "" for a flag given without one


# Command-line options that take no value (uWSGI's -M is --master, -H is --home).
_FLAGS = {"master", "die-on-term", "enable-threads", "lazy-apps", "lazy", "vacuum", "need-app",
          "single-interpreter", "thunder-lock", "strict", "no-orphans", "honour-stdin"}
_SHORT = {"M": "master", "H": "home"}


def read_options(words: Sequence[str], app_dir: Path, origin: str) -> list:
    """The options a uWSGI command sets: on its command line (where: `origin`,
    the command's), then in the [uwsgi] section (or the one named by
    `FILE.ini:SECTION`) of each ini file it names (`--ini FILE`, or a lone
    `FILE.ini`), outside `if-*` blocks, whose effect depends on the machine."""
    found, files, cwd = [], [], app_dir
    words, index = list(words), 1
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else ""
        index += 1
        if not word.startswith("-"):
            if word.endswith(".ini") and not word.startswith("paste:"):
                files.append(word)
            continue
        name, equals, value = word.lstrip("-").partition("=")
        name = _SHORT.get(name, name) if not word.startswith("--") else name
        if not equals and name not in _FLAGS and following and not following.startswith("-") \
                and not (following.endswith(".ini") and name not in ("ini", "ini-paste")):
            value, index = following, index + 1
        if word == "--chdir" and "pybuildpack_launch.wsgi_uwsgi" in words[:index]:
            cwd = app_dir / value   # the runner's own --chdir: the --ini after it is relative to it
        elif name in ("ini", "ini-paste"):
            files.append(value)
        else:
            found.append(Setting(origin, name, word if equals or not value else f"{word} {value}", value))
    for name in files:
        # FILE.ini:SECTION reads that section instead of [uwsgi].
        name, section = name.rsplit(":", 1) if ".ini:" in name else (name, "uwsgi")
        found += _ini_options(cwd / name, section, app_dir)
    return found


def _ini_options(path: Path, wanted: str, app_dir: Path) -> list:
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
            depth += 1     # a conditional setting (if-env = VIRTUAL_ENV) is the app's own decision
        elif key == "endif":
            depth = max(0, depth - 1)
        elif depth == 0:
            found.append(Setting(f"{shown} line {number}", key, f"{key} = {value}", value))
    return found
