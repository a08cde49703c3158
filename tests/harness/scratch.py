"""Where the tests build: a RAM filesystem when the machine has one with room.

Each test build creates and deletes thousands of files, and a run some two
million. On an ext4 filesystem without a journal (this project's CI machines
have one), the kernel will not reuse an inode deleted in the last seconds, and
looks at each such inode before it picks a free one: with the suite's churn,
creating a file becomes its main cost (perf: a third of the CPU time goes to
`find_inode_bit` and `recently_deleted`). A tmpfs has no such cost.

So, unless TMPDIR says where temporary files go, a run uses /dev/shm when it
is a tmpfs with SCRATCH_ROOM free: pytest's base temporary directory, the
build machine's TMPDIR and the installer cache all live there. uv links the
wheels it installs from its cache, which works within one filesystem only, so
the installer cache is copied there from the persistent one once (it stays
until the machine restarts) and what a run adds to it is copied back at the end.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from pathlib import Path
from typing import Optional

from pybuildpack.cache import same_filesystem

SHM = Path("/dev/shm")
SCRATCH_ROOM = 8 << 30
LOCAL_CACHE = "installer-cache"   # the run's installer cache, in the RAM directory


def is_tmpfs(path: Path, mounts: Optional[str] = None) -> bool:
    """Whether `path` is a tmpfs mount point (`mounts`: /proc/mounts' text)."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text()
        except OSError:
            return False
    return any(fields[1] == str(path) and fields[2] == "tmpfs"
               for fields in (line.split() for line in mounts.splitlines()) if len(fields) > 2)


def ram_tmpdir() -> Optional[Path]:
    """A directory on /dev/shm for this user's test runs; None when /dev/shm is
    not a tmpfs or has less than SCRATCH_ROOM free."""
    if not is_tmpfs(SHM):
        return None
    try:
        stats = os.statvfs(SHM)
    except OSError:
        return None
    if stats.f_bavail * stats.f_frsize < SCRATCH_ROOM:
        return None
    path = SHM / f"pybuildpack-tests-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    clear_leftovers(path)
    return path


def clear_leftovers(path: Path, age: float = 3600.0) -> None:
    """Remove what earlier runs' builds left in the directory (uv's lock files,
    the temporary directories of builds the tests killed): RAM is scarcer than
    disk. Only what is an hour old, as another run may be using the rest."""
    cutoff = time.time() - age
    for entry in path.iterdir():
        if entry.name.startswith((LOCAL_CACHE, "pytest-of-")):
            continue   # the installer cache stays; pytest keeps its own base directories in order
        try:
            if entry.lstat().st_mtime < cutoff:
                subprocess.run(["rm", "-rf", str(entry)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            pass


def installer_cache(persistent: Path, tmpdir: Path) -> Path:
    """The installer cache the builds of a run use: `persistent` when it is on
    the filesystem of `tmpdir` (where the builds are), else a copy of it there,
    made once by whichever test process comes first."""
    persistent.mkdir(parents=True, exist_ok=True)
    if same_filesystem(persistent, tmpdir):
        return persistent
    local = tmpdir / LOCAL_CACHE
    with (tmpdir / f"{LOCAL_CACHE}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not local.is_dir():
            staging = tmpdir / f"{LOCAL_CACHE}.tmp-{os.getpid()}"
            subprocess.run(["rm", "-rf", str(staging)], check=True)
            subprocess.run(["cp", "-a", str(persistent), str(staging)], check=True)
            os.rename(staging, local)
    return local


def keep_new_wheels(tmpdir: Path, persistent: Path) -> None:
    """Copy what the run added to the copy of the installer cache in `tmpdir`
    back to the persistent one (files it has already are left alone)."""
    local = tmpdir / LOCAL_CACHE
    if local != persistent and local.is_dir() and persistent.is_dir():
        subprocess.run(["cp", "-a", "-n", f"{local}/.", f"{persistent}/"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
