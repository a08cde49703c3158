"""Cached directories that survive between builds, and why one is discarded.

A cached directory carries its metadata inside it (`.pybuildpack-cache.json`),
so the two are always swapped together. Stores are atomic: the new copy is
written beside the old one and renamed into place, so a build killed at any
point leaves either the old entry, the new one, or none, never a mix.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

META = ".pybuildpack-cache.json"
# Bump when what an entry holds, or its metadata, changes shape: older entries
# are then discarded, with this as the reason. 2: the metadata is an
# EnvironmentKey (environment_key.py).
FORMAT = 2


def copy_tree(source: Path, destination: Path) -> None:
    """Copy `source` to `destination` (which must not exist), hardlinking files
    when both are on one filesystem. Symlinks are kept as links."""
    for flags in (["-a", "--link"], ["-a"]):
        if destination.exists():
            shutil.rmtree(destination)
        result = subprocess.run(["cp", *flags, str(source), str(destination)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if result.returncode == 0:
            return
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(source, destination, symlinks=True)


def move_tree(source: Path, destination: Path) -> None:
    """Rename when possible (same filesystem), else copy then delete."""
    try:
        os.rename(source, destination)
    except OSError:
        copy_tree(source, destination)
        shutil.rmtree(source, ignore_errors=True)


@dataclass
class CachedDir:
    """A directory in the cache, e.g. CACHE_DIR/pybuildpack/env."""

    path: Path

    def metadata(self) -> Optional[dict]:
        """The stored metadata, or None when absent or unreadable (an older or
        interrupted build): the caller then treats the entry as invalid."""
        try:
            data = json.loads((self.path / META).read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def exists(self) -> bool:
        return self.path.is_dir()

    def discard(self) -> None:
        if self.path.exists() or self.path.is_symlink():
            aside = self.path.with_name(self.path.name + f".discard-{os.getpid()}")
            os.rename(self.path, aside)
            shutil.rmtree(aside, ignore_errors=True)

    def clean_leftovers(self) -> None:
        """Remove temporary copies an interrupted build left behind."""
        parent = self.path.parent
        if not parent.is_dir():
            return
        for entry in parent.iterdir():
            if entry.name.startswith(self.path.name + ".tmp-") or entry.name.startswith(self.path.name + ".discard-"):
                shutil.rmtree(entry, ignore_errors=True)

    def take(self, destination: Path) -> dict:
        """Move the cached directory to `destination`; return its metadata."""
        metadata = self.metadata() or {}
        move_tree(self.path, destination)
        (destination / META).unlink(missing_ok=True)
        return metadata

    def store(self, source: Path, metadata: Mapping[str, object]) -> None:
        """Replace the cached copy with `source` (copied, hardlinked when possible)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=self.path.name + ".tmp-", dir=self.path.parent))
        temporary.rmdir()
        copy_tree(source, temporary)
        data = {"format": FORMAT, **metadata}
        (temporary / META).write_text(json.dumps(data, indent=2, sort_keys=True))
        if self.path.exists():
            aside = self.path.with_name(self.path.name + f".discard-{os.getpid()}")
            os.rename(self.path, aside)
            os.rename(temporary, self.path)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.rename(temporary, self.path)


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
    with os.fdopen(handle, "w") as stream:
        stream.write(text)
    os.replace(temporary, path)
