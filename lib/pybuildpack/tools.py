"""Running the tools a build needs (uv, pip-tools, the app's Python).

`run()` streams a command's output into the build log as detail lines (masked
like every log line) and keeps it, so a failure can show the end of it.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence

from .bootstrap import installer_cache
from .output import Log


@dataclass
class Result:
    returncode: int
    output: str


def run(
    argv: Sequence[str],
    log: Optional[Log],
    env: Optional[Mapping[str, str]] = None,
    cwd: Optional[Path] = None,
    show: bool = True,
    filter_line: Optional[Callable[[str], bool]] = None,
) -> Result:
    """Run `argv`, streaming its output (stdout and stderr merged) as detail
    lines when `show`; return its exit code and output. Never raises for a
    non-zero exit: the caller turns that into the right UserError."""
    running = start(argv, env, cwd)
    process = running.process
    if process is None:
        return running.wait()
    captured = []
    assert process.stdout is not None
    for line in process.stdout:
        captured.append(line)
        if show and log is not None and (filter_line is None or filter_line(line)):
            log.raw(line)
    process.wait()
    return Result(process.returncode, "".join(captured))


class Running:
    """A command started by `start`, running while the build does other work."""

    def __init__(self, process: Optional[subprocess.Popen], failed: Optional[Result] = None) -> None:
        self.process, self._result = process, failed   # process: None when it could not start

    def wait(self) -> Result:
        """Its exit code and output (stdout and stderr merged), once it ends."""
        if self._result is None:
            assert self.process is not None
            output, _ = self.process.communicate()
            self._result = Result(self.process.returncode, output)
        return self._result

    def stop(self) -> None:
        """Kill it, if still running (nothing outlives the build that started it)."""
        if self._result is None and self.process is not None:
            self.process.kill()
            self.wait()


def start(argv: Sequence[str], env: Optional[Mapping[str, str]] = None, cwd: Optional[Path] = None) -> Running:
    """`run` without a log, begun now and waited for later (Running.wait)."""
    try:
        process = subprocess.Popen(
            list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None, cwd=str(cwd) if cwd else None,
            text=True, errors="replace", bufsize=1,   # line-buffered: run() streams it line by line
        )
    except OSError as exc:
        return Running(None, Result(127, f"{argv[0]}: {exc.strerror or exc}"))
    return Running(process)


def command_text(argv: Sequence[str], app_dir: Optional[Path] = None) -> str:
    """A command as a user would type it, with long build paths shortened."""
    parts = []
    for arg in argv:
        text = str(arg)
        if app_dir is not None:
            text = text.replace(str(app_dir) + "/", "")
        parts.append(text)
    return shlex.join(parts)


UV_ANSWERS = "uv-answers.json"


def _uv_identity(uv: Path) -> Optional[str]:
    """The uv binary and the machine, as one string; None when uv is not found."""
    found = shutil.which(str(uv))
    if found is None:
        return None
    try:
        status = os.stat(found)
    except OSError:
        return None
    libc = os.confstr("CS_GNU_LIBC_VERSION") if "CS_GNU_LIBC_VERSION" in os.confstr_names else ""
    # Not the inode: a CNB cache layer comes back with new ones on every build.
    return " ".join(map(str, (os.path.realpath(found), status.st_size, status.st_mtime_ns, platform.machine(), libc)))


@dataclass
class Tools:
    """The build machine's tools: uv, and where the installers keep their caches."""

    uv: Path
    uv_cache: Path
    pip_cache: Path
    _uv_version: Optional[str] = field(default=None, repr=False, compare=False)

    @classmethod
    def from_environment(cls, cache_root: Path) -> "Tools":
        """Read what bin/support/bootstrap.sh set up. PYBUILDPACK_INSTALLER_CACHE_DIR
        (a build-machine variable) moves the installer caches outside CACHE_DIR,
        so several apps on one host can share downloads."""
        uv = os.environ.get("PYBUILDPACK_UV_BIN") or os.environ.get("PYBUILDPACK_UV") or "uv"
        downloads = installer_cache(cache_root)
        return cls(
            uv=Path(uv),
            uv_cache=downloads / "uv",
            pip_cache=downloads / "pip",
        )

    def uv_env(self, base: Mapping[str, str]) -> dict:
        env = dict(base)
        env["UV_CACHE_DIR"] = str(self.uv_cache)
        env.setdefault("UV_NO_PROGRESS", "1")
        # Trust the build machine's certificate store, where hosts and corporate
        # builders add their own CAs (uv otherwise ships its own roots).
        env.setdefault("UV_SYSTEM_CERTS", "1")
        env["UV_PYTHON_INSTALL_BIN"] = "0"
        env["UV_PYTHON_INSTALL_REGISTRY"] = "0"
        # A uv.toml or pyproject [tool.uv] in the app must not redirect our installs.
        env["UV_NO_CONFIG"] = "1"
        env.pop("VIRTUAL_ENV", None)
        return env

    def uv_version(self) -> str:
        """uv's version, asked once per uv binary (remembered)."""
        if self._uv_version is None:
            def ask() -> Optional[str]:
                result = run([str(self.uv), "--version"], None, show=False)
                words = result.output.split()
                return words[1] if result.returncode == 0 and len(words) > 1 else None

            self._uv_version = self.remembered("version", ask) or "unknown"
        return self._uv_version

    def remembered(self, question: str, ask: Callable[[], Any]) -> Any:
        """What ask() returned for `question` on an earlier build with this same
        uv binary on this machine, else ask(), kept when not None for the next.

        For what only the uv binary decides (its version; its built-in list of
        Python downloads): asking costs a process, about a tenth of a second of
        a no-change rebuild. The answers are kept beside the installer cache
        (`uv-answers.json`), under the binary's identity (path, size,
        modification time) and the machine's; another binary starts afresh."""
        path = self.uv_cache.parent / UV_ANSWERS
        identity = _uv_identity(self.uv)
        stored = None
        if identity is not None:
            from .cache import read_json_object

            stored = read_json_object(path)
        answers = stored.get("answers", {}) if stored and stored.get("uv") == identity else {}
        if question in answers:
            return answers[question]
        answer = ask()
        if answer is not None and identity is not None:
            from .cache import write_atomically

            try:
                write_atomically(path, json.dumps({"uv": identity, "answers": {**answers, question: answer}}))
            except OSError:   # a read-only or full cache: asked again next time
                pass
        return answer
