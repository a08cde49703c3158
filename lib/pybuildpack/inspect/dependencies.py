"""Which packages a requirements file names, and the mistakes in it no installer explains well.

The names are read leniently (a line we cannot parse is skipped): they only
decide whether pybuildpack must add a server; the installer itself reads the
file with its full syntax. What would reach the installer only to fail
obscurely, or hang it, is an error naming the file and line first: an
unreadable or non-UTF-8 file, an absurdly long line, a control character, a
missing `-r`/`-c` file, a local path that is not a project.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .. import errors
from ..app_root import repository_top
from .files import MAX_LINE, not_a_regular_file, read_app_text

_EGG = re.compile(r"#egg=([A-Za-z0-9_.\-]+)")
# Tabs are whitespace; other control characters mean a binary or UTF-16 file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# `.`, `./lib`, `-e .`: a local directory installed as a project (extras allowed).
_LOCAL_PROJECT = re.compile(r"^(?:(?:-e|--editable)[\s=]+)?(\.{1,2}(?:/[^\s\[;#]*)?)(?:\[[^\]]*\])?\s*$")
_INCLUDE = re.compile(r"^(--requirement|--constraint|-r|-c)(?:[\s=]+|(?=[^\s=]))(\S.*)$")


def requirement_names(path: Path, base: Path, seen: Optional[set] = None) -> set[str]:
    """Canonical names in a requirements file, following -r includes. Constraint
    files (-c) are not followed: a name there is not a requirement. A file that
    cannot be read, an include or constraint file that is missing or not a
    regular file, and an absurdly long line are UserErrors naming the file and
    line, raised before any installer sees them."""
    seen = seen if seen is not None else set()
    resolved = path.resolve()
    if resolved in seen:
        return set()
    seen.add(resolved)
    name = str(path.relative_to(base)) if path.is_relative_to(base) else str(path)
    text = read_app_text(path, name)
    names: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if len(raw) > MAX_LINE:
            raise errors.RequirementsLineTooLong(name, number, len(raw), MAX_LINE)
        control = _CONTROL.search(raw)
        if control:
            raise errors.RequirementsControlCharacter(name, number, control.start() + 1, ord(control.group()))
    for number, raw in _logical_lines(text):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = re.sub(r"\s+#.*$", "", line)
        include = _INCLUDE.match(line)
        if include:
            option, target = include.group(1), include.group(2).strip()
            if "://" in target or "${" in target:
                continue  # pip reads a requirements file from a URL too, and expands ${VARS}
            included = path.parent / target
            _check_inside_app(included, target, base, name, number, line)
            why = not_a_regular_file(included) if os.path.lexists(included) else "there is no such file"
            if why:
                raise errors.RequirementsIncludeMissing(name, number, option, target, why)
            if option in ("-r", "--requirement"):
                names |= requirement_names(included, base, seen)
            else:
                read_app_text(included, str(included.relative_to(base)) if included.is_relative_to(base)
                              else str(included))
            continue
        if not line.startswith("-") and " @ " in line:
            try:
                names.add(canonicalize_name(Requirement(line).name))
                continue
            except InvalidRequirement:
                pass
        local = _LOCAL_PROJECT.match(line)
        if local:
            target = path.parent / local.group(1)
            if target.is_dir() and not any((target / f).is_file() for f in ("pyproject.toml", "setup.py")):
                shown = local.group(1) if local.group(1) not in (".", "./") else "the app's directory"
                raise errors.RequirementsLocalPathNotAProject(name, number, line, shown)
        if line.startswith(("-e", "--editable")) or "://" in line or line.startswith("git+"):
            egg = _EGG.search(line)
            if egg:
                names.add(canonicalize_name(egg.group(1)))
            continue
        if line.startswith("-"):
            continue
        # Drop pip's per-requirement options (--hash=...).
        line = re.split(r"\s--", line, maxsplit=1)[0]
        try:
            names.add(canonicalize_name(Requirement(line).name))
        except InvalidRequirement:
            continue
    return names


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, line) with backslash continuations joined, as pip reads them."""
    joined, current, start = [], "", 1
    for number, line in enumerate(text.splitlines(), start=1):
        if not current:
            start = number
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        joined.append((start, current + line))
        current = ""
    if current:
        joined.append((start, current))
    return joined


# pip and uv expand `${NAME}` (upper-case letters, digits, underscores) in requirements files.
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)\}")
_PATH_OPTION = re.compile(r"^(?:-e|--editable|-r|--requirement|-c|--constraint)[\s=]+(\S+)")


def check_paths_and_variables(path: Path, app_dir: Path, defined: Callable[[str], bool],
                              seen: Optional[set] = None) -> None:
    """Fail, naming the file and line, on what the installer would only report
    as a missing distribution: a `${NAME}` no config var sets, or a local path
    (an editable, an include, a `file:` URL) outside the app, which the build
    and the running app do not have. Follows -r and -c includes."""
    seen = seen if seen is not None else set()
    resolved = path.resolve()
    if resolved in seen or not path.is_file():
        return
    seen.add(resolved)
    shown = str(path.relative_to(app_dir)) if path.is_relative_to(app_dir) else str(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    for number, line in _logical_lines(text):
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if not line:
            continue
        for name in _VARIABLE.findall(line):
            if not defined(name):
                raise errors.SourceVariableUnset(f"{shown} line {number}", line, name)
        if _VARIABLE.search(line):
            continue   # where it points is only known once expanded
        local = _local_path(line)
        if local is None:
            continue
        target = _check_inside_app(path.parent / local, local, app_dir, shown, number, line)
        if line.startswith(("-r", "--requirement", "-c", "--constraint")):
            check_paths_and_variables(target, app_dir, defined, seen)


def _check_inside_app(path: Path, written: str, app_dir: Path, file: str, number: int, line: str) -> Path:
    """`path` (as `written` on `file`'s line `number`) resolved, or a
    PathDependencyOutsideApp: the build, and the dyno, have only the app's
    repository (app_root.repository_top)."""
    target = path.resolve()   # an absolute `written` stays itself under `/`
    if not target.is_relative_to(repository_top(app_dir)):
        # Where it points as the user wrote it: the build directory's own path means nothing to them.
        where = str(target) if written.startswith("/") else os.path.relpath(target, app_dir.resolve())
        raise errors.PathDependencyOutsideApp(file, number, line, where)
    return target


def _local_path(line: str) -> Optional[str]:
    """The local path a requirements line points at, if it names one."""
    option = _PATH_OPTION.match(line)
    value = option.group(1) if option else line.split(" @ ", 1)[1].strip() if " @ " in line else line
    value = value.split(";", 1)[0].split("#", 1)[0].strip()
    if value.startswith("file://"):
        return value[len("file://"):]
    if value.startswith("file:"):
        return value[len("file:"):]
    if value.startswith(("./", "../", "/", ".")) and not value.startswith("-"):
        return value
    if option and "://" not in value and not value.startswith("git+"):
        return value   # -e dir, -r file: relative to the requirements file
    return None


_INDEX_OPTIONS = {"-i": "PIP_INDEX_URL", "--index-url": "PIP_INDEX_URL", "--extra-index-url": "PIP_EXTRA_INDEX_URL",
                  "-f": "PIP_FIND_LINKS", "--find-links": "PIP_FIND_LINKS", "--trusted-host": "PIP_TRUSTED_HOST"}


def index_environment(paths: Sequence[Path], env: Mapping[str, str], seen: Optional[set] = None) -> dict:
    """The index options requirements files set (following -r), as the PIP_*
    variables pip reads, with `${NAME}` expanded from `env` as pip expands it
    in a file. For pip-sync, which installs a lock written without them."""
    seen = seen if seen is not None else set()
    found: dict = {}
    for path in paths:
        resolved = path.resolve()
        if resolved in seen or not path.is_file():
            continue
        seen.add(resolved)
        for _, line in _logical_lines(path.read_text(encoding="utf-8", errors="replace")):
            words = re.sub(r"(^|\s)#.*$", "", line).replace("=", " ", 1).split()
            if not words:
                continue
            if words[0] in ("-r", "--requirement") and len(words) > 1:
                for name, value in index_environment([path.parent / words[1]], env, seen).items():
                    add_pip_option(found, name, value)
            elif words[0] == "--no-index":
                found["PIP_NO_INDEX"] = "1"
            elif words[0] in _INDEX_OPTIONS and len(words) > 1:
                value = _VARIABLE.sub(lambda match: env.get(match.group(1), match.group(0)), words[1])
                add_pip_option(found, _INDEX_OPTIONS[words[0]], value)
    return found


def add_pip_option(found: dict, name: str, value: str) -> None:
    """Set PIP_* variable `name` in `found` as pip would combine it: the index
    URL (and --no-index) replaced, the list-valued ones appended to."""
    if name == "PIP_INDEX_URL" or name == "PIP_NO_INDEX":
        found[name] = value
    else:   # the list-valued ones: pip reads them space-separated
        found[name] = f"{found[name]} {value}" if found.get(name) else value
