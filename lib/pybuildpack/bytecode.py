"""pybuildpack's own compiled code, kept in the build cache between builds.

A buildpack is usually a fresh checkout on every build (Heroku fetches it
for each build; a CNB buildpack's directory is read-only), so Python would
compile every module of pybuildpack from source every time: about 0.2 s of
every build, half of a no-change rebuild. The bootstrap names a directory
keyed by the content of lib/pybuildpack and the Python's bytecode version
(`BYTECODE_DIR_VAR`); each module's code is written there the first time it
is compiled and read back by later builds. The key covers every source file,
so nothing there is ever stale and nothing is checked against the sources.

    >>> install(os.environ.pop(BYTECODE_DIR_VAR))    # bin/support/entry.py, before importing the rest

No pathlib here, nor in bootstrap.py's way to it: importing it costs the
bootstrap's short-lived Python about 15 ms of every build.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import marshal
import os
import sys

BYTECODE_DIR_VAR = "PYBUILDPACK_BYTECODE_DIR"
PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))


def source_key() -> str:
    """A digest of every module of pybuildpack (path and content) and this Python's bytecode version."""
    digest = hashlib.sha256(importlib.util.MAGIC_NUMBER)
    for directory, dirs, files in os.walk(PACKAGE_DIR):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                digest.update(os.path.relpath(path, PACKAGE_DIR).encode() + b"\0")
                with open(path, "rb") as handle:
                    digest.update(handle.read() + b"\0")
    return digest.hexdigest()[:16]


class _Loader(importlib.machinery.SourceFileLoader):
    """Reads a module's code from the kept directory, or compiles it and keeps it there."""

    directory = ""

    def get_code(self, fullname: str):
        kept = os.path.join(self.directory, fullname + ".code")
        try:
            with open(kept, "rb") as handle:
                return marshal.loads(handle.read())
        except (OSError, EOFError, ValueError, TypeError):
            pass
        code = super().get_code(fullname)
        try:
            temporary = f"{kept}.{os.getpid()}.tmp"
            with open(temporary, "wb") as handle:
                handle.write(marshal.dumps(code))
            os.replace(temporary, kept)   # whole or not at all: a concurrent build may read it
        except OSError:   # a read-only or full cache: compiling each time is only slower
            pass
        return code


class _Finder:
    """Finds pybuildpack's modules as Python would, and has them loaded by _Loader."""

    @classmethod
    def find_spec(cls, name: str, path=None, target=None):
        if name != "pybuildpack" and not name.startswith("pybuildpack."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and type(spec.loader) is importlib.machinery.SourceFileLoader:
            spec.loader = _Loader(spec.loader.name, spec.loader.path)
        return spec


def install(directory: str) -> None:
    """Load pybuildpack's modules imported from now on through `directory`."""
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        return
    _Loader.directory = str(directory)
    sys.meta_path.insert(0, _Finder)
