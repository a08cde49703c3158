"""Installing the app's CPython with uv (python-build-standalone builds).

uv reads the download list (its own, or the one PYBUILDPACK_PYTHON_DOWNLOADS_JSON
names), verifies each archive's sha256 and unpacks it; we move the result to
where the platform wants the runtime. These builds are relocatable, so the
same tree works from the build directory and from /app.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping, Optional

from .. import disk, errors, progress
from ..inspect import lock_wheels
from ..inspect.python_version import PythonRequests, choose, stable_versions
from ..output import Log, format_duration
from ..tools import Tools, run

DOWNLOADS_VAR = "PYBUILDPACK_PYTHON_DOWNLOADS_JSON"
# uv, when its output is not a terminal: "Downloading cpython-3.12.1-linux-x86_64-gnu (download) (35.1MiB)".
_UV_DOWNLOADING = re.compile(r"^Downloading \S+ \(download\) \((?P<number>[\d.]+)(?P<unit>[KMG]?i?B)\)\s*$")


@dataclass(frozen=True)
class ChosenPython:
    version: str
    origin: str          # "from .python-version", "newest available (not pinned)", ...
    pinned: bool
    note: str = ""       # why newer versions the range allows were passed over


def machine_arch() -> str:
    arch = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)


def downloads_source(config: Mapping[str, str]) -> Optional[str]:
    """The download list to use: a config var wins over the build machine's env."""
    return config.get(DOWNLOADS_VAR) or os.environ.get(DOWNLOADS_VAR) or None


def runtime_env(tools: Tools, base: Mapping[str, str], source: Optional[str]) -> dict:
    env = tools.uv_env(base)
    env.pop("UV_PYTHON_DOWNLOADS_JSON_URL", None)
    if source:
        env["UV_PYTHON_DOWNLOADS_JSON_URL"] = source
    env["UV_PYTHON_DOWNLOADS"] = "automatic"
    return env


def available_versions(tools: Tools, env: Mapping[str, str], source: Optional[str]) -> list:
    """Stable CPython versions in the download list for this machine, newest first.
    uv's own list, or one in a local file, is read once per uv binary and file
    (Tools.remembered); a list at a URL, which may change, on every build."""
    def ask() -> list:
        result = run([str(tools.uv), "python", "list", "--only-downloads", "--all-versions",
                      "--output-format", "json"], None, env=env, show=False)
        if result.returncode != 0:
            raise errors.PythonDownloadsUnreadable(source or "uv's built-in list", result.output)
        try:
            entries = json.loads(result.output)
        except ValueError:
            raise errors.PythonDownloadsUnreadable(source or "uv's built-in list", result.output)
        arch = machine_arch()
        return [
            e["version"] for e in entries
            if e.get("implementation") == "cpython" and e.get("os") == "linux"
            and e.get("arch") == arch and e.get("libc", "gnu") == "gnu"
            and e.get("variant", "default") == "default"
        ]

    question = _downloads_question(source)
    versions = tools.remembered(question, ask) if question else ask()
    return stable_versions(versions)


def _downloads_question(source: Optional[str]) -> Optional[str]:
    """What names this download list's versions for Tools.remembered: uv's own
    list, or a local file with its size and modification time; None for a URL."""
    if source is None:
        return "python downloads"
    if "://" in source and not source.startswith("file://"):
        return None
    path = source[len("file://"):] if source.startswith("file://") else source
    try:
        status = os.stat(path)
    except OSError:
        return None   # uv says what is wrong with it
    return f"python downloads {os.path.realpath(path)} {status.st_size} {status.st_mtime_ns}"


def resolve_python(tools: Tools, base_env: Mapping[str, str], config: Mapping[str, str],
                   requests: PythonRequests) -> tuple:
    """(the ChosenPython, the download list's versions it was chosen from): the
    build and `pybuildpack explain` both choose with this."""
    source = downloads_source(config)
    available = available_versions(tools, runtime_env(tools, base_env, source), source)
    return choose_python(requests, available, source), available


def choose_python(requests: PythonRequests, available: list, source: Optional[str]) -> ChosenPython:
    listed = source or "uv's built-in list"
    if requests.primary is None:
        if not available:
            raise errors.PythonVersionUnavailable("The build", "3 (any)", available, listed)
        return _for_lock(requests, ChosenPython(available[0], "newest available, not pinned", pinned=False),
                         stable_versions(available))
    version = choose(requests, available)
    if version is not None:
        allowed = [v for v in stable_versions(available) if requests.constraint.matches(v)] \
            if requests.exact is None and requests.constraint else []
        return _for_lock(requests, ChosenPython(version, f"from {requests.primary.origin}", pinned=True), allowed)
    exact, constraint = requests.exact, requests.constraint
    if exact and constraint and choose(PythonRequests(exact, None), available):
        raise errors.PythonVersionConflict(exact.origin, exact.value, constraint.origin, constraint.value)
    request = exact or constraint
    shown = sorted({".".join(v.split(".")[:2]) for v in available}, key=lambda s: [int(x) for x in s.split(".")],
                   reverse=True)
    newest_per_minor = [choose(PythonRequests(None, None), [v for v in available if v.startswith(m + ".")])
                        for m in shown]
    raise errors.PythonVersionUnavailable(request.origin, request.value, newest_per_minor, listed)


def _for_lock(requests: PythonRequests, chosen: ChosenPython, allowed: list) -> ChosenPython:
    """`chosen`, the newest of `allowed`, unless the lock has no wheels for it
    that an older allowed version has (inspect/lock_wheels.py): then that one."""
    if requests.exact is not None or not requests.locked:
        return chosen
    choice = lock_wheels.choose_for_lock(allowed, requests.locked, machine_arch(), lock_wheels.glibc_version())
    if choice is None or choice.version == chosen.version:
        return chosen
    return replace(chosen, version=choice.version,
                   note=errors.python_passed_over(requests.lock_file, choice.passed_over))


def install_python(tools: Tools, env: Mapping[str, str], version: str, dest: Path, log: Log) -> None:
    """Install CPython `version` at `dest` (which must not exist)."""
    with tempfile.TemporaryDirectory(prefix="pybuildpack-python-", dir=dest.parent) as scratch:
        install_dir = Path(scratch) / "installs"
        child_env = dict(env)
        child_env["UV_PYTHON_INSTALL_DIR"] = str(install_dir)
        request = f"cpython-{version}-linux-{machine_arch()}-gnu"
        announced = DownloadSize()

        def render(done: int, elapsed: float) -> str:
            return errors.python_download_progress(version, announced.size, progress.format_bytes(done),
                                                   format_duration(elapsed))

        # Progress is what uv has unpacked so far (it streams the archive through
        # its unpacker): the install directory is this install's alone.
        with progress.watching(log, render, lambda: progress.tree_size(install_dir)):
            # Shown through `announced`, which prints nothing: uv's own lines stay in the result.
            result = run([str(tools.uv), "python", "install", "--no-bin", request], log, env=child_env,
                         filter_line=announced)
        if result.returncode != 0:
            if disk.path_in_output(result.output) is not None:
                # uv names the file inside its archive; the disk is the runtime's.
                raise disk.disk_full(str(install_dir), {"the build directory": dest.parent},
                                     "The build stopped before writing its environment to the build cache.")
            raise errors.PythonInstallFailed(version, result.output)
        candidates = [p for p in install_dir.glob(f"cpython-{version}-*") if p.is_dir() and not p.is_symlink()]
        if len(candidates) != 1:
            raise errors.InternalError(f"uv installed Python {version}, but its directory was not found.",
                                       result.output)
        # The runtime belongs to the app: let installers write into it.
        for marker in candidates[0].glob("lib/python*/EXTERNALLY-MANAGED"):
            marker.unlink()
        shutil.move(str(candidates[0]), str(dest))


class DownloadSize:
    """A line filter that keeps the size uv announces for the CPython download
    (`35.1 MiB`) and hides every line: uv's install chatter is not for the log."""

    def __init__(self) -> None:
        self.size: Optional[str] = None

    def __call__(self, line: str) -> bool:
        match = _UV_DOWNLOADING.match(line.strip())
        if match:
            self.size = f"{match.group('number')} {match.group('unit')}"
        return False


def runtime_python(prefix: Path) -> Path:
    return prefix / "bin" / "python3"


def runtime_version(prefix: Path) -> Optional[str]:
    """The X.Y.Z of the CPython at `prefix`, read without running it."""
    for lib in sorted(prefix.glob("lib/python3.*")):
        patchlevel = prefix / "include" / lib.name / "patchlevel.h"
        if patchlevel.is_file():
            for line in patchlevel.read_text(errors="replace").splitlines():
                if line.startswith("#define PY_VERSION "):
                    return line.split('"')[1].split("+")[0]
    return None
