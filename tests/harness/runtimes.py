"""Local CPython runtimes for tests, made from the interpreters pyenv installed.

The tests cannot reach python-build-standalone's downloads, so they build
archives in the same shape (a `python/` prefix that works from any directory)
from pyenv's builds: copy the prefix without site-packages and tests, point the
interpreter's RPATH at `$ORIGIN/../lib` with patchelf, and tar it. A downloads
JSON in uv's format lists them; the buildpack reads it through
PYBUILDPACK_PYTHON_DOWNLOADS_JSON. Archives are cached between test runs.

    python tests/harness/runtimes.py [CACHE_DIR]   # builds and prints the JSON path
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

DEFAULT_CACHE = Path(os.environ.get("PYBUILDPACK_TEST_CACHE", Path.home() / ".cache" / "pybuildpack-tests"))
# Minor versions the tests use; the newest patch pyenv has of each.
MINORS = ("3.9", "3.11", "3.12", "3.13")
# Left out: the -O and -OO bytecode pyenv also compiles (.opt-1.pyc, .opt-2.pyc),
# which nothing runs: each test build writes, links into its cache and deletes
# about 1,000 files fewer.
_EXCLUDE_DIRS = {"test", "idlelib", "tkinter", "turtledemo", "site-packages", "lib2to3"}
_EXCLUDE_SUFFIXES = (".a", ".opt-1.pyc", ".opt-2.pyc")
FORMAT = "7"


def pyenv_root() -> Path:
    try:
        return Path(subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip())
    except (OSError, subprocess.CalledProcessError):
        return Path.home() / ".pyenv"


def pyenv_versions() -> dict:
    """minor -> (full version, prefix) for each pyenv CPython build."""
    found = {}
    versions = pyenv_root() / "versions"
    for entry in sorted(versions.iterdir()) if versions.is_dir() else []:
        parts = entry.name.split(".")
        if len(parts) != 3 or not all(p.isdigit() for p in parts) or parts[0] != "3":
            continue
        minor = ".".join(parts[:2])
        if minor not in found or [int(p) for p in parts] > [int(p) for p in found[minor][0].split(".")]:
            found[minor] = (entry.name, entry)
    return found


def _ignore(directory: str, names: list) -> set:
    ignored = {n for n in names if n in _EXCLUDE_DIRS or n.endswith(_EXCLUDE_SUFFIXES)}
    if os.path.basename(directory) == "site-packages":
        ignored |= set(names)
    return ignored


def _shared_objects(root: Path) -> list:
    found = []
    for path in root.rglob("*.so*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def build_archive(version: str, prefix: Path, out_dir: Path) -> Path:
    archive = out_dir / f"cpython-{version}-{FORMAT}.tar.gz"
    if archive.is_file():
        return archive
    staging = out_dir / f"staging-{version}"
    shutil.rmtree(staging, ignore_errors=True)
    root = staging / "python"
    shutil.copytree(prefix, root, symlinks=True, ignore=_ignore)
    (root / "lib" / f"python{version.rsplit('.', 1)[0]}" / "site-packages").mkdir(parents=True, exist_ok=True)
    minor = version.rsplit(".", 1)[0]
    interpreter = root / "bin" / f"python{minor}"
    # Without debug information, as uv's downloads are (python-build-standalone's
    # "stripped" builds): half the size, so each test build's unpack of the
    # runtime takes half the time. Symbols stay, for extensions built against it.
    subprocess.run(["strip", "--strip-debug", str(interpreter), *map(str, _shared_objects(root))], check=True)
    subprocess.run(["patchelf", "--set-rpath", "$ORIGIN/../lib", str(interpreter)], check=True)
    # pip in site-packages, and setuptools up to 3.11, as python-build-standalone
    # installs them (ensurepip's bundled wheels: offline). Without them every test
    # build with pip ran ensurepip itself, 7 s a build, and the seed packages a
    # build keeps (steps/dependencies.py) were never there to keep.
    subprocess.run([str(interpreter), "-I", "-m", "ensurepip", "--default-pip"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={"PATH": os.environ.get("PATH", ""), "HOME": str(staging)})
    for script in (root / "bin").glob("pip*"):
        script.unlink()   # their #! names this staging directory; `python -m pip` is what builds run
    # The stdlib's bytecode checked by hash, not by the source's mtime: uv gives
    # each file it unpacks the time of unpacking, which makes pyenv's bytecode
    # stale, and every interpreter a test build starts with -B (uv's probe of
    # the new runtime, the server check) would compile the stdlib modules it
    # imports once more. (python-build-standalone ships no bytecode at all: a
    # real build's first starts are slower than a test build's.)
    subprocess.run([str(interpreter), "-I", "-m", "compileall", "-q", "-f", "-j", "0",
                    "--invalidation-mode", "unchecked-hash", str(root / "lib" / f"python{minor}")],
                   check=True, stdout=subprocess.DEVNULL)
    temporary = archive.with_suffix(".tmp")
    with tarfile.open(temporary, "w:gz", compresslevel=1) as tar:
        tar.add(root, arcname="python")
    os.replace(temporary, archive)
    shutil.rmtree(staging, ignore_errors=True)
    return archive


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def entry(version: str, archive: Path) -> tuple:
    major, minor, patch = (int(p) for p in version.split("."))
    arch = platform.machine()
    key = f"cpython-{version}-linux-{arch}-gnu"
    return key, {
        "name": "cpython", "arch": {"family": arch, "variant": None}, "os": "linux", "libc": "gnu",
        "major": major, "minor": minor, "patch": patch, "prerelease": "",
        "url": archive.as_uri(), "sha256": sha256(archive), "variant": None, "build": "pybuildpack-tests",
    }


def downloads_json(cache_dir: Path = DEFAULT_CACHE, minors=MINORS) -> Path:
    """Build (or reuse) the archives and return the path of their downloads JSON.
    Safe to call from parallel test workers: they take turns on a lock file."""
    import fcntl

    out_dir = cache_dir / "runtimes"
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _downloads_json(out_dir, minors)


def _downloads_json(out_dir: Path, minors) -> Path:
    available = pyenv_versions()
    listing = {}
    for minor in minors:
        if minor not in available:
            continue
        version, prefix = available[minor]
        key, data = entry(version, build_archive(version, prefix, out_dir))
        listing[key] = data
    if not listing:
        raise RuntimeError("no pyenv CPython builds found to make test runtimes from")
    for stale in out_dir.glob("cpython-*.tar.gz"):
        if not stale.name.endswith(f"-{FORMAT}.tar.gz"):
            stale.unlink()  # an archive of an older format of this builder
    path = out_dir / "downloads.json"
    text = json.dumps(listing, indent=2, sort_keys=True)
    if not path.is_file() or path.read_text() != text:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(text)
        os.replace(temporary, path)
    return path


if __name__ == "__main__":
    print(downloads_json(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CACHE))
