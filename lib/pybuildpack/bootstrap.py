"""Set up pybuildpack's own tool environment, then run the CLI inside it.

    python3 bin/support/entry.py --bootstrap CACHE_ROOT COMMAND [ARGS...]

Standard library only: it runs on whatever python3 the build machine has. The
tool environment is a virtualenv built by uv from lib/pybuildpack/locks/tools.txt
(hash-pinned), cached under CACHE_ROOT/tools/<key>, where the key covers the
lock, the Python and uv. A second build finds it and touches no network.

Every build runs this before its own Python starts, so the way to a tool
environment already made imports only os, sys and hashlib: pathlib, shutil and
subprocess, typing (about 40 ms together) are imported where the slow paths need them.
"""

from __future__ import annotations

import hashlib
import os
import sys

from .bytecode import BYTECODE_DIR_VAR, source_key
from .platforms import heroku_restore

TYPE_CHECKING = False   # as typing's, which takes 15 ms to import; type checkers read it as True
if TYPE_CHECKING:
    from pathlib import Path

LIB_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
LOCK = os.path.join(LIB_DIR, "pybuildpack", "locks", "tools.txt")


def tool_env_key(uv: str) -> str:
    with open(LOCK, "rb") as lock:
        digest = hashlib.sha256(lock.read())
    digest.update(sys.version.encode())
    digest.update(os.path.realpath(sys.executable).encode())
    digest.update(uv.encode())
    return digest.hexdigest()[:16]


def progress_printer():
    """print() to where bin/support/bootstrap.sh sends bootstrap output
    (PYBUILDPACK_BOOTSTRAP_FD: stdout for the build log, stderr for the local command)."""
    stream = sys.stderr if os.environ.get("PYBUILDPACK_BOOTSTRAP_FD") == "2" else sys.stdout
    return lambda text: print(text, file=stream, flush=True)


def installer_cache(cache_root: str | Path) -> Path:
    """Where uv and pip keep downloads (the tools' here, the app's packages in
    Tools): PYBUILDPACK_INSTALLER_CACHE_DIR, a build-machine variable that
    shares them between the apps of a host, else CACHE_ROOT/installer-cache."""
    from pathlib import Path

    cache_root = Path(cache_root)
    shared = os.environ.get("PYBUILDPACK_INSTALLER_CACHE_DIR")
    return Path(shared) if shared else cache_root / "installer-cache"


def ensure_tool_env(cache_root: str, uv: str) -> str:
    """The tool environment's directory, made first when it is missing."""
    tools = os.path.join(cache_root, "tools")
    target = os.path.join(tools, tool_env_key(uv))
    complete = os.path.join(target, ".complete")
    if os.path.isfile(complete):
        os.utime(complete)  # marks it used, for pruning
        return target
    return _make_tool_env(tools, target, cache_root, uv)


def _make_tool_env(tools: str, target: str, cache_root: str, uv: str) -> str:
    import shutil
    import subprocess
    import time

    os.makedirs(tools, exist_ok=True)
    started = time.monotonic()
    say = progress_printer()
    say("-----> Preparing pybuildpack's tools")
    temporary = f"{target}.tmp-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    env = dict(os.environ, UV_CACHE_DIR=str(installer_cache(cache_root) / "uv"), UV_NO_CONFIG="1",
               UV_NO_PROGRESS="1", UV_PYTHON_DOWNLOADS="never")
    env.setdefault("UV_SYSTEM_CERTS", "1")
    env.pop("VIRTUAL_ENV", None)
    commands = [
        [uv, "venv", "--quiet", "--relocatable", "--python", sys.executable, temporary],
        [uv, "pip", "install", "--quiet", "--python", os.path.join(temporary, "bin", "python"),
         "--require-hashes", "-r", LOCK],
    ]
    for command in commands:
        result = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            shutil.rmtree(temporary, ignore_errors=True)
            full = _disk_full(result.stdout, cache_root)
            if full:
                say(full)
                raise SystemExit(1)
            say("\n !     Error: Internal error in pybuildpack\n !")
            for line in ("Could not set up pybuildpack's own tools:\n" + result.stdout).splitlines():
                say(" !     " + line)
            say(" !\n !     This is a problem on the build machine or its network, not in your app.\n"
                " !     Retrying the build may help.\n")
            raise SystemExit(1)
    with open(os.path.join(temporary, ".complete"), "w"):
        pass
    if os.path.exists(target):
        shutil.rmtree(target)
    os.rename(temporary, target)
    prune(tools, keep=target)
    say(f"       Done ({time.monotonic() - started:.1f}s)")
    return target


def _disk_full(output: str, cache_root: str) -> str:
    """The DiskFull block when the tools' install ran out of space, else ""."""
    import io
    from pathlib import Path

    from .disk import disk_full, path_in_output
    from .output import Log

    path = path_in_output(output)
    if path is None:
        return ""
    stream = io.StringIO()
    disk_full(path, {"the build cache": Path(cache_root)}, "pybuildpack's own tools could not be set up there.") \
        .render(Log(stream))
    return stream.getvalue().rstrip("\n")


STALE_AFTER = 30 * 24 * 3600


def prune(tools: str | Path, keep: str | Path) -> None:
    """Remove tool environments (or kept bytecode directories) unused for 30
    days (an older lock, a Python no longer on the machine, an older checkout
    of pybuildpack) and leftovers of interrupted builds. Recently used ones
    stay: one machine may run pybuildpack under several Pythons."""
    import time

    now = time.time()
    for entry in os.scandir(tools):
        if entry.path == os.fspath(keep):
            continue
        # A .tmp- directory may belong to a build running right now (a local cache
        # is shared): only an hour-old one is abandoned.
        marker = entry.path if ".tmp-" in entry.name else os.path.join(entry.path, ".complete")
        limit = 3600 if ".tmp-" in entry.name else STALE_AFTER
        try:
            stale = now - os.stat(marker).st_mtime > limit
        except OSError:
            stale = True
        if stale:
            import shutil

            shutil.rmtree(entry.path, ignore_errors=True)


def bytecode_dir(env_dir: str | Path) -> str:
    """Where pybuildpack's compiled modules are kept for this checkout of it
    (bytecode.py), in the tool environment; others unused for 30 days go."""
    kept = os.path.join(env_dir, "bytecode")
    target = os.path.join(kept, source_key())
    try:
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, ".complete"), "a"):   # marks it used, as prune reads it
            pass
        os.utime(os.path.join(target, ".complete"))
    except OSError:   # a read-only cache: the modules are compiled on each build, as before
        return target
    prune(kept, keep=target)
    return target


def main() -> None:
    if len(sys.argv) < 3:
        raise SystemExit("usage: python3 bin/support/entry.py --bootstrap CACHE_ROOT COMMAND [ARGS...]")
    cache_root = sys.argv[1]
    uv = os.environ.get("PYBUILDPACK_UV_BIN", "uv")
    environ = dict(os.environ)
    environ.pop("PYTHONHOME", None)
    environ.pop("PYTHONPATH", None)
    # First of all, a rebuild's copy of its cached environment: it runs while
    # the rest starts (platforms/heroku_restore.py).
    copying = heroku_restore.begin(sys.argv[2], sys.argv[3:], environ)
    try:
        env_dir = ensure_tool_env(cache_root, uv)
        python = os.path.join(env_dir, "bin", "python")
        environ[BYTECODE_DIR_VAR] = bytecode_dir(env_dir)
        entry = os.path.join(os.path.dirname(LIB_DIR), "bin", "support", "entry.py")
        os.execve(python, [python, entry, *sys.argv[2:]], environ)
    except BaseException:
        heroku_restore.abandon(copying)
        raise


if __name__ == "__main__":
    main()
