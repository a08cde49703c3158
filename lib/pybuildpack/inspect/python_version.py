"""Which Python the app asks for, and where it asked.

Three sources: `.python-version` (`3.12` or `3.12.4`), `runtime.txt`
(`python-3.12.4`) and `requires-python` in pyproject.toml (a specifier). The
exact ones must agree with each other; the chosen version must satisfy
requires-python. Resolution against the download list happens in
`steps.runtime`, which uses `choose()` here.

    >>> choose(PythonRequest("3.12", "exact", ".python-version"), ["3.12.1", "3.12.4", "3.13.0"])
    '3.12.4'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from .. import errors
from .pyproject import read_pyproject

_EXACT = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?$")


@dataclass(frozen=True)
class PythonRequest:
    """A requested version: `value` is `3.12`/`3.12.4` (kind exact) or a
    specifier such as `>=3.10` (kind specifier). `origin` names the file."""

    value: str
    kind: str
    origin: str

    def matches(self, version: str) -> bool:
        if self.kind == "exact":
            return version == self.value or version.startswith(self.value + ".")
        return Version(version) in SpecifierSet(self.value)


def _exact(value: str, origin: str) -> PythonRequest:
    match = _EXACT.match(value)
    if not match:
        if value.lower().startswith(("pypy", "graalpy", "jython")):
            reason = "pybuildpack installs CPython only."
        elif value in ("system", "latest", "stable"):
            reason = f"{value!r} is not a version number."
        else:
            reason = "It is not of the form MAJOR.MINOR or MAJOR.MINOR.PATCH."
        raise errors.PythonVersionInvalid(origin, value, reason)
    if match.group(1) != "3":
        raise errors.PythonVersionInvalid(origin, value, "pybuildpack supports Python 3 only.")
    return PythonRequest(value, "exact", origin)


def read_python_version_file(app_dir: Path) -> Optional[PythonRequest]:
    path = app_dir / ".python-version"
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")   # a byte-order mark is not part of the version
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.FileUnreadable(".python-version", str(exc))
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.split("#", 1)[0].strip()
        if stripped:
            found.append((number, stripped))
    if not found:
        raise errors.PythonVersionInvalid(".python-version", "", "The file is empty.")
    if len(found) > 1:
        listed = ", ".join(f"{v!r} (line {n})" for n, v in found)
        raise errors.PythonVersionInvalid(
            ".python-version", found[0][1], f"It lists more than one version: {listed}. Keep one."
        )
    number, value = found[0]
    # pyenv and uv accept a "cpython-" or "python-" prefix; so do we.
    value = re.sub(r"^(c?python-?)", "", value)
    return _exact(value, f".python-version line {number}" if number > 1 else ".python-version")


def read_runtime_txt(app_dir: Path) -> Optional[PythonRequest]:
    path = app_dir / "runtime.txt"
    if not path.is_file():
        return None
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.FileUnreadable("runtime.txt", str(exc))
    # Blank lines, `#` comments and surrounding whitespace are not the version.
    text = next((kept for kept in (line.split("#", 1)[0].strip() for line in lines) if kept), "")
    if not text.startswith("python-"):
        raise errors.PythonVersionInvalid(
            "runtime.txt", text, "runtime.txt must read python-MAJOR.MINOR[.PATCH], e.g. python-3.12.4."
        )
    return _exact(text[len("python-"):], "runtime.txt")


def read_requires_python(app_dir: Path) -> Optional[PythonRequest]:
    data = read_pyproject(app_dir)
    if data is None:
        return None
    project = data.get("project")
    if not isinstance(project, dict) or "requires-python" not in project:
        return None
    value = project["requires-python"]
    origin = "requires-python in pyproject.toml"
    if not isinstance(value, str):
        raise errors.PythonVersionInvalid(origin, repr(value), "It must be a string such as \">=3.10\".")
    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        raise errors.PythonVersionInvalid(origin, value, "It is not a valid version specifier (PEP 440).")
    return PythonRequest(value, "specifier", origin)


@dataclass(frozen=True)
class PythonRequests:
    """Everything the app says about its Python: at most one exact request
    (the files agreed) and an optional requires-python constraint."""

    exact: Optional[PythonRequest]
    constraint: Optional[PythonRequest]
    runtime_txt_used: bool = False
    # The lock's packages with their wheels, and the lock's name: without an
    # exact request, the Python is one they have wheels for (inspect/lock_wheels.py).
    locked: tuple = ()
    lock_file: str = ""

    @property
    def primary(self) -> Optional[PythonRequest]:
        return self.exact or self.constraint


def _agree(a: str, b: str) -> bool:
    """Two exact requests agree when one is the other or a prefix of it (3.12 and 3.12.4)."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def requested_python(app_dir: Path, declared: Sequence[PythonRequest] = ()) -> PythonRequests:
    """Read all sources; raise PythonVersionConflict when exact ones disagree.

    `declared` are the requests of the package manager's own files (a lock's
    Python, for example), after .python-version and runtime.txt in precedence.
    Exact requests must all agree, and the most precise wins; specifiers
    (requires-python and any declared) must all hold."""
    from_file = read_python_version_file(app_dir)
    from_runtime = read_runtime_txt(app_dir)
    exacts = [r for r in (from_file, from_runtime) if r] + [r for r in declared if r.kind == "exact"]
    for index, first in enumerate(exacts):
        for second in exacts[index + 1:]:
            if not _agree(first.value, second.value):
                raise errors.PythonVersionConflict(first.origin, first.value, second.origin, second.value)
    # The more precise of agreeing requests wins; the earlier source on a tie.
    exact = max(exacts, key=lambda r: len(r.value), default=None)
    specifiers = [r for r in (read_requires_python(app_dir),) if r] + [r for r in declared if r.kind == "specifier"]
    constraint = None
    if len(specifiers) == 1:
        constraint = specifiers[0]
    elif specifiers:
        constraint = PythonRequest(",".join(r.value for r in specifiers), "specifier",
                                   " and ".join(r.origin for r in specifiers))
    return PythonRequests(exact, constraint, runtime_txt_used=from_runtime is not None)


def stable_versions(versions: Iterable[str]) -> list[str]:
    """Final CPython releases, newest first."""
    kept = []
    for raw in versions:
        try:
            version = Version(raw)
        except InvalidVersion:
            continue
        if not version.is_prerelease and not version.is_devrelease:
            kept.append(version)
    return [str(v) for v in sorted(set(kept), reverse=True)]


def choose(request: PythonRequests | PythonRequest | None, available: Sequence[str]) -> Optional[str]:
    """The newest available stable version satisfying every request, or None."""
    if isinstance(request, PythonRequest):
        request = PythonRequests(request if request.kind == "exact" else None,
                                 request if request.kind == "specifier" else None)
    for version in stable_versions(available):
        if request is None:
            return version
        if request.exact and not request.exact.matches(version):
            continue
        if request.constraint and not request.constraint.matches(version):
            continue
        return version
    return None
