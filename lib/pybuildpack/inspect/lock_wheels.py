"""Which Python versions a lock has wheels for, so a Python range picks one it can install.

A lock made when Python 3.12 was the newest names, for a compiled package, the
wheels of that time (`httptools-0.6.1-cp312-…`). Built for Python 3.13, the
newest `requires-python = ">=3.12"` allows, that package has no wheel and is
compiled from source, which fails or takes minutes. When the app gives a range
rather than a version, the build takes the newest Python in it for which every
package of the lock that ships wheels has one that installs here (this machine's
architecture and glibc); with none, the newest of those with the fewest
packages missing. An exact version (.python-version, runtime.txt) is never
second-guessed.

Locks that name their files do this: uv.lock (`wheels`) and poetry.lock
(`files`). Packages shipping only an sdist are built from source on any Python
and are left out; so are pure-Python wheels (`py3-none-any`), which fit every one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from packaging.tags import compatible_tags, cpython_tags
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

# manylinux1 and manylinux2010/2014: the glibc versions their legacy names stand for.
_LEGACY = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


@dataclass(frozen=True)
class LockedPackage:
    """A package of the lock at one version, with the wheel file names it lists."""

    name: str
    version: str
    wheels: tuple


def wheel_name(url_or_name: str) -> str:
    """The file name at the end of a lock's wheel URL (or the name itself).

        >>> wheel_name("https://files.example/packages/ab/httptools-0.6.1-cp312-cp312-win_amd64.whl#sha256=1")
        'httptools-0.6.1-cp312-cp312-win_amd64.whl'
    """
    return url_or_name.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def platforms(arch: str, glibc: tuple) -> list:
    """The platform tags a CPython built for glibc `glibc` on `arch` installs, best first."""
    tags = [f"manylinux_{glibc[0]}_{minor}_{arch}" for minor in range(glibc[1], 4, -1)]
    tags += [f"{legacy}_{arch}" for legacy, version in _LEGACY.items() if version <= glibc]
    return tags + [f"linux_{arch}"]


def supported_tags(minor: str, arch: str, glibc: tuple) -> frozenset:
    """Every wheel tag CPython `minor` (`3.13`) installs on this platform."""
    version = tuple(int(part) for part in minor.split(".")[:2])
    plats = platforms(arch, glibc)
    return frozenset(cpython_tags(version, platforms=plats)) | frozenset(
        compatible_tags(version, f"cp{version[0]}{version[1]}", plats))


def _tags(filename: str) -> frozenset:
    try:
        return frozenset(parse_wheel_filename(filename)[3])
    except InvalidWheelFilename:
        return frozenset()


def missing_wheels(packages: Iterable[LockedPackage], minor: str, arch: str, glibc: tuple) -> list:
    """`name version` of each package that lists wheels but none for CPython
    `minor` here; a package locked at several versions (the lock forks by
    Python version) is missing only when none of them has one."""
    supported = supported_tags(minor, arch, glibc)
    fits: dict = {}
    labels: dict = {}
    for package in packages:
        tag_sets = [_tags(wheel) for wheel in package.wheels]
        if not any(tag_sets):
            continue   # sdist only: built from source on every Python
        fits[package.name] = fits.get(package.name, False) or any(tags & supported for tags in tag_sets)
        labels.setdefault(package.name, []).append(f"{package.name} {package.version}")
    return sorted(label for name, ok in fits.items() if not ok for label in labels[name])


@dataclass(frozen=True)
class LockChoice:
    """The version picked among the candidates, and the newer minors passed over
    with the packages that had no wheels for them."""

    version: str
    passed_over: tuple   # ((minor, [`name version`, ...]), ...)


def choose_for_lock(candidates: Sequence[str], packages: Sequence[LockedPackage], arch: str,
                    glibc: Optional[tuple]) -> Optional[LockChoice]:
    """Among `candidates` (versions the app's range allows, newest first), the
    newest of the minor with the fewest locked packages lacking a wheel; None
    when nothing tells them apart (no wheels to check, an unknown libc)."""
    if not packages or glibc is None or not candidates:
        return None
    newest_per_minor: dict = {}
    for version in candidates:
        newest_per_minor.setdefault(".".join(version.split(".")[:2]), version)
    missing = [(minor, missing_wheels(packages, minor, arch, glibc)) for minor in newest_per_minor]
    fewest = min(len(names) for _, names in missing)
    # The first with the fewest is the newest; the minors before it are the newer ones passed over.
    index = next(i for i, (_, names) in enumerate(missing) if len(names) == fewest)
    return LockChoice(newest_per_minor[missing[index][0]], tuple(missing[:index]))


def glibc_version() -> Optional[tuple]:
    """(2, 36) for this machine's glibc; None on a musl or unknown libc."""
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError, AttributeError):
        return None
    match = re.match(r"glibc (\d+)\.(\d+)", text)
    return (int(match.group(1)), int(match.group(2))) if match else None
