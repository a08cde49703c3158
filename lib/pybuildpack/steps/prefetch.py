"""Fetching the app's wheels while CPython is installed (issue 14, item 1).

On a cold build, installing CPython takes seconds in which nothing else ran.
A prefetch starts before it: `uv pip install --target <scratch>` of the app's
requirements for the chosen Python version and this machine's platform
(`--python-version X.Y.Z --python-platform x86_64-manylinux_2_NN`), wheels
only, into a scratch directory thrown away after. What stays is uv's cache,
holding the unpacked wheels, so the real install afterwards only resolves
(from cached index pages) and links.

The prefetch never decides anything: the real install runs as before, with
its own output and errors. Any failure of the prefetch (an sdist-only
package, an index it cannot reach, a bug here) is ignored, and it prints
nothing but its one line when it fetched something. Both write the same
cache, which uv locks for concurrent use; the install waits for the prefetch
(its remaining work is downloads the install would make itself), but no
longer than PREFETCH_WAIT seconds, after which the prefetch is stopped.

Each package manager says what to fetch (PackageManager.prefetch_request):
requirements.txt its files, poetry.lock and Pipfile.lock their converted
requirements without path dependencies, uv.lock its export (`--frozen`: the
`--locked` check needs an interpreter of the project's version), an app without
dependency files the added server. requirements.in is not prefetched:
pip-compile resolves it on the runtime.

PYBUILDPACK_NO_PREFETCH=1 turns it off (for benchmarks and diagnosis).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

DISABLE_VAR = "PYBUILDPACK_NO_PREFETCH"
# How long the install waits for a prefetch still running once the runtime is ready.
PREFETCH_WAIT = 60.0
# The manylinux tags this uv knows (`uv pip install --python-platform`): 2_17 to 2_40.
_OLDEST_GLIBC, _NEWEST_GLIBC = 17, 40
# A requirement line that builds code from a path (or an editable): never prefetched.
_LOCAL_LINE = re.compile(r"^\s*(-e|--editable)\b|^\s*(\.{1,2}(/|\[|\s|$)|/|file:)|\s@\s*file:")
_PREPARED = re.compile(r"^Prepared (\d+) packages?\b", re.M)
_RESOLVED = re.compile(r"^Resolved (\d+) packages?\b", re.M)


@dataclass(frozen=True)
class Request:
    """What a package manager asks to prefetch: requirement files (relative to
    the app, as the install reads them, or absolute) and extra `uv pip install`
    arguments."""

    files: tuple = ()
    args: tuple = ()


def why_not(installer: str, runtime_missing: bool, install_skipped: bool, local_lines: bool,
            environ: Mapping[str, str]) -> Optional[str]:
    """None when a prefetch helps this build; else why not (for tests and diagnosis)."""
    if (environ.get(DISABLE_VAR) or "").strip().lower() in ("1", "true", "yes", "on"):
        return f"{DISABLE_VAR} is set"
    if installer != "uv":
        return "the installer is pip"
    if not runtime_missing:
        return "the runtime is already in place"
    if install_skipped:
        return "the install is skipped"
    if local_lines:
        return "the requirements name local paths or editables"
    return None


def platform_tag(arch: str, glibc: Optional[tuple]) -> Optional[str]:
    """uv's `--python-platform` for the runtime on this machine: the manylinux
    tag of its glibc (python-build-standalone's CPython accepts every
    manylinux wheel up to it), capped at the newest uv knows.

        >>> platform_tag("x86_64", (2, 36))
        'x86_64-manylinux_2_36'
        >>> platform_tag("aarch64", (2, 41))
        'aarch64-manylinux_2_40'
        >>> platform_tag("x86_64", (2, 12)) is None
        True
    """
    if arch not in ("x86_64", "aarch64") or glibc is None or glibc[0] != 2 or glibc[1] < _OLDEST_GLIBC:
        return None
    return f"{arch}-manylinux_2_{min(glibc[1], _NEWEST_GLIBC)}"


def argv(uv: Path, python: str, target: Path, version: str, platform: str, request: Request,
         added_file: Optional[Path], index_flags: Sequence[str]) -> list:
    """The prefetch command: a wheels-only install into `target` (symlinks into
    the cache: cheap to make and to throw away) for `version` on `platform`.
    `python` is any interpreter uv can query (the one running the build): the
    version and platform flags decide what is resolved."""
    command = [str(uv), "pip", "install", "--target", str(target), "--python", python,
               "--python-version", version, "--python-platform", platform,
               "--only-binary", ":all:", "--link-mode", "symlink", "--no-compile"]
    for name in request.files:
        command += ["-r", str(name)]
    command += list(request.args)
    if added_file is not None:
        command += ["-r", str(added_file)]
    return command + list(index_flags)


def without_local(text: str) -> str:
    """A generated requirements file without the requirements that build code
    from a path (the app itself, path dependencies): those are built by the
    real install, for the real interpreter. Continuation lines (hashes) go
    with their requirement.

        >>> without_local("flask==3.0 \\\\\\n    --hash=sha256:ab\\n-e /app\\nlib @ file:///app/lib\\n")
        'flask==3.0 \\\\\\n    --hash=sha256:ab\\n'
    """
    kept, entry = [], []
    for line in text.splitlines(keepends=True):
        entry.append(line)
        if line.rstrip("\n").endswith("\\"):
            continue
        if not _LOCAL_LINE.search(entry[0]):
            kept += entry
        entry = []
    if entry and not _LOCAL_LINE.search(entry[0]):
        kept += entry
    return "".join(kept)


def counted(output: str) -> tuple:
    """(packages downloaded, packages resolved) from uv's summary lines."""
    prepared, resolved = _PREPARED.search(output), _RESOLVED.search(output)
    return (int(prepared.group(1)) if prepared else 0, int(resolved.group(1)) if resolved else 0)


def remove_later(path: Path) -> None:
    """Remove `path` in a process of its own that the build does not wait for.
    The scratch tree is a symlink per file of every wheel (thousands for
    Django): removing it takes seconds on a busy disk, which would be the build's
    seconds; the tree holds nothing and nothing reads it."""
    try:
        subprocess.Popen(["rm", "-rf", "--", str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)


@dataclass
class Prefetch:
    """One prefetch running in a thread. `prepare(scratch)` returns the command
    (or None: nothing to prefetch); it runs in the thread too, since it may run
    a tool itself. `failure` says why it did not complete, for diagnosis only."""

    prepare: Callable[[Path], Optional[list]]
    env: Mapping[str, str]
    cwd: Optional[Path] = None
    fetched: int = 0
    resolved: int = 0
    elapsed: float = 0.0
    failure: Optional[str] = None
    _process: Optional[subprocess.Popen] = field(default=None, repr=False)
    _stopped: bool = False
    _done: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: Optional[threading.Thread] = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self) -> "Prefetch":
        self._thread = threading.Thread(target=self._run, name="pybuildpack-prefetch", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        started = time.monotonic()
        scratch = Path(tempfile.mkdtemp(prefix="pybuildpack-prefetch-"))
        try:
            command = self.prepare(scratch)
            if command is None:
                self.failure = "nothing to prefetch"
                return
            with self._lock:
                if self._stopped:
                    self.failure = "stopped"
                    return
                self._process = subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    env=dict(self.env), cwd=str(self.cwd) if self.cwd else None, text=True, errors="replace")
            output, _ = self._process.communicate()
            if self._process.returncode != 0:
                self.failure = f"uv exited with {self._process.returncode}:\n{output}"
                return
            self.fetched, self.resolved = counted(output)
        except Exception as error:  # never the build's business: the real install reports its own
            self.failure = f"{type(error).__name__}: {error}"
        finally:
            self.elapsed = time.monotonic() - started
            remove_later(scratch)
            self._done.set()

    def finish(self, wait: float = PREFETCH_WAIT) -> bool:
        """Wait up to `wait` seconds for the prefetch, then stop it if still
        running; True when it completed. Stopping leaves uv's cache consistent
        (uv writes each entry aside and renames it into place)."""
        if not self._done.wait(wait):
            self.stop()
        return self._done.is_set() and self.failure is None

    def stop(self) -> None:
        """Kill the prefetch's uv (the build failed, or it ran too long)."""
        with self._lock:
            self._stopped = True
            if self._process is not None and self._process.poll() is None:
                self._process.kill()
        self._done.wait(10)
