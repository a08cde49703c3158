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
from typing import Optional

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .. import errors
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
