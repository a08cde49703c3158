"""CPython interpreters already on this machine, for local builds.

Local builds install the same uv-managed CPython as production when they can.
When that download is unreachable (no network to python-build-standalone, and
no PYBUILDPACK_PYTHON_DOWNLOADS_JSON), the local platform falls back to a CPython
found here: pyenv's builds, uv's managed installs, then python3 and python3.X
on PATH. `uv python find` would be the obvious tool, but pyenv's shims make it
fail outright (each shim exits 127 for versions that are not active), so the
candidates are listed here and each is asked for its own version.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

from ..inspect.python_version import PythonRequest, PythonRequests, choose

_PROBE = ("import platform, sys; print(platform.python_implementation(), platform.python_version(), "
          "int(sys.prefix != getattr(sys, 'base_prefix', sys.prefix)))")
_VERSION_DIR = re.compile(r"^(?:cpython-)?3\.\d+\.\d+(?:-.*)?$")
_PATH_NAME = re.compile(r"^python3(?:\.\d+)?$")


@dataclass(frozen=True)
class Interpreter:
    version: str
    path: Path
    source: str  # "pyenv", "uv", "PATH"


def candidates(environ: Mapping[str, str]) -> list:
    """(executable, source) pairs, most specific installs first."""
    home = Path(environ.get("HOME") or Path.home())
    found = []
    pyenv_root = Path(environ.get("PYENV_ROOT") or home / ".pyenv")
    uv_dir = Path(environ.get("UV_PYTHON_INSTALL_DIR")
                  or Path(environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "uv" / "python")
    for root, source in ((pyenv_root / "versions", "pyenv"), (uv_dir, "uv")):
        if root.is_dir():
            for entry in sorted(root.iterdir()):
                if _VERSION_DIR.match(entry.name):
                    found.append((entry / "bin" / "python3", source))
    for directory in environ.get("PATH", "").split(os.pathsep):
        # pyenv's shims only forward to the active version; its builds are listed above.
        if not directory or Path(directory).name == "shims":
            continue
        try:
            names = sorted(p.name for p in Path(directory).iterdir() if _PATH_NAME.match(p.name))
        except OSError:
            continue
        found.extend((Path(directory) / name, "PATH") for name in names)
    return found


def probe(executable: Path, source: str) -> Optional[Interpreter]:
    """The interpreter at `executable`, when it is a CPython 3 that is not a virtualenv."""
    if not os.access(executable, os.X_OK):
        return None
    try:
        result = subprocess.run([str(executable), "-c", _PROBE], capture_output=True, text=True, timeout=15,
                                stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    parts = result.stdout.split()
    if result.returncode != 0 or len(parts) != 3 or parts[0] != "CPython" or parts[2] != "0":
        return None
    if not parts[1].startswith("3."):
        return None
    return Interpreter(parts[1], executable, source)


def find_interpreters(environ: Mapping[str, str]) -> list:
    """Every distinct CPython 3 on this machine, in `candidates` order."""
    seen, found = set(), []
    for executable, source in candidates(environ):
        real = os.path.realpath(executable)
        if real in seen:
            continue
        seen.add(real)
        interpreter = probe(executable, source)
        if interpreter is not None:
            found.append(interpreter)
    return found


def relaxed(requests: PythonRequests) -> PythonRequests:
    """The same request with an exact patch version widened to its minor version:
    locally, 3.12.1 stands in for a pinned 3.12.4 (the log says so)."""
    exact = requests.exact
    if exact is None or exact.value.count(".") < 2:
        return requests
    minor = exact.value.rsplit(".", 1)[0]
    return PythonRequests(PythonRequest(minor, "exact", exact.origin), requests.constraint, requests.runtime_txt_used)


def choose_interpreter(requests: PythonRequests, interpreters: Sequence[Interpreter]) -> Optional[Interpreter]:
    """The newest interpreter satisfying the request; failing that, the newest of
    the same minor version as an exact patch request."""
    for request in (requests, relaxed(requests)):
        version = choose(request, [i.version for i in interpreters])
        if version is not None:
            return next(i for i in interpreters if i.version == version)
    return None
