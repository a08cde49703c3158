"""Pipfile.lock (with Pipfile): Pipenv's lock, converted to hash-pinned requirements.

Pipfile.lock lists every package of the `default` category flat, each with its
exact version, the sha256 of its files, its markers and the index it comes
from (or a git commit, a path, a URL). That is a requirements file already,
in JSON: it is converted line for line and installed by the same exact uv
install as requirements.txt (what `pipenv install --deploy` would install,
without Pipenv). Other categories (`develop`, custom ones) are installed
only when PYBUILDPACK_GROUPS names them; a package in several keeps the
entry of the first: `default`, then the categories in the order asked.

Indexes come from `_meta.sources`: the first is the index, the others extra
indexes; `${VAR}` in their URLs is kept as it is, so the installer expands it
from the config vars (as Pipenv does) and no credential is written to disk.
The lock is current when `_meta.hash.sha256` is Pipenv's hash of the Pipfile:
the sha256 of the JSON of its sources, requires and package categories
(Pipenv since 2026 writes the package names canonicalized, older ones as
written; either is accepted).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Mapping, Optional, Sequence
from urllib.parse import urlsplit

from packaging.utils import canonicalize_name

from .. import errors
from ..inspect.python_version import _exact
from .base import LOCK_FILE, InstallContext, PackageManager
from ..inspect.files import read_app_text
from ..inspect.pyproject import read_toml
from ..steps.prefetch import Request
from ..tools import Tools
from .locked import Pinned, converted_request, install_converted, is_pypi, local_file_url, requirements_text

CONVERTED = "pipenv-requirements.txt"
# Pipfile sections that are not package categories (plette's PIPFILE_SECTIONS).
_SECTIONS = ("source", "packages", "dev-packages", "requires", "scripts", "pipfile", "pipenv")
_DEFAULT_SOURCE = {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}


def pipfile_hashes(pipfile: dict) -> list:
    """Pipenv's hash of a parsed Pipfile, with names canonicalized (Pipenv
    2026+) and as written (earlier Pipenv, plette's Pipfile.get_hash)."""
    found = []
    for canonical in (True, False):
        def section(values: object) -> object:
            if canonical and isinstance(values, dict):
                return {canonicalize_name(k): v for k, v in values.items()}
            return values
        data = {
            "_meta": {"sources": pipfile.get("source") or [_DEFAULT_SOURCE], "requires": pipfile.get("requires", {})},
            "default": section(pipfile.get("packages", {})),
            "develop": section(pipfile.get("dev-packages", {})),
        }
        for category, values in pipfile.items():
            if category in _SECTIONS or category in ("default", "develop"):
                continue
            data[category] = section(values)
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        found.append(hashlib.sha256(text.encode("utf-8")).hexdigest())
    return found


def read_lock(app_dir: Path) -> dict:
    text = read_app_text(app_dir / "Pipfile.lock", "Pipfile.lock")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise errors.FileUnreadable("Pipfile.lock", f"It is not valid JSON: {exc}")
    if not isinstance(data, dict) or not isinstance(data.get("default", {}), dict):
        raise errors.FileUnreadable("Pipfile.lock", "It has no `default` table of packages.")
    return data


def categories(lock: dict) -> dict:
    """The lock's package categories other than `default`, by canonical name."""
    return {canonicalize_name(k): k for k, v in lock.items() if k not in ("_meta", "default") and isinstance(v, dict)}


def locked_entries(lock: dict, groups: Sequence[str] = ()) -> dict:
    """{canonical name: (name as written, entry)} of `default` and the chosen
    categories, the first category naming a package winning."""
    named = categories(lock)
    merged: dict = {}
    for category in ("default", *(named[g] for g in groups)):
        for raw_name, entry in (lock.get(category) or {}).items():
            merged.setdefault(canonicalize_name(raw_name), (raw_name, entry))
    return merged


def pinned_packages(app_dir: Path, lock: dict, groups: Sequence[str] = ()) -> list:
    """The `default` packages, and those of the chosen categories, as requirement lines."""
    pinned = []
    for _, (raw_name, entry) in sorted(locked_entries(lock, groups).items()):
        if not isinstance(entry, dict):
            continue
        name = canonicalize_name(raw_name)
        marker = str(entry.get("markers") or "")
        extras = tuple(entry.get("extras") or ())
        hashes = tuple(entry.get("hashes") or ())
        url = ""
        for vcs in ("git", "hg", "svn", "bzr"):
            if entry.get(vcs):
                location = str(entry[vcs])
                url = location if location.startswith(f"{vcs}+") else f"{vcs}+{location}"
                if entry.get("ref"):
                    url += f"@{entry['ref']}"
                if entry.get("subdirectory"):
                    url += f"#subdirectory={entry['subdirectory']}"
                hashes = ()
        if not url and entry.get("path"):
            url = local_file_url(app_dir, str(entry["path"]), "Pipfile.lock", name)
            hashes = ()
        elif not url and entry.get("file"):
            location = str(entry["file"])
            url = location if "://" in location else local_file_url(app_dir, location, "Pipfile.lock", name)
        version = str(entry.get("version") or "").lstrip("=")
        if not url and not version:
            raise errors.FileUnreadable("Pipfile.lock", f"The package {raw_name} has no version, path or URL.")
        pinned.append(Pinned(name, version, hashes, marker, url, extras))
    return pinned


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def check_source_variables(lock: dict, env: Mapping[str, str]) -> None:
    """Every variable a source URL names (`${PYPI_TOKEN}`, as Pipenv expands them)
    must be set: uv would otherwise read an unexpanded URL and report it as invalid."""
    for source in (lock.get("_meta") or {}).get("sources") or []:
        url = str(source.get("url") or "") if isinstance(source, dict) else ""
        for braced, bare in _VARIABLE.findall(url):
            name = braced or bare
            if not env.get(name):
                raise errors.SourceVariableUnset("Pipfile.lock", str(source.get("name") or url), name)


def index_lines(lock: dict) -> list:
    """pip's index options for `_meta.sources`, when they are not just PyPI."""
    sources = [s for s in ((lock.get("_meta") or {}).get("sources") or []) if isinstance(s, dict) and s.get("url")]
    if not sources or (len(sources) == 1 and is_pypi(str(sources[0]["url"]))):
        return []
    lines = [f"--index-url {sources[0]['url']}"]
    lines += [f"--extra-index-url {s['url']}" for s in sources[1:]]
    # `verify_ssl = false`: an index on plain HTTP or behind a certificate the
    # machine does not trust; pip and uv both read --trusted-host for it.
    for source in sources:
        if source.get("verify_ssl") is False:
            host = urlsplit(str(source["url"])).netloc.rpartition("@")[2]
            if host:
                lines.append(f"--trusted-host {host}")
    return lines


class PipfileLock(PackageManager):
    kind = "pipenv"
    tool = "pipenv"
    files = ("Pipfile.lock", "Pipfile")
    has_groups = True   # Pipenv's package categories

    def __init__(self, file: str, names: frozenset, app_dir: Path, lock: Optional[dict] = None,
                 groups: tuple = ()) -> None:
        super().__init__(file, names)
        self.app_dir = app_dir
        self.groups = groups    # the categories installed besides `default`
        # Parsed once, by detect: every question below is about this same lock.
        self.lock = lock if lock is not None else read_lock(app_dir)

    @classmethod
    def detect(cls, app_dir: Path) -> Optional["PipfileLock"]:
        if not (app_dir / "Pipfile.lock").is_file():
            if (app_dir / "Pipfile").is_file():
                raise errors.PipfileLockMissing()
            return None
        lock = read_lock(app_dir)
        names = frozenset(canonicalize_name(n) for n in (lock.get("default") or {}))
        return cls("Pipfile.lock", names, app_dir, lock)

    def select(self, groups: tuple, extras: tuple) -> "PipfileLock":
        if not groups:
            return self
        named = categories(self.lock)
        unknown = [g for g in groups if g not in named]
        if unknown:
            raise errors.SelectionUnknown("PYBUILDPACK_GROUPS", unknown, self.file, sorted(named))
        return type(self)(self.file, frozenset(locked_entries(self.lock, groups)), self.app_dir, self.lock, groups)

    def test_groups(self) -> tuple:
        """`develop`, the lock's category for the Pipfile's [dev-packages], when it has one."""
        return ("develop",) if self.lock.get("develop") else ()

    def python_requests(self) -> tuple:
        """`_meta.requires` of the lock: python_full_version, else python_version (both exact)."""
        requires = (self.lock.get("_meta") or {}).get("requires") or {}
        for key in ("python_full_version", "python_version"):
            if requires.get(key):
                return (_exact(str(requires[key]).strip(), "Pipfile.lock"),)
        return ()

    def install_files(self) -> Sequence[str]:
        return ["Pipfile.lock", "Pipfile"] if (self.app_dir / "Pipfile").is_file() else ["Pipfile.lock"]

    def lock_name(self, installer: str) -> Optional[str]:
        return LOCK_FILE if installer == "pip" else None

    @property
    def local_sources(self) -> bool:
        return any(isinstance(e, dict) and (e.get("path") or (e.get("file") and "://" not in str(e["file"])))
                   for _, e in locked_entries(self.lock, self.groups).values())

    def check_lock(self, context: InstallContext) -> None:
        if not (context.app_dir / "Pipfile").is_file():
            return
        locked = str(((self.lock.get("_meta") or {}).get("hash") or {}).get("sha256") or "")
        expected = pipfile_hashes(read_toml(context.app_dir / "Pipfile", "Pipfile"))
        if locked not in expected:
            raise errors.PipfileLockOutdated(locked, expected[0])

    def requirements(self, app_dir: Path) -> str:
        return requirements_text("Converted by pybuildpack from Pipfile.lock (do not edit)", index_lines(self.lock),
                                 pinned_packages(app_dir, self.lock, self.groups))

    def prefetch_request(self, app_dir: Path, scratch: Path, config: Mapping[str, str], groups: tuple = (),
                         extras: tuple = (), tools: Optional[Tools] = None,
                         env: Mapping[str, str] = {}) -> Optional[Request]:
        return converted_request(scratch, CONVERTED, self.requirements(app_dir))

    def install(self, context: InstallContext) -> None:
        check_source_variables(self.lock, context.env)
        install_converted(context, CONVERTED, self.requirements(context.app_dir), "Pipfile.lock")

    def describe(self) -> str:
        return "Pipfile.lock (Pipenv), default packages" + "".join(f" and {g}" for g in self.groups)
