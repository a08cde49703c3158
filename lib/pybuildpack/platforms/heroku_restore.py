"""The first work of a Heroku build: copying the cached environment into the
build directory, begun by the bootstrap before pybuildpack's tools start.

The copy (link_tree.py, in a process of its own) is on the critical path of
every rebuild: a no-change rebuild is little more than the copy and the
interpreters' start. Begun by the bootstrap, on the machine's python3, it
starts about 40 ms sooner than the tool environment's Python could start it.
The copy process stays a child across the bootstrap's exec, so the build
(`Heroku.start_restore`) adopts it by its pid and waits for it, or kills it,
like a copy of its own. Whether the copy is used is decided later, as for any
restore: it is thrown away when the entry's key does not match.

Standard library only (os, sys) and no pathlib: the bootstrap imports it.
"""

from __future__ import annotations

import os
import sys

PYTHON_DIR = ".heroku/python"
CACHE_ENV = "env"              # CACHE_DIR/pybuildpack/env: the environment and its key
# The pid of the copy the bootstrap began, for the build to adopt.
PID_VAR = "PYBUILDPACK_RESTORE_PID"
COMMANDS = ("heroku-compile", "heroku-test-compile")


def copy_paths(build_dir: str, cache_root: str, pid: int) -> "tuple[str, str] | None":
    """(cached environment, where its copy goes) when there is an entry to copy
    and no bin/pre_compile hook (the hook must see the app as it was given);
    else None. `pid` is the build's process, whose name the copy carries."""
    source = os.path.join(cache_root, CACHE_ENV)
    if not os.path.isdir(source) or os.path.exists(os.path.join(build_dir, "bin", "pre_compile")):
        return None
    return source, copy_destination(build_dir, pid)


def copy_destination(build_dir: str, pid: int) -> str:
    """Beside where the environment goes, under the build's process's name."""
    return os.path.join(build_dir, os.path.dirname(PYTHON_DIR), f".python-restore-{pid}")


def begin(command: str, args: list, environ: dict) -> "tuple[int, tuple[str, str]] | None":
    """For a Heroku compile (`args`: BUILD_DIR CACHE_DIR [ENV_DIR]), start the
    copy on this Python and name its pid in `environ`; return the pid and the
    copy's (source, destination)."""
    if command not in COMMANDS or len(args) < 2:
        return None
    from ..link_tree import SCRIPT

    paths = copy_paths(args[0], os.path.join(args[1], "pybuildpack"), os.getpid())
    if paths is None:
        return None
    try:
        os.makedirs(os.path.dirname(paths[1]), exist_ok=True)
        devnull = os.open(os.devnull, os.O_RDWR)
        try:
            pid = os.posix_spawn(sys.executable, [sys.executable, "-I", "-S", SCRIPT, *paths], dict(os.environ),
                                 file_actions=[(os.POSIX_SPAWN_DUP2, devnull, fd) for fd in (0, 1, 2)])
        finally:
            os.close(devnull)
    except OSError:   # the build starts the copy itself, or copies when it restores
        return None
    environ[PID_VAR] = str(pid)
    return pid, paths


def abandon(begun: "tuple[int, tuple[str, str]] | None") -> None:
    """Stop the copy and remove what it made, when the bootstrap fails: no
    build will adopt it. (A slow path: the build's own cancel does it.)"""
    if begun is None:
        return
    from pathlib import Path

    from ..cache import BackgroundCopy

    pid, (source, destination) = begun
    BackgroundCopy(Path(source), Path(destination), pid=pid).cancel()
