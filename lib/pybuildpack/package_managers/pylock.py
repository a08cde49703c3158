"""pylock.toml (PEP 751): a lock, installed exactly as it is.

`pylock.toml` is the default; a single `pylock.<name>.toml` is used when there
is no pylock.toml, and several with no pylock.toml are an error (which one
is meant?). The lock's `requires-python` joins the Python version choice.
uv refuses other requirements beside a pylock.toml, so the install is two
steps: the lock exactly (`uv pip install --exact -r pylock.toml`), then what
pybuildpack adds and the runtime's own packages (pip), at the versions the
environment held before the sync.

With PYBUILDPACK_INSTALLER=pip the lock is converted, as Poetry's and
Pipenv's are (locked.py), into a hash-pinned requirements file (each package's
version, marker and the sha256 of every file the lock lists, or its direct
reference), which pip-compile and pip-sync install exactly with what
pybuildpack adds. pip's own pylock.toml reader is experimental and never
removes what the lock no longer names; pip-sync cannot read the format.
A lock that chooses packages by extras or dependency groups (markers such as
`'web' in dependency_groups`) is refused with pip: only uv evaluates those.

    lock-version = "1.0"
    requires-python = ">=3.12"
    [[packages]]
    name = "flask"
    version = "3.1.3"
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional, Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from .. import errors
from ..inspect.pyproject import read_toml
from ..inspect.python_version import PythonRequest
from ..steps import dependencies as deps
from .base import LOCK_FILE, InstallContext, PackageManager
from .locked import Pinned, install_converted, is_pypi, local_file_url, requirements_text
from .pyproject import check_path_inside

CONVERTED = "pylock-requirements.txt"
_SELECTING = re.compile(r"\b(extras|dependency_groups)\b")

DEFAULT = "pylock.toml"
_NAMED = re.compile(r"^pylock\.[^.]+\.toml$")


def lock_files(app_dir: Path) -> list:
    """pylock.toml and every pylock.<name>.toml at the top of the app, sorted."""
    try:
        names = sorted(p.name for p in app_dir.iterdir() if p.is_file())
    except OSError:
        return []
    return [n for n in names if n == DEFAULT or _NAMED.match(n)]


def read_lock(app_dir: Path, name: str) -> dict:
    data = read_toml(app_dir / name, name)
    if not isinstance(data.get("packages"), list):
        raise errors.PylockInvalid(name, "it has no [[packages]] list.")
    if not str(data.get("lock-version", "")).startswith("1."):
        raise errors.PylockInvalid(name, f"lock-version is {data.get('lock-version')!r}; pybuildpack reads 1.x.")
    return data


def _hashes(files: Sequence) -> tuple:
    """`sha256:<hex>` of every file listed (wheels, sdist), in order, once each."""
    found = []
    for entry in files:
        hashes = entry.get("hashes") if isinstance(entry, dict) else None
        for algorithm, digest in (hashes or {}).items() if isinstance(hashes, dict) else ():
            found.append(f"{algorithm}:{digest}")
    return tuple(dict.fromkeys(found))


def _subdirectory(source: dict) -> str:
    sub = source.get("subdirectory")
    return f"#subdirectory={sub}" if isinstance(sub, str) and sub else ""


def pinned_packages(app_dir: Path, file: str, data: dict) -> list:
    """The lock's packages as `Pinned` requirements; a UserError for a package
    chosen by extras or dependency groups (pip cannot evaluate those markers
    as uv does) or one with no way to be installed."""
    pinned = []
    for package in data["packages"]:
        name, version = package["name"], str(package.get("version") or "")
        marker = str(package.get("marker") or "")
        if _SELECTING.search(marker):
            raise errors.InstallerNotSupported("pip", file, why=errors.pylock_selects_by_marker(name, marker))
        vcs, directory, archive = (package.get(k) for k in ("vcs", "directory", "archive"))
        wheels = [w for w in package.get("wheels") or [] if isinstance(w, dict)]
        sdist = package.get("sdist") if isinstance(package.get("sdist"), dict) else None
        if isinstance(vcs, dict) and vcs.get("commit-id"):
            where = vcs.get("url") or local_file_url(app_dir, str(vcs.get("path")), file, name)
            url = f"{vcs.get('type', 'git')}+{where}@{vcs['commit-id']}{_subdirectory(vcs)}"
            pinned.append(Pinned(name, version, (), marker, url))
        elif isinstance(directory, dict) and isinstance(directory.get("path"), str):
            url = local_file_url(app_dir, directory["path"], file, name) + _subdirectory(directory)
            pinned.append(Pinned(name, version, (), marker, url))
        elif isinstance(archive, dict) and (archive.get("url") or archive.get("path")):
            url = archive.get("url") or local_file_url(app_dir, str(archive["path"]), file, name)
            pinned.append(Pinned(name, version, _hashes([archive]), marker, str(url) + _subdirectory(archive)))
        elif version and (wheels or sdist) and all(f.get("url") for f in [*wheels, *([sdist] if sdist else [])]):
            pinned.append(Pinned(name, version, _hashes([*wheels, *([sdist] if sdist else [])]), marker))
        elif len(wheels) == 1 and wheels[0].get("path"):
            url = local_file_url(app_dir, str(wheels[0]["path"]), file, name)
            pinned.append(Pinned(name, version, _hashes(wheels), marker, url))
        else:
            raise errors.PylockInvalid(file, f"the package {name} has no version with files, nor a source "
                                             "pip can install from.")
    return pinned


def index_lines(data: dict) -> list:
    """pip's `--extra-index-url` for each index the packages come from, besides PyPI."""
    urls = [p.get("index") for p in data["packages"] if isinstance(p.get("index"), str)]
    return [f"--extra-index-url {url}" for url in dict.fromkeys(urls) if not is_pypi(url)]


class Pylock(PackageManager):
    kind = "pylock"
    files = (DEFAULT,)

    def __init__(self, file: Optional[str], names: frozenset, requires_python: Optional[str] = None) -> None:
        super().__init__(file, names)
        self.requires_python = requires_python

    @classmethod
    def found_files(cls, app_dir: Path) -> list:
        return lock_files(app_dir)

    @classmethod
    def detect(cls, app_dir: Path) -> Optional["Pylock"]:
        found = lock_files(app_dir)
        if not found:
            return None
        if DEFAULT in found:
            name = DEFAULT
        elif len(found) == 1:
            name = found[0]
        else:
            raise errors.PylockAmbiguous(found)
        data = read_lock(app_dir, name)
        names = set()
        for package in data["packages"]:
            if not isinstance(package, dict) or not isinstance(package.get("name"), str):
                raise errors.PylockInvalid(name, "a [[packages]] entry has no name.")
            names.add(canonicalize_name(package["name"]))
            for key in ("directory", "archive"):
                source = package.get(key)
                if isinstance(source, dict) and isinstance(source.get("path"), str):
                    check_path_inside(app_dir, name, package["name"], source["path"])
        requires = data.get("requires-python")
        if requires is not None:
            try:
                SpecifierSet(str(requires))
            except InvalidSpecifier:
                raise errors.PythonVersionInvalid(f"requires-python in {name}", str(requires),
                                                  "It is not a valid version specifier (PEP 440).")
        return cls(name, frozenset(names), str(requires) if requires is not None else None)

    def python_requests(self) -> tuple:
        if not self.requires_python:
            return ()
        return (PythonRequest(self.requires_python, "specifier", f"requires-python in {self.file}"),)

    def install_files(self) -> Sequence[str]:
        return [self.file]

    def lock_name(self, installer: str) -> Optional[str]:
        return LOCK_FILE if installer == "pip" else None

    def install(self, context: InstallContext) -> None:
        c = context
        c.log.detail(errors.installing_pylock(self.file, len(self.names)))
        if c.installer == "pip":
            data = read_lock(c.app_dir, self.file)
            text = requirements_text(f"Converted by pybuildpack from {self.file} (do not edit)", index_lines(data),
                                     pinned_packages(c.app_dir, self.file, data))
            install_converted(c, CONVERTED, text, self.file)
            return
        # What the sync below would remove but must stay: the runtime's seeds, as they are.
        installed = dict((canonicalize_name(n), v) for n, v in deps.installed_packages(c.python))
        seeds = [f"{s}=={installed[canonicalize_name(s)]}" for s in deps.seed_packages(c.prefix)
                 if canonicalize_name(s) in installed]
        deps.install_with_uv(c.tools, c.python, c.app_dir, [self.file], None, c.prefix, c.env, c.config, c.log,
                             seeds=[])
        extra = [line for line in c.added_file.read_text().splitlines() if line.strip()] if c.added_file.is_file() \
            else []
        if extra or seeds:
            deps.install_with_uv(c.tools, c.python, c.app_dir, [], c.added_file, c.prefix, c.env, c.config, c.log,
                                 exact=False, seeds=seeds, label="the packages pybuildpack adds")

    def describe(self) -> str:
        return f"{self.file}, installed exactly as locked"

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.requires_python == other.requires_python  # type: ignore

    def __hash__(self) -> int:
        return hash((type(self), self.file, self.names, self.requires_python))
