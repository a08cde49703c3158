"""Whether a directory is a Python app (bin/detect), and reading the app's own
files with an error naming the file, never a traceback or a hang; standard
library only."""

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
    """A buildpack's own source (bin/detect and bin/compile at its top), such as
    pybuildpack's checkout with its pyproject.toml, is not an app."""
    return (app_dir / "bin" / "detect").is_file() and (app_dir / "bin" / "compile").is_file()


def detected_by(app_dir: Path) -> list[str]:
    """The detect files present in `app_dir`, in DETECT_FILES order (none for a buildpack)."""
    if is_buildpack(app_dir):
        return []
    found = [name for name in DETECT_FILES if (app_dir / name).is_file()]
    # PEP 751 named locks (pylock.<name>.toml) count as pylock.toml does.
    try:
        found += sorted(p.name for p in app_dir.glob("pylock.*.toml") if p.is_file() and p.name.count(".") == 2)
    except OSError:
        pass
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
