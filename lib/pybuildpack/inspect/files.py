"""What is in the app directory: whether it is a Python app (bin/detect),
whether its source holds a Python environment of its own, and reading the
app's own files with an error naming the file, never a traceback or a hang;
standard library only."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Optional

# Any one of these at the top of the app makes it ours.
DETECT_FILES = (
    "requirements.txt",
    "requirements.in",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    "pylock.toml",
    ".python-version",
    "runtime.txt",
    "manage.py",
    "app.py",
    "app.sh",
    "wsgi.py",
    "main.py",
)


def is_buildpack(app_dir: Path) -> bool:
    """A buildpack's own source, such as pybuildpack's checkout with its
    pyproject.toml, is not an app: it has bin/detect, bin/compile and a
    buildpack.toml at its top. bin/detect and bin/compile alone do not make
    one: an app may carry its own (Heroku's inline-buildpack pattern) and is
    still a Python app when it has Python files."""
    return all((app_dir / name).is_file() for name in ("bin/detect", "bin/compile", "buildpack.toml"))


def detected_by(app_dir: Path) -> list[str]:
    """The detect files present in `app_dir`, in DETECT_FILES order (none for a buildpack)."""
    if is_buildpack(app_dir):
        return []
    return python_files(app_dir)


def python_files(app_dir: Path) -> list[str]:
    """The detect files present in `app_dir` as regular files (or links to one)."""
    found = [name for name in DETECT_FILES if (app_dir / name).is_file()]
    # PEP 751 named locks (pylock.<name>.toml) count as pylock.toml does.
    try:
        found += sorted(p.name for p in app_dir.glob("pylock.*.toml") if p.is_file() and p.name.count(".") == 2)
    except OSError:
        pass
    return found


def not_files(app_dir: Path) -> list[str]:
    """Detect file names present in `app_dir` that are not files: a directory,
    or a symlink to nothing. They do not make an app ours, and bin/detect says why."""
    found = []
    for name in DETECT_FILES:
        path = app_dir / name
        if path.is_dir():
            found.append(f"{name} is a directory")
        elif path.is_symlink() and not path.exists():
            found.append(f"{name} is a symlink to a missing file")
    return found


def listing(app_dir: Path, limit: int = 20) -> list[str]:
    """The top-level names in `app_dir` (directories end in /), for messages."""
    try:
        entries = sorted(app_dir.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
    names = [p.name + ("/" if p.is_dir() else "") for p in entries if p.name != ".git"]
    if len(names) > limit:
        names = names[:limit] + [f"... and {len(names) - limit} more"]
    return names


def detect_failure(app_dir: Path) -> str:
    """What bin/detect prints when `app_dir` is not ours (Heroku and CNB alike)."""
    from .. import errors

    if is_buildpack(app_dir):
        return errors.buildpack_source_not_app(python_files(app_dir))
    return errors.detect_failed(DETECT_FILES, listing(app_dir), not_files(app_dir))


# Directories no app's own environment is looked for in: pybuildpack's local
# build directory (its own, ignored by git), version control, and JavaScript's packages.
_NOT_SEARCHED = frozenset({".git", ".pybuildpack", "node_modules"})


def committed_environments(app_dir: Path, owned_dirs: tuple = ()) -> list[tuple]:
    """Python environments in the app's source, as (path, owned) pairs: the
    directories of `owned_dirs` the platform installs into when anything is
    there (a file counts too), then every virtualenv (a directory with a
    pyvenv.cfg) at the top of the app or one level down, such as .venv/ or
    backend/venv/."""
    found = [(owned, True) for owned in owned_dirs if os.path.lexists(app_dir / owned)]
    try:
        tops = sorted(p for p in app_dir.iterdir() if p.name not in _NOT_SEARCHED and p.is_dir()
                      and not p.is_symlink())
    except OSError:
        return found
    for top in tops:
        candidates = [top]
        try:
            candidates += sorted(p for p in top.iterdir() if p.name not in _NOT_SEARCHED and p.is_dir()
                                 and not p.is_symlink())
        except OSError:
            pass
        for candidate in candidates:
            relative = candidate.relative_to(app_dir).as_posix()
            if (candidate / "pyvenv.cfg").is_file() and not any(relative == o or relative.startswith(o + "/")
                                                                for o in owned_dirs):
                found.append((relative, False))
    return found


# --- reading the app's own files (dependency, lock and version files) ------------------

# A line longer than this in a requirements file is not a requirement (a URL
# with a long hash is about 300 characters): refused before any installer sees it.
MAX_LINE = 8192


def read_app_text(path: Path, name: str, encoding: str = "utf-8") -> str:
    """The text of an app file the build must read, or a UserError naming it as
    `name`: a FIFO or device is refused before opening (reading one would block
    the build forever), a symlink loop or an OSError (permission denied) says
    what the system said, and bytes that are not UTF-8 are located by line and
    column. Never a traceback, never a hang."""
    from .. import errors

    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise errors.AppFileUnreadable(name, _os_reason(exc, path)) from None
    if not stat.S_ISREG(mode):
        raise errors.AppFileUnreadable(name, _kind(mode) + ", not a regular file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise errors.AppFileUnreadable(name, _os_reason(exc, path)) from None
    if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise errors.AppFileNotUtf8(name, line, column, data[exc.start:exc.start + 1].hex()) from None


def _os_reason(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ELOOP:
        return "it is a symlink loop"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied (the build runs as a user that cannot read it)"
    if exc.errno == errno.ENOENT and path.is_symlink():
        return f"it is a symlink to {os.readlink(path)}, which does not exist"
    return (exc.strerror or str(exc)).lower()


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "it is a directory"
    if stat.S_ISFIFO(mode):
        return "it is a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "it is a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device"
    return "it is a special file"


def not_a_regular_file(path: Path) -> Optional[str]:
    """Why `path`, which exists as a directory entry, is not a readable regular
    file (a directory, a FIFO, a dangling link or a symlink loop); None when it
    is one or does not exist at all."""
    if not os.path.lexists(path):
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return _os_reason(exc, path)
    return None if stat.S_ISREG(mode) else _kind(mode)
