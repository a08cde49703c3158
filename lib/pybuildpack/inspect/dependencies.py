"""Which packages a requirements file names.

The names are read leniently (a line we cannot parse is skipped): they only
decide whether pybuildpack must add a server; the installer itself reads the
file with its full syntax.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

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
