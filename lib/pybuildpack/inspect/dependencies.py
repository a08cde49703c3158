"""Which packages a requirements file names.

The names are read leniently (a line we cannot parse is skipped): they only
decide whether pybuildpack must add a server; the installer itself reads the
file with its full syntax.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .. import errors

_EGG = re.compile(r"#egg=([A-Za-z0-9_.\-]+)")


def requirement_names(path: Path, base: Path, seen: Optional[set] = None) -> set[str]:
    """Canonical names in a requirements file, following -r includes. Constraint
    files (-c) are not followed: a name there is not a requirement."""
    seen = seen if seen is not None else set()
    resolved = path.resolve()
    if resolved in seen or not path.is_file():
        return set()
    seen.add(resolved)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.FileUnreadable(str(path.relative_to(base)) if path.is_relative_to(base) else str(path), str(exc))
    names: set[str] = set()
    for raw in _logical_lines(text):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = re.sub(r"\s+#.*$", "", line)
        if line.startswith(("-r", "--requirement")):
            target = re.sub(r"^(--requirement|-r)[\s=]*", "", line)
            names |= requirement_names(path.parent / target.strip(), base, seen)
            continue
        if not line.startswith("-") and " @ " in line:
            try:
                names.add(canonicalize_name(Requirement(line).name))
                continue
            except InvalidRequirement:
                pass
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


def _logical_lines(text: str) -> list[str]:
    """Lines with backslash continuations joined, as pip reads them."""
    joined, current = [], ""
    for line in text.splitlines():
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        joined.append(current + line)
        current = ""
    if current:
        joined.append(current)
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
    for number, line in _numbered_logical_lines(text):
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
        target = (path.parent / local).resolve() if not local.startswith("/") else Path(local).resolve()
        if not target.is_relative_to(app_dir.resolve()):
            # Where it points as the user wrote it: the build directory's own path means nothing to them.
            where = str(target) if local.startswith("/") else os.path.relpath(target, app_dir.resolve())
            raise errors.PathDependencyOutsideApp(shown, number, line, where)
        if line.startswith(("-r", "--requirement", "-c", "--constraint")):
            check_paths_and_variables(target, app_dir, defined, seen)


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


def _numbered_logical_lines(text: str) -> list:
    """(first line number, logical line) pairs, continuations joined as pip does."""
    joined, current, start = [], "", None
    for number, line in enumerate(text.splitlines(), 1):
        start = start or number
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        joined.append((start, current + line))
        current, start = "", None
    if current:
        joined.append((start, current))
    return joined


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
        for _, line in _numbered_logical_lines(path.read_text(encoding="utf-8", errors="replace")):
            words = re.sub(r"(^|\s)#.*$", "", line).replace("=", " ", 1).split()
            if not words:
                continue
            if words[0] in ("-r", "--requirement") and len(words) > 1:
                for name, value in index_environment([path.parent / words[1]], env, seen).items():
                    _add_option(found, name, value)
            elif words[0] == "--no-index":
                found["PIP_NO_INDEX"] = "1"
            elif words[0] in _INDEX_OPTIONS and len(words) > 1:
                value = _VARIABLE.sub(lambda match: env.get(match.group(1), match.group(0)), words[1])
                _add_option(found, _INDEX_OPTIONS[words[0]], value)
    return found


def _add_option(found: dict, name: str, value: str) -> None:
    if name == "PIP_INDEX_URL" or name == "PIP_NO_INDEX":
        found[name] = value
    else:   # the list-valued ones: pip reads them space-separated
        found[name] = f"{found[name]} {value}" if found.get(name) else value
