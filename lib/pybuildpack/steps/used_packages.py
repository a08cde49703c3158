"""Which installed packages a build process used, and a digest of just those.

The settings probe, `check --deploy`, collectstatic and the servers' import
check are skipped when nothing they read changed (django_cache.py,
static_cache.py, build.start_server_check). Keying them on every installed
package would rerun them all when any package changed, even one they never
import (a new `requests` for a view's HTTP calls). So each runs with a
recorder (used_recorder/sitecustomize.py) that notes what it used (and which
files it opened: `opened`), and the next build compares only that:

- each distribution that owns a module the process found (imported, or looked
  up with find_spec), by the digest of its RECORD (every file it installed,
  with its hash), and each whose metadata the process read;
- each top-level name the process looked up and did not find, by whether an
  installed file now provides it (`try: import brotli` changes WhiteNoise's output);
- a module file in site-packages that no distribution owns, by its content,
  and one outside the app, the environment and the runtime, likewise;
- every `.pth` file, which Python runs at every start. (An `entry_points.txt`
  is read through the metadata: enumerating entry points reads every
  distribution's, so every distribution counts then.)
- every package, as before, when the process imported pkg_resources or read
  metadata in a way the recorder cannot follow, or an installed package has
  no RECORD (an egg).

Modules of Python's standard library are left out (the callers key Python's
version), and so are the app's own unless asked for (the Django steps key
every file of the app themselves).

    >>> recording = Recording(Path(tmp))
    >>> run(argv, env=recording.env(env, "check"))
    >>> used = summarize([recording.read("check")], env_prefix, app_dir)
    >>> digest(used, env_prefix)        # the same until a package it used changes
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path
from typing import Iterable, Mapping, Optional

from .digests import file_digest, parts_digest
from .relocate import site_packages_dirs

RECORDER_DIR = Path(__file__).parent / "used_recorder"
USED_FILE_VAR = "PYBUILDPACK_USED_FILE"
# A stored summary of what a process used; anything else reads as "used everything".
FORMAT = 1
_DIST_INFO = re.compile(r"^(?P<name>[^-]+)-[^-]+\.dist-info$")
# How a top-level module's file or directory may be named in site-packages.
_MODULE_FILE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\.[^.]*)?\.(?:py|pyc|so|pyd)$")


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _file_hash(path: str) -> str:
    """file_digest, or "-" for a file that is gone or unreadable."""
    try:
        return file_digest(Path(path))
    except OSError:
        return "-"


class Recording:
    """Where the recorded processes of one build write what they used."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def env(self, env: Mapping[str, str], name: str) -> dict:
        """`env` for a process that records into `name` (its last run's record wins)."""
        self.path(name).unlink(missing_ok=True)
        child = dict(env)
        child["PYTHONPATH"] = os.pathsep.join(p for p in (str(RECORDER_DIR), env.get("PYTHONPATH", "")) if p)
        child[USED_FILE_VAR] = str(self.path(name))
        return child

    def read(self, name: str) -> Optional[dict]:
        """What the process used; None when it wrote nothing (it was killed or
        left by os._exit, or the recorder did not run)."""
        try:
            data = json.loads(self.path(name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not all(isinstance(data.get(k), list)
                                                 for k in ("files", "missing", "metadata", "prefixes")):
            return None
        return data


class _Site:
    """The distributions installed in the environment's site-packages."""

    def __init__(self, env_prefix: Path) -> None:
        self.dirs = [os.path.realpath(p) for p in site_packages_dirs(env_prefix)]
        self.listing = {site: sorted(os.listdir(site)) for site in self.dirs}
        self.dists = {}     # normalized name -> path of its .dist-info
        self.eggs = False
        for site, names in self.listing.items():
            for entry in names:
                found = _DIST_INFO.match(entry)
                if found:
                    self.dists.setdefault(_normalize(found.group("name")), os.path.join(site, entry))
                elif entry.endswith((".egg-info", ".egg-link", ".egg")):
                    self.eggs = True

    def record_hash(self, name: str) -> str:
        path = self.dists.get(name)
        return _file_hash(os.path.join(path, "RECORD")) if path else "-"

    def site_of(self, path: str) -> Optional[str]:
        return next((s for s in self.dirs if path.startswith(s + os.sep)), None)

    def owners(self) -> dict:
        """Top-level entry of site-packages ("requests", "six.py") -> names of the distributions with files in it."""
        owners: dict = {}
        for name, info in self.dists.items():
            try:
                with open(os.path.join(info, "RECORD"), newline="", encoding="utf-8") as handle:
                    tops = {row[0].split("/", 1)[0] for row in csv.reader(handle) if row}
            except (OSError, UnicodeDecodeError, csv.Error):
                continue
            for top in tops - {"", ".", ".."}:   # `../../bin/x`: a script, outside site-packages
                owners.setdefault(top, set()).add(name)
        return owners

    def provided(self) -> set:
        """The top-level modules installed: package directories and module files."""
        return {name for entries in self.listing.values() for name in self._names(entries)}

    @staticmethod
    def _names(entries: Iterable[str]) -> set:
        names = set()
        for entry in entries:
            found = _MODULE_FILE.match(entry)
            names.add(found.group("name") if found else entry)
        return names

    @staticmethod
    def modules_in(directory: str) -> set:
        """The top-level modules in `directory` (none when it cannot be listed)."""
        try:
            return _Site._names(os.listdir(directory))
        except OSError:
            return set()

    def pth_files(self) -> list:
        """Every .pth file, by content."""
        return [f"pth:{entry}:{_file_hash(os.path.join(site, entry))}"
                for site, names in self.listing.items() for entry in names if entry.endswith(".pth")]


def _tree_hash(root: str) -> str:
    if not os.path.isdir(root):
        return _file_hash(root)
    parts = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                path = os.path.join(directory, name)
                parts.append(f"{os.path.relpath(path, root)}:{_file_hash(path)}")
    return parts_digest(*parts)


def summarize(records: Iterable[Optional[dict]], env_prefix: Path, app_dir: Path, keep_app: bool = False) -> dict:
    """What the recorded processes used, by name (stored with the results they
    made; `digest` turns it into a comparable value). A missing record (None)
    counts as having used everything. Files under `app_dir` are left out (the
    caller keys those itself), unless `keep_app`: then they count as files."""
    site = _Site(env_prefix)
    packages, unowned, files, missing = set(), set(), set(), set()
    everything = site.eggs
    recorder = os.path.realpath(RECORDER_DIR)
    app = os.path.realpath(app_dir)
    owners = None
    for record in records:
        if record is None or record.get("everything"):
            everything = True
            continue
        prefixes = [str(p) for p in record["prefixes"]]
        for path in map(str, record["files"]):
            where = site.site_of(path)
            if where is not None:
                owners = site.owners() if owners is None else owners
                top = os.path.relpath(path, where).split(os.sep)[0]
                if top in owners:
                    packages.update(owners[top])
                else:
                    unowned.add(top)
            elif path.startswith(recorder + os.sep):
                continue
            elif any(path.startswith(p + os.sep) for p in prefixes) \
                    and not {"site-packages", "dist-packages"} & set(path.split(os.sep)):
                continue   # the standard library: Python's version keys it
            elif keep_app or not (path == app or path.startswith(app + os.sep)):
                files.add(path)
        for path in map(str, record["metadata"]):
            found = _DIST_INFO.match(os.path.basename(path))
            if found and site.site_of(path) is not None:
                packages.add(_normalize(found.group("name")))
            else:
                everything = True
        missing.update(str(name) for name in record["missing"])
    return {"format": FORMAT, "everything": everything, "packages": sorted(packages),
            "unowned": sorted(unowned), "files": sorted(files), "missing": sorted(missing)}


def kept(used: Mapping[str, object], env_prefix: Path, search: Iterable[Path] = ()) -> dict:
    """What to store beside a result so that `holds` can tell whether it still does."""
    return {"used": dict(used), "used_digest": digest(used, env_prefix, search)}


def holds(stored: Optional[Mapping[str, object]], env_prefix: Path, search: Iterable[Path] = ()) -> bool:
    """Whether what `kept` stored in `stored` is as it was."""
    return isinstance(stored, Mapping) and isinstance(stored.get("used_digest"), str) \
        and digest(stored.get("used"), env_prefix, search) == stored["used_digest"]


def opened(records: Iterable[Optional[dict]], paths: Iterable[Path]) -> list:
    """Those of `paths` the recorded processes opened: all of them when a
    record is missing or its Python could not tell (before 3.8)."""
    paths = list(paths)
    seen: set = set()
    for record in records:
        if record is None or not isinstance(record.get("opened"), list):
            return paths
        seen.update(map(str, record["opened"]))
    return [path for path in paths if os.path.realpath(path) in seen]


def digest(used: Optional[Mapping[str, object]], env_prefix: Path, search: Iterable[Path] = ()) -> str:
    """A digest of the current state of what `used` (from `summarize`) names.
    `search`: directories besides site-packages on the processes' path (the
    app's, for a process run in it), where a missing module may appear."""
    site = _Site(env_prefix)
    valid = isinstance(used, Mapping) and used.get("format") == FORMAT and all(
        isinstance(used.get(k), list) for k in ("packages", "unowned", "files", "missing"))
    if not valid or used.get("everything") or site.eggs:
        return "all:" + parts_digest(*(f"{name}:{site.record_hash(name)}" for name in sorted(site.dists)),
                              *site.pth_files())
    parts = [f"package:{name}:{site.record_hash(name)}" for name in used["packages"]]
    for top in used["unowned"]:
        where = next((s for s in site.dirs if os.path.lexists(os.path.join(s, top))), None)
        parts.append(f"unowned:{top}:{_tree_hash(os.path.join(where, top)) if where else '-'}")
    parts += [f"file:{path}:{_file_hash(path)}" for path in used["files"]]
    provided = site.provided() | {name for path in search for name in _Site.modules_in(str(path))}
    parts += [f"missing:{name}:{name in provided}" for name in used["missing"]]
    return parts_digest(*parts, *site.pth_files())
