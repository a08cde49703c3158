"""A copy of a directory tree made of hardlinks, for cache restores and stores.

    python -I -S link_tree.py SOURCE DESTINATION     # exits 1 when a link fails

Standard library only, and run as a script of its own (cache.BackgroundCopy),
so the copy starts in a few milliseconds and runs beside the build without
holding its interpreter. It makes one system call per file (`link`) and a few
per directory; `cp -a --link` makes about six per file and ten per directory
(attributes, extended attributes, ownership), which doubled the time of a
no-change rebuild's restore (0.2 s against 0.1 s for a Django environment's
11,000 entries on tmpfs). Files and symlinks are linked, so their modes,
owners and times are the source's (one inode); directories get the source's
mode, not its times, which nothing reads.
"""

from __future__ import annotations

import os
import stat
import sys

SCRIPT = __file__
# How link_tree opens the directories it names files relative to.
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)


def link_tree(source: str, destination: str) -> None:
    """Create `destination` (which must not exist) as a tree of directories and
    hardlinks to every file and symlink under `source`. Raises OSError when a
    link cannot be made (another filesystem, a protected file): the caller
    removes what was made and copies instead."""
    umask = os.umask(0)
    os.umask(umask)
    _make_dir(destination, os.stat(source, follow_symlinks=False), umask)
    pending = [(source, destination)]
    while pending:
        here, there = pending.pop()
        # Names relative to the two directories' descriptors: the kernel looks up
        # one path component per call, not the whole path (a tenth less time).
        # Two descriptors at a time, however wide the tree.
        source_fd = os.open(here, _DIRECTORY)
        try:
            destination_fd = os.open(there, _DIRECTORY)
            try:
                with os.scandir(source_fd) as listing:
                    for entry in listing:
                        name = entry.name
                        if entry.is_dir(follow_symlinks=False):
                            _make_dir(name, entry.stat(follow_symlinks=False), umask, destination_fd)
                            pending.append((here + "/" + name, there + "/" + name))
                        else:
                            os.link(name, name, src_dir_fd=source_fd, dst_dir_fd=destination_fd,
                                    follow_symlinks=False)
            finally:
                os.close(destination_fd)
        finally:
            os.close(source_fd)


def _make_dir(path: str, status: os.stat_result, umask: int, dir_fd: int | None = None) -> None:
    mode = stat.S_IMODE(status.st_mode)
    os.mkdir(path, mode, dir_fd=dir_fd)
    if mode & umask:   # the umask took bits off mkdir's mode
        os.chmod(path, mode, dir_fd=dir_fd)


if __name__ == "__main__":
    try:
        link_tree(sys.argv[1], sys.argv[2])
    except OSError:
        raise SystemExit(1)
