"""Restart a process when the app's code changes (`pybuildpack start --reload`).

Used for servers without a reloader of their own (gunicorn has one, and gets
`--reload` instead). Polling the modification times of the app's Python files,
`.env` and `Procfile` twice a second needs no extra package and works on every
filesystem; an app has few enough files for that to cost nothing. Files the
app writes while running (SQLite databases, logs, collected static files) are
not watched, so they cannot cause a restart loop.

    >>> changed({"app.py": (1, 10)}, {"app.py": (2, 10)})
    ['app.py']
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable, Mapping, Optional

from . import errors
from .output import Log

WATCHED_NAMES = frozenset({".env", "Procfile"})
WATCHED_SUFFIXES = (".py",)
SKIPPED_DIRS = frozenset({".git", ".hg", ".pybuildpack", ".heroku", "__pycache__", "node_modules", ".venv", "venv",
                          "staticfiles", ".mypy_cache", ".pytest_cache", ".tox", ".ruff_cache"})
INTERVAL = 0.5
STOP_TIMEOUT = 10.0


def snapshot(app_dir: Path) -> dict:
    """relative path -> (mtime_ns, size) of every watched file under `app_dir`."""
    found = {}
    for directory, dirs, files in os.walk(app_dir):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")]
        for name in files:
            if name in WATCHED_NAMES or name.endswith(WATCHED_SUFFIXES):
                path = os.path.join(directory, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue  # removed while we looked
                found[os.path.relpath(path, app_dir)] = (stat.st_mtime_ns, stat.st_size)
    return found


def changed(before: Mapping[str, tuple], after: Mapping[str, tuple]) -> list:
    """The files added, removed or modified between two snapshots, sorted."""
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


def stop(process: subprocess.Popen, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM the process's group (a shell and its server), SIGKILL after `timeout`."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()


def supervise(spawn: Callable[[], subprocess.Popen], app_dir: Path, log: Log,
              interval: float = INTERVAL) -> int:
    """Run `spawn()`'s process, restarting it whenever a watched file changes,
    until SIGINT or SIGTERM; return the exit status to exit with. `spawn` starts
    the process in a session of its own, so a restart stops all of it. A
    mistake found on a restart (a bad .env line) is shown, and the next change
    tries again."""
    stopping: list = []

    def on_signal(signum: int, _frame: object) -> None:
        stopping.append(signum)

    previous_handlers = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    process: Optional[subprocess.Popen] = None
    try:
        before = snapshot(app_dir)
        process = spawn()
        reported_exit = False
        while not stopping:
            time.sleep(interval)
            after = snapshot(app_dir)
            names = changed(before, after)
            before = after
            if names:
                shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
                log.step(f"Restarting: {shown} changed")
                if process is not None:
                    stop(process)
                try:
                    process, reported_exit = spawn(), False
                except errors.UserError as error:
                    error.render(log)
                    process = None
            elif process is not None and process.poll() is not None and not reported_exit:
                log.step(f"The process exited with status {process.returncode}; "
                         "it restarts when a file changes (Ctrl-C to quit)")
                reported_exit = True
        if process is None:
            return 128 + stopping[0]
        stop(process)
        code = process.returncode
        if code in (0, -signal.SIGTERM):
            return 0  # stopped cleanly, as asked
        return 128 - code if code < 0 else code
    finally:
        if process is not None:
            stop(process)
        for sig, handler in previous_handlers.items():
            signal.signal(sig, handler)
