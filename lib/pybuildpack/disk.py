"""A full disk (ENOSPC) anywhere in the build, turned into an error naming the directory.

Python raises OSError(errno 28) (shutil.copytree gathers them into a
shutil.Error whose text holds `[Errno 28]`), and uv and pip print
"No space left on device" with the path they were writing. Either way the
user learns which directory ran out, on which filesystem, and how much is free.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path
from typing import Mapping, Optional

from . import errors

_NO_SPACE = "No space left on device"
# A path in an installer's or shutil's message: quoted with ` or ', or bare.
_PATH = re.compile(r"[`'\"](/[^`'\"]+)[`'\"]|(?<![\w/])(/[\w.@+-]+(?:/[\w.@+ -]*[\w.@+-])*)")


def enospc_path(exc: BaseException) -> Optional[str]:
    """The path a write ran out of space on, when `exc` is (or holds) an ENOSPC; "" when unknown."""
    if isinstance(exc, shutil.Error):
        text = str(exc)
        if f"[Errno {errno.ENOSPC}]" not in text and _NO_SPACE not in text:
            return None
        for entry in (exc.args[0] if exc.args and isinstance(exc.args[0], list) else []):
            if isinstance(entry, tuple) and len(entry) == 3 and (_NO_SPACE in str(entry[2])
                                                                  or f"Errno {errno.ENOSPC}" in str(entry[2])):
                return str(entry[1])
        return path_in_output(text) or ""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return str(exc.filename2 or exc.filename or "")
    return None


def path_in_output(output: str) -> Optional[str]:
    """The path on the first line of a tool's output that says "No space left on
    device" (or the line before it); None when no line says so, "" when no path is given.
    Of two paths (uv's "failed to copy file from SOURCE to TARGET"), the last:
    the one written, which may be on another disk than a shared installer cache.

        >>> path_in_output("failed to copy file from /cache/uv/a.py to /app/lib/.tmp1: No space left on device")
        '/app/lib/.tmp1'
    """
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if _NO_SPACE in line:
            for candidate in (line, lines[index - 1] if index else ""):
                matches = list(_PATH.finditer(candidate))
                if matches:
                    return matches[-1].group(1) or matches[-1].group(2)
            return ""
    return None


def mount_point(path: Path) -> Path:
    current = path
    while not current.exists() and current != current.parent:
        current = current.parent
    current = Path(os.path.realpath(current))
    while not os.path.ismount(current) and current != current.parent:
        current = current.parent
    return current


def _size(count: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if count < 1024 or unit == "TB":
            return f"{count} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count} bytes"  # pragma: no cover


def disk_full(path: str, places: Mapping[str, Optional[Path]], cache_note: str = "") -> errors.DiskFull:
    """The DiskFull error for a write to `path` ("" when unknown); `places` maps a
    description (\"the build directory\") to its directory, the first holding `path` names it."""
    target = Path(path) if path else None
    description, directory = "the build", ""
    for name, place in places.items():
        if place is None:
            continue
        if target is None or target == Path(place) or str(target).startswith(str(place).rstrip(os.sep) + os.sep):
            description, directory = name, str(place)
            break
    probe = target if target is not None else Path(directory or "/")
    mount = mount_point(probe)
    try:
        # Its size, not what is free now: the tool that failed has cleaned up since.
        size = "a " + _size(shutil.disk_usage(mount).total)
    except OSError:
        size = "a"
    return errors.DiskFull(path or "(the tool did not say which file)", description, directory, str(mount), size,
                           cache_note)
