"""Set up pybuildpack's own tool environment, then run the CLI inside it.

    python3 bin/support/entry.py --bootstrap CACHE_ROOT COMMAND [ARGS...]

Standard library only: it runs on whatever python3 the build machine has. The
tool environment is a virtualenv built by uv from lib/pybuildpack/locks/tools.txt
(hash-pinned), cached under CACHE_ROOT/tools/<key>, where the key covers the
lock, the Python and uv. A second build finds it and touches no network.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .bytecode import BYTECODE_DIR_VAR, source_key

LIB_DIR = Path(__file__).resolve().parents[1]
LOCK = LIB_DIR / "pybuildpack" / "locks" / "tools.txt"


def tool_env_key(uv: str) -> str:
    digest = hashlib.sha256(LOCK.read_bytes())
    digest.update(sys.version.encode())
    digest.update(os.path.realpath(sys.executable).encode())
    digest.update(uv.encode())
    return digest.hexdigest()[:16]


def progress_printer():
    """print() to where bin/support/bootstrap.sh sends bootstrap output
    (PYBUILDPACK_BOOTSTRAP_FD: stdout for the build log, stderr for the local command)."""
    stream = sys.stderr if os.environ.get("PYBUILDPACK_BOOTSTRAP_FD") == "2" else sys.stdout
    return lambda text: print(text, file=stream, flush=True)


def installer_cache(cache_root: Path) -> Path:
    """Where uv and pip keep downloads (the tools' here, the app's packages in
    Tools): PYBUILDPACK_INSTALLER_CACHE_DIR, a build-machine variable that
    shares them between the apps of a host, else CACHE_ROOT/installer-cache."""
    shared = os.environ.get("PYBUILDPACK_INSTALLER_CACHE_DIR")
    return Path(shared) if shared else cache_root / "installer-cache"


def ensure_tool_env(cache_root: Path, uv: str) -> Path:
    tools = cache_root / "tools"
    target = tools / tool_env_key(uv)
    if (target / ".complete").is_file():
        os.utime(target / ".complete")  # marks it used, for pruning
        return target
    tools.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    say = progress_printer()
    say("-----> Preparing pybuildpack's tools")
    temporary = tools / f"{target.name}.tmp-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    env = dict(os.environ, UV_CACHE_DIR=str(installer_cache(cache_root) / "uv"), UV_NO_CONFIG="1",
               UV_NO_PROGRESS="1", UV_PYTHON_DOWNLOADS="never")
    env.setdefault("UV_SYSTEM_CERTS", "1")
    env.pop("VIRTUAL_ENV", None)
    commands = [
        [uv, "venv", "--quiet", "--relocatable", "--python", sys.executable, str(temporary)],
        [uv, "pip", "install", "--quiet", "--python", str(temporary / "bin" / "python"),
         "--require-hashes", "-r", str(LOCK)],
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
    (temporary / ".complete").write_text("")
    if target.exists():
        shutil.rmtree(target)
    os.rename(temporary, target)
    prune(tools, keep=target)
    say(f"       Done ({time.monotonic() - started:.1f}s)")
    return target


def _disk_full(output: str, cache_root: Path) -> str:
    """The DiskFull block when the tools' install ran out of space, else ""."""
    import io

    from .disk import disk_full, path_in_output
    from .output import Log

    path = path_in_output(output)
    if path is None:
        return ""
    stream = io.StringIO()
    disk_full(path, {"the build cache": cache_root}, "pybuildpack's own tools could not be set up there.") \
        .render(Log(stream))
    return stream.getvalue().rstrip("\n")


STALE_AFTER = 30 * 24 * 3600


def prune(tools: Path, keep: Path) -> None:
    """Remove tool environments (or kept bytecode directories) unused for 30
    days (an older lock, a Python no longer on the machine, an older checkout
    of pybuildpack) and leftovers of interrupted builds. Recently used ones
    stay: one machine may run pybuildpack under several Pythons."""
    now = time.time()
    for entry in tools.iterdir():
        if entry == keep:
            continue
        # A .tmp- directory may belong to a build running right now (a local cache
        # is shared): only an hour-old one is abandoned.
        marker = entry if ".tmp-" in entry.name else entry / ".complete"
        limit = 3600 if ".tmp-" in entry.name else STALE_AFTER
        try:
            stale = now - marker.stat().st_mtime > limit
        except OSError:
            stale = True
        if stale:
            shutil.rmtree(entry, ignore_errors=True)


def bytecode_dir(env_dir: Path) -> Path:
    """Where pybuildpack's compiled modules are kept for this checkout of it
    (bytecode.py), in the tool environment; others unused for 30 days go."""
    kept = env_dir / "bytecode"
    target = kept / source_key()
    try:
        target.mkdir(parents=True, exist_ok=True)
        (target / ".complete").touch()   # marks it used, as prune reads it
    except OSError:   # a read-only cache: the modules are compiled on each build, as before
        return target
    prune(kept, keep=target)
    return target


def main() -> None:
    if len(sys.argv) < 3:
        raise SystemExit("usage: python3 bin/support/entry.py --bootstrap CACHE_ROOT COMMAND [ARGS...]")
    cache_root = Path(sys.argv[1])
    uv = os.environ.get("PYBUILDPACK_UV_BIN", "uv")
    env_dir = ensure_tool_env(cache_root, uv)
    python = env_dir / "bin" / "python"
    environ = dict(os.environ)
    environ.pop("PYTHONHOME", None)
    environ.pop("PYTHONPATH", None)
    environ[BYTECODE_DIR_VAR] = str(bytecode_dir(env_dir))
    entry = LIB_DIR.parent / "bin" / "support" / "entry.py"
    os.execve(str(python), [str(python), str(entry), *sys.argv[2:]], environ)


if __name__ == "__main__":
    main()
