"""Cached directories that survive between builds, and why one is discarded.

A cached directory carries its metadata inside it (`.pybuildpack-cache.json`),
so the two are always swapped together. Stores are atomic: the new copy is
written beside the old one and renamed into place, so a build killed at any
point leaves either the old entry or the new one, never a mix.

A restore copies the entry out and leaves it in place, so the last good entry
outlives a build that fails or is killed. The copy is made of hardlinks where
the filesystem allows (about as fast as a rename for a whole environment), so
the build must never write into a file of the restored tree: it replaces files
(write a temporary file, rename it over), as the installers do.

A store can begin before the build is done (`begin_store`): the copy runs in
the background while later steps (collectstatic, the deployment check) run,
and `store` then brings it up to date with what changed since (`mirror`, by
inode numbers: a few hundredths of a second) before swapping it in. It is
swapped in only by `store`, after a successful build, so a failed or killed
build still leaves the old entry.

Removing the replaced entry (about 10,000 unlinks for a Django environment,
0.2 s on tmpfs and more on a disk) need not hold up the build that replaced
it: `store(..., keep_previous=True)` leaves it beside the new one (sharing
the inodes of every file that did not change, so it costs little space), and
the next build removes it in the background (`clean_leftovers(wait=False)`,
finished by `finish_removals`).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Mapping, Optional, Union

from .link_tree import SCRIPT as LINK_TREE_SCRIPT, link_tree

META = ".pybuildpack-cache.json"
# Bump when what an entry holds, or its metadata, changes shape: older entries
# are then discarded, with this as the reason. 2: the metadata is an
# EnvironmentKey (environment_key.py).
FORMAT = 2
# A hardlink copy of an environment takes 0.1-0.5 s for a Django app's 11,000
# files and directories on a quiet machine (more on a busy one). Its time is
# shown only past this, when something is off: a plain copy (the cache on
# another filesystem) or a huge environment.
SLOW_COPY = 3.0


def copy_tree(source: Path, destination: Path) -> None:
    """Copy `source` to `destination` (which must not exist), hardlinking files
    when both are on one filesystem. Symlinks are kept as links."""
    if destination.exists():
        shutil.rmtree(destination)
    try:
        link_tree(str(source), str(destination))
        return
    except OSError:
        shutil.rmtree(destination, ignore_errors=True)
    _copy_files(source, destination)


def _copy_files(source: Path, destination: Path) -> None:
    """copy_tree where hardlinks cannot be made: a copy of each file."""
    result = subprocess.run(["cp", "-a", str(source), str(destination)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if result.returncode == 0:
        return
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(source, destination, symlinks=True)


def read_json_object(path: Path) -> Optional[dict]:
    """The JSON object stored at `path`; None when it is absent, unreadable or
    not an object (an older or interrupted build wrote it: the caller treats
    what it describes as missing)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class BackgroundCopy:
    """copy_tree(source, destination), started now in a process of its own
    (link_tree.py), so that it runs while the build does other work; `wait`
    finishes it."""

    def __init__(self, source: Path, destination: Path, pid: Optional[int] = None) -> None:
        """With `pid`, adopt that copy, already running as a child of this
        process (the bootstrap began it before its exec: platforms/heroku_restore.py)."""
        self.source, self.destination = source, destination
        self.linked = True   # False once wait() had to copy instead
        self.process: Optional[Union[subprocess.Popen, _Child]]
        if pid is not None:
            self.process = _Child(pid)
            return
        destination.parent.mkdir(parents=True, exist_ok=True)
        # -I -S: no site-packages, no environment: the script needs only the standard library.
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", LINK_TREE_SCRIPT, str(source), str(destination)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait(self) -> None:
        """Wait for the copy; when hardlinks failed (another filesystem), copy
        each file instead, as copy_tree does."""
        if self.process is not None and self.process.wait() != 0:
            self.linked = False
            shutil.rmtree(self.destination, ignore_errors=True)
            _copy_files(self.source, self.destination)
        self.process = None

    def cancel(self) -> None:
        """Stop the copy, if running, and remove what it wrote."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
        if self.destination.exists():
            shutil.rmtree(self.destination, ignore_errors=True)


@dataclass
class _Child:
    """A child process known by its pid alone (started before an exec): what
    BackgroundCopy asks of a Popen."""

    pid: int

    def wait(self) -> int:
        try:
            return os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        except ChildProcessError:   # not ours after all: the copy is redone
            return 1

    def kill(self) -> None:
        try:
            os.waitpid(self.pid, os.WNOHANG)   # raises for a process that is not this one's child
            os.kill(self.pid, signal.SIGKILL)
        except (ChildProcessError, ProcessLookupError):
            pass


class BackgroundRemoval:
    """`rm -rf` of directories nothing refers to any more, in a process of its own."""

    def __init__(self, paths: List[Path]) -> None:
        self.paths = paths
        self.process = subprocess.Popen(["rm", "-rf", "--", *map(str, paths)], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait(self) -> None:
        """Finish the removal (what `rm` could not remove, the next build's clean_leftovers tries again)."""
        self.process.wait()


@dataclass
class CachedDir:
    """A directory in the cache, e.g. CACHE_DIR/pybuildpack/env."""

    path: Path
    _removals: list = field(default_factory=list, compare=False, repr=False)

    def metadata(self) -> Optional[dict]:
        """The stored metadata, or None when absent or unreadable (an older or
        interrupted build): the caller then treats the entry as invalid."""
        return read_json_object(self.path / META)

    def exists(self) -> bool:
        return self.path.is_dir()

    def discard(self) -> None:
        if self.path.exists() or self.path.is_symlink():
            aside = self.path.with_name(self.path.name + f".discard-{os.getpid()}")
            os.rename(self.path, aside)
            shutil.rmtree(aside, ignore_errors=True)

    def clean_leftovers(self, wait: bool = True) -> None:
        """Finish or undo what an interrupted store or discard left behind, and
        remove the entry a store kept as previous. A store killed between its
        two renames leaves no entry, and its new copy complete (the metadata
        is written last, atomically): that copy becomes the entry. Everything
        else is removed: here, or with `wait` False in the background
        (`finish_removals` waits for that)."""
        parent = self.path.parent
        if not parent.is_dir():
            return
        removing = {path for removal in self._removals for path in removal.paths}
        prefixes = tuple(self.path.name + kind for kind in (".tmp-", ".discard-", ".previous-"))
        leftovers = [entry for entry in parent.iterdir() if entry.name.startswith(prefixes) and entry not in removing]
        if not (self.path.exists() or self.path.is_symlink()):
            complete = [entry for entry in leftovers
                        if entry.name.startswith(self.path.name + ".tmp-") and (entry / META).is_file()]
            if complete:
                newest = max(complete, key=lambda entry: (entry / META).stat().st_mtime)
                os.rename(newest, self.path)
                leftovers.remove(newest)
        if not wait and leftovers:
            for entry in leftovers:
                # First: a copy half removed must never look complete to the code above.
                with_meta = entry / META
                if with_meta.is_file():
                    with_meta.unlink()
            self._removals.append(BackgroundRemoval(leftovers))
            return
        for entry in leftovers:
            shutil.rmtree(entry, ignore_errors=True)

    def finish_removals(self) -> None:
        """Wait for the removals clean_leftovers started in the background."""
        for removal in self._removals:
            removal.wait()
        self._removals.clear()

    def restore(self, destination: Path) -> dict:
        """Copy the cached directory to `destination` (hardlinked where possible)
        and return its metadata. The entry stays until `store` replaces it."""
        metadata = self.metadata() or {}
        copy_tree(self.path, destination)
        # Unlinking drops the copy's link only: the entry keeps its metadata.
        (destination / META).unlink(missing_ok=True)
        return metadata

    def _temporary(self) -> Path:
        """A new name beside the entry for a copy being stored (clean_leftovers
        removes one that a killed build left without metadata)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=self.path.name + ".tmp-", dir=self.path.parent))
        temporary.rmdir()
        return temporary

    def begin_store(self, source: Path) -> Optional[BackgroundCopy]:
        """Start copying `source` for a later `store(source, ..., begun=...)`,
        when hardlinks can make the copy (one filesystem); None otherwise (the
        store copies then, as it would have)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not same_filesystem(source, self.path.parent):
            return None
        return BackgroundCopy(source, self._temporary())

    def store(self, source: Path, metadata: Mapping[str, object], begun: Optional[BackgroundCopy] = None,
              keep_previous: bool = False) -> None:
        """Replace the cached copy with `source` (copied, hardlinked when
        possible). `begun`: the copy begin_store started, finished here and
        brought up to date with `source` as it is now. `keep_previous`: leave
        the replaced entry beside the new one, for the next clean_leftovers."""
        if begun is not None:
            begun.wait()
            temporary = begun.destination
            if begun.linked:
                mirror(source, temporary)
            else:   # copied, not linked: nothing to compare by inode, so copied again
                copy_tree(source, temporary)
        else:
            temporary = self._temporary()
            copy_tree(source, temporary)
        data = {"format": FORMAT, **metadata}
        # Last, and whole or not at all: a copy with metadata is a complete copy.
        write_atomically(temporary / META, json.dumps(data, indent=2, sort_keys=True))
        if self.path.exists():
            kind = ".previous-" if keep_previous else ".discard-"
            aside = Path(tempfile.mkdtemp(prefix=self.path.name + kind, dir=self.path.parent))
            os.rename(self.path, aside)   # onto the new empty directory: allowed
            os.rename(temporary, self.path)
            if not keep_previous:
                shutil.rmtree(aside, ignore_errors=True)
        else:
            os.rename(temporary, self.path)


class JsonRecord:
    """A result a platform keeps between builds, as one JSON file (the Django
    settings probe's, steps/django_cache.py; the server import check's)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Optional[dict]:
        return read_json_object(self.path)

    def save(self, data: Optional[Mapping[str, object]]) -> None:
        """Store `data`; None removes the last record (it no longer holds)."""
        if data is None:
            self.path.unlink(missing_ok=True)
            return
        write_atomically(self.path, json.dumps(dict(data), indent=2, sort_keys=True))


def same_filesystem(a: Path, b: Path) -> bool:
    """Whether hardlinks can join `a` and `b` (False when either is missing)."""
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


def mirror(source: Path, destination: Path) -> None:
    """Make `destination`, a hardlinked copy of `source` made a while ago, a
    hardlinked copy of `source` as it is now: link what was added or replaced
    since (a different inode: files are replaced, never written in place),
    remove what is gone. Only directories are listed, no file is read or
    stat'ed, so a whole environment takes a few hundredths of a second."""
    pending = [(str(source), str(destination))]
    while pending:
        here, there = pending.pop()
        with os.scandir(there) as listing:
            had = {entry.name: entry for entry in listing}
        with os.scandir(here) as listing:
            for entry in listing:
                target = os.path.join(there, entry.name)
                old = had.pop(entry.name, None)
                is_dir = entry.is_dir(follow_symlinks=False)
                if old is not None and (is_dir != old.is_dir(follow_symlinks=False)
                                        or (not is_dir and old.inode() != entry.inode())):
                    _remove(old)
                    old = None
                if is_dir:
                    if old is None:
                        os.mkdir(target)
                        shutil.copystat(entry.path, target, follow_symlinks=False)
                    pending.append((entry.path, target))
                elif old is None:
                    os.link(entry.path, target, follow_symlinks=False)
        for old in had.values():
            _remove(old)


def _remove(entry: os.DirEntry) -> None:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` by a rename: a reader, or a hardlinked copy of
    the old file (a cache entry), never sees a half-written or changed file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        mode = 0o644  # mkstemp's 0600 would be a surprise in a slug
    handle, temporary = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
    with os.fdopen(handle, "w") as stream:
        stream.write(text)
    os.chmod(temporary, mode)
    os.replace(temporary, path)
