"""Making an installed environment work from any directory.

Installers write absolute paths: script shebangs and .pth lines. The build
directory is not where the app runs (Heroku builds in /tmp/build_* and runs
in /app), so scripts get a shebang that finds their Python next to
themselves, and .pth lines become relative to site-packages.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_TRAMPOLINE = (
    "#!/bin/sh\n"
    "'''exec' \"$(dirname -- \"$(realpath -- \"$0\")\")\"/'{python}' \"$0\" \"$@\"\n"
    "' '''\n"
)
_PYTHON_NAME = re.compile(r"/(python[0-9.]*)[\"']?\s*(?:\"\$0\".*)?$")


def _replace_atomically(path: Path, content: bytes) -> None:
    # Write-then-rename: the file may be a hardlink into an installer's cache,
    # which must never change under it.
    mode = path.stat().st_mode
    temporary = path.with_name(path.name + ".pybuildpack-tmp")
    temporary.write_bytes(content)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def relocate_scripts(bin_dir: Path, build_root: Path) -> int:
    """Rewrite scripts in `bin_dir` whose interpreter lives under `build_root`."""
    count = 0
    root = str(build_root)
    for script in sorted(bin_dir.iterdir()) if bin_dir.is_dir() else []:
        if script.is_symlink() or not script.is_file():
            continue
        try:
            with script.open("rb") as handle:
                head = handle.read(2048)
        except OSError:
            continue
        if not head.startswith(b"#!"):
            continue
        lines = head.split(b"\n")
        first = lines[0].decode("utf-8", "replace")
        interpreter_line, skip = None, 1
        if first.startswith("#!" + root + "/"):
            interpreter_line = first[2:]
        elif first.strip() == "#!/bin/sh" and len(lines) > 2 and lines[1].startswith(b"'''exec'") \
                and (root + "/").encode() in lines[1] and lines[2].startswith(b"' '''"):
            interpreter_line, skip = lines[1].decode("utf-8", "replace"), 3
        if interpreter_line is None:
            continue
        match = _PYTHON_NAME.search(interpreter_line.split(" ")[0].strip("'\"")) or _PYTHON_NAME.search(interpreter_line)
        python = match.group(1) if match else "python3"
        body = script.read_bytes().split(b"\n", skip)[-1]
        _replace_atomically(script, _TRAMPOLINE.format(python=python).encode() + body)
        count += 1
    return count


def relocate_pth_files(site_packages: Path, build_root: Path) -> int:
    """Turn absolute .pth lines under `build_root` into paths relative to site-packages."""
    count = 0
    root = str(build_root)
    for pth in sorted(site_packages.glob("*.pth")):
        try:
            text = pth.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        changed, lines = False, []
        for line in text.splitlines():
            if line.startswith(root + "/") or line == root:
                line = os.path.relpath(line, site_packages)
                changed = True
            lines.append(line)
        if changed:
            _replace_atomically(pth, ("\n".join(lines) + "\n").encode())
            count += 1
    return count


def site_packages_dirs(prefix: Path) -> list:
    return sorted(p for p in prefix.glob("lib/python3*/site-packages") if p.is_dir())


def relocate_environment(prefix: Path, build_root: Path) -> int:
    """Relocate scripts and .pth files of the environment at `prefix`."""
    total = relocate_scripts(prefix / "bin", build_root)
    for site in site_packages_dirs(prefix):
        total += relocate_pth_files(site, build_root)
    return total
