"""Skipping collectstatic when nothing it reads changed.

The key is a content hash of what collectstatic reads, as the settings probe
lists it (steps/django.py `static_inputs`): every file the finders list (by
content), the installed packages the last collectstatic used (each by its
`*.dist-info/RECORD`, which lists every installed file with its hash;
used_packages.py: a new version of a package it never imported does not make
it run again), the source files of the
storage, finder and command classes, the static settings (STATIC_*,
STATICFILES_*, STORAGES["staticfiles"], INSTALLED_APPS, WHITENOISE_*, ...),
Python's and Django's versions, and the config vars. A digest per input is
stored beside the key, so a build that runs collectstatic says why.

After collectstatic, STATIC_ROOT's content is kept with the key (a platform's
`StaticCache`), with a digest of that content: a copy changed since (a hook
writing into a hardlinked file) is never restored. The key is never made,
and nothing skipped or stored, when a throwaway value stood in for a secret,
when the storage is not on the file system, or when listing the inputs failed.

    >>> key = static_key(inputs, "staticfiles", app_dir, env_prefix, {"SECRET_KEY": "x"}, stored.get("used"))
    >>> reasons(stored_metadata, key)    # ["static files changed: mysite/static/site.css"]
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Sequence

from .. import errors
from . import used_packages
from .digests import file_digest, parts_digest
from .relocate import site_packages_dirs

FORMAT = 2
# The inputs compared one by one, with the reason each gives when it differs.
LABELS = {
    "format": "the cache format changed",
    "settings": "settings changed",
    "packages": "packages changed",
    "code": "the static files storage or finder code changed",
    "config": "config vars changed",
}
META = ".pybuildpack-cache.json"   # cache.META: the entry's metadata, never part of the collected files
SHOWN_FILES = 3


@dataclass(frozen=True)
class StaticKey:
    digests: dict                                # input -> digest (LABELS)
    files: dict = field(default_factory=dict)    # collected name -> [source as shown, content digest]
    used: Optional[dict] = None                  # the packages the "packages" digest covers (used_packages.py)

    @property
    def key(self) -> str:
        files = json.dumps(self.files, sort_keys=True)
        return parts_digest(json.dumps(self.digests, sort_keys=True), files)[:32]

    def metadata(self) -> dict:
        return {"static_key": self.key, "digests": self.digests, "files": self.files, "used": self.used}


def _shown(source: str, app_dirs: Sequence[str], sites: Sequence[str]) -> str:
    for site in sites:
        if source.startswith(site + os.sep):
            return f"{os.path.relpath(source, site)} (installed package)"
    for root in app_dirs:
        if source.startswith(root + os.sep):
            return os.path.relpath(source, root)
    return source


def _packages(inputs: Mapping[str, object], used: Optional[Mapping[str, object]], env_prefix: Path) -> str:
    return parts_digest(str(inputs.get("python")), str(inputs.get("django")),
                        used_packages.digest(used, env_prefix))[:16]


def static_key(inputs: Mapping[str, object], static_root: str, app_dir: Path, env_prefix: Path,
               config: Mapping[str, str], used: Optional[Mapping[str, object]] = None) -> StaticKey:
    """The key of one build's collectstatic. `static_root` is STATIC_ROOT
    relative to the app (absolute paths differ between builds: Heroku's
    /tmp/build_<hex>); `config` the config vars (never stand-ins); `used` the
    packages the last collectstatic used (None: every installed package)."""
    roots = sorted({str(app_dir), os.path.realpath(app_dir)}, key=len, reverse=True)
    sites = [os.path.realpath(p) for p in site_packages_dirs(env_prefix)]
    settings = str(inputs.get("settings", ""))
    for root in roots:
        settings = settings.replace(root, "$APP")
    code = [f"{_shown(path, roots, sites)}:{file_digest(Path(path)) if os.path.isfile(path) else '-'}"
            for path in sorted(str(p) for p in inputs.get("code", ()))]
    files = {}
    for name, source in inputs.get("sources", ()):
        if name not in files:   # the first finder's file wins, as collectstatic's does
            files[name] = [_shown(source, roots, sites), file_digest(Path(source))]
    digests = {
        "format": str(FORMAT),
        "settings": parts_digest(settings, static_root, str(inputs.get("storage")))[:16],
        "packages": _packages(inputs, used, env_prefix),
        "code": parts_digest(*code)[:16],
        "config": parts_digest(*(f"{k}={v}" for k, v in sorted(config.items())))[:16],
    }
    return StaticKey(digests, files, dict(used) if isinstance(used, Mapping) else None)


def with_used(key: StaticKey, inputs: Mapping[str, object], used: Mapping[str, object], env_prefix: Path) -> StaticKey:
    """`key` for storing after collectstatic ran: keyed on the packages it used this time."""
    return StaticKey({**key.digests, "packages": _packages(inputs, used, env_prefix)}, key.files, dict(used))


def reasons(stored: Optional[Mapping[str, object]], key: StaticKey) -> list:
    """Why the stored entry does not match `key` ([] when it does)."""
    if not stored or not isinstance(stored.get("digests"), dict) or not isinstance(stored.get("files"), dict):
        return [errors.collectstatic_first_build() if not stored else errors.collectstatic_cache_unreadable()]
    found = [LABELS[name] for name, digest in key.digests.items() if stored["digests"].get(name) != digest]
    if found and found[0] == LABELS["format"]:
        return found[:1]
    old, new = stored["files"], key.files
    changed = sorted(name for name in set(old) | set(new) if old.get(name) != new.get(name))
    if LABELS["packages"] in found:
        changed = [n for n in changed if not str((new.get(n) or old.get(n))[0]).endswith("(installed package)")]
    if changed:
        shown = [str((new.get(n) or old.get(n))[0]) for n in changed]
        found.append(errors.static_files_changed(shown, SHOWN_FILES))
    if not found and stored.get("static_key") != key.key:
        found.append(LABELS["settings"])
    return found


def tree_digest(root: Path) -> tuple:
    """(number of files, digest of every path and content) of a collected tree."""
    entries = []
    for directory, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, root)
            if relative == META:
                continue
            content = "link:" + os.readlink(path) if os.path.islink(path) else file_digest(Path(path))
            entries.append(f"{relative}:{content}")
    return len(entries), parts_digest(*entries)[:32]


def is_empty(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


class StaticCache:
    """Where a platform keeps the collected files between builds. `fresh`:
    STATIC_ROOT starts empty on every build (Heroku, CNB), so a skip restores
    it; otherwise it persists where collectstatic left it (local), and a skip
    only checks it still holds what was collected. `ships`: the tree that
    ships; a STATIC_ROOT outside it is never cached."""

    fresh = True

    def __init__(self, ships: Path) -> None:
        self.ships = ships

    def stored(self) -> Optional[dict]:
        """The last entry's metadata, or None."""
        raise NotImplementedError

    def restore(self, static_root: Path) -> None:
        """Copy the entry's files to `static_root` (which does not exist)."""
        raise NotImplementedError

    def store(self, static_root: Path, metadata: Mapping[str, object]) -> None:
        """Replace the entry with `static_root`'s files and `metadata`; whole or not at all."""
        raise NotImplementedError

    def keep(self) -> None:
        """This build stores nothing: keep the last entry for the next one."""


class DirStaticCache(StaticCache):
    """A cached directory (cache.py): Heroku's CACHE_DIR/pybuildpack/django-static."""

    def __init__(self, ships: Path, path: Path) -> None:
        from ..cache import CachedDir

        super().__init__(ships)
        self.cached = CachedDir(path)

    def stored(self) -> Optional[dict]:
        self.cached.clean_leftovers()
        return self.cached.metadata() if self.cached.exists() else None

    def restore(self, static_root: Path) -> None:
        static_root.parent.mkdir(parents=True, exist_ok=True)
        self.cached.restore(static_root)

    def store(self, static_root: Path, metadata: Mapping[str, object]) -> None:
        self.cached.store(static_root, metadata)


class InPlaceStaticCache(StaticCache):
    """STATIC_ROOT stays where it is between builds (the local platform): only
    the metadata is kept, in `path`."""

    fresh = False

    def __init__(self, ships: Path, path: Path) -> None:
        super().__init__(ships)
        self.path = path

    def stored(self) -> Optional[dict]:
        from ..cache import read_json_object

        return read_json_object(self.path)

    def restore(self, static_root: Path) -> None:
        """Nothing to copy: the files are in place."""

    def store(self, static_root: Path, metadata: Mapping[str, object]) -> None:
        from ..cache import write_atomically

        write_atomically(self.path, json.dumps(dict(metadata), indent=2, sort_keys=True))


@dataclass
class Decision:
    """Skip (`skipped` files restored or in place) or run, with `why` and the
    key to store afterwards (None: store nothing)."""

    skipped: Optional[int] = None
    why: list = field(default_factory=list)
    key: Optional[StaticKey] = None


def decide(cache: Optional[StaticCache], settings, static_root: Path, app_dir: Path, env_prefix: Path,
           config: Mapping[str, str]) -> Decision:
    """Whether this build's collectstatic can be skipped; when it can, STATIC_ROOT
    is in place (restored from the cache on a fresh platform) on return."""
    if cache is None:
        return Decision()
    inputs = settings.static_inputs
    if settings.stand_ins:
        return Decision(why=[errors.collectstatic_stand_in(sorted(settings.stand_ins))])
    if not isinstance(inputs, dict):
        return Decision(why=[errors.collectstatic_inputs_unlisted()])
    if not inputs.get("local"):
        return Decision(why=[errors.collectstatic_storage_remote(str(inputs.get("storage")))])
    ships = os.path.realpath(cache.ships)
    root = os.path.realpath(static_root)
    if root != ships and not root.startswith(ships + os.sep):
        return Decision(why=[errors.collectstatic_root_outside(str(static_root))])
    stored = cache.stored()
    try:
        key = static_key(inputs, os.path.relpath(root, ships), app_dir, env_prefix, config,
                         stored.get("used") if stored else None)
    except OSError:   # a listed file vanished or is unreadable: collectstatic will say
        return Decision(why=[errors.collectstatic_inputs_unlisted()])
    if cache.fresh and not is_empty(static_root):
        return Decision(why=[errors.collectstatic_root_in_source()], key=key)
    why = reasons(stored, key)
    if why:
        return Decision(why=why, key=key)
    return _use(cache, stored, key, static_root, inputs.get("manifest"))


def _use(cache: StaticCache, stored: dict, key: StaticKey, static_root: Path, manifest: Optional[str]) -> Decision:
    """Put the stored files in place and check them against what was collected."""
    import shutil

    try:
        if cache.fresh:
            if static_root.exists():
                shutil.rmtree(static_root)
            cache.restore(static_root)
        count, digest = tree_digest(static_root) if static_root.is_dir() else (0, "")
    except OSError:   # an unreadable copy is no copy: collectstatic writes a new one
        count, digest = 0, None
    problem = None
    if digest != stored.get("output"):
        problem = errors.collectstatic_copy_changed(cache.fresh)
    elif manifest and not (static_root / manifest).is_file():
        problem = errors.collectstatic_manifest_missing(manifest)
    if problem is None:
        return Decision(skipped=count)
    if cache.fresh:
        shutil.rmtree(static_root, ignore_errors=True)
    return Decision(why=[problem], key=key)


def store(cache: StaticCache, key: StaticKey, static_root: Path) -> None:
    """Keep what collectstatic wrote, with the key (`with_used`) and a digest of it."""
    count, digest = tree_digest(static_root)
    cache.store(static_root, {**key.metadata(), "output": digest, "count": count})
