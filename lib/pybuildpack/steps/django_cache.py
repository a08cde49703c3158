"""Skipping the Django settings probe and `check --deploy` when nothing they read changed.

Both import the app's settings (and the check, its models and URLs) in the
app's environment: about 0.2 s and 0.35 s of every Django build, even one
that changed nothing. Their results are kept with a key of what they read:

- every file of the app, by content (its own directories, `.git`,
  `__pycache__`, compiled files, the environment, the build's state and the
  collected static files left out; an app over MAX_FILES files or MAX_BYTES
  bytes is never skipped: hashing it could cost more than the check);
- the environment's packages (each `*.dist-info/RECORD`, as static_cache.py
  keys them) and Python's version;
- the settings module and the names of the stand-ins the settings needed
  (their values are throwaway: a new one is made on every build);
- the config vars (hashed with the rest, never stored);
- pybuildpack's own code these steps run (this file, steps/django.py and the
  launch package's settings wrapper).

When the key matches, the probe's result is used again and the check's
findings are shown again, marked as unchanged. Paths in the result that are
in the app are stored relative to it (Heroku builds in a new /tmp/build_<hex>
every time). A check that crashed is never kept.

    >>> key = django_key(app_dir, skip, env_prefix, "mysite.settings", "3.12.1", {"SECRET_KEY": "x"})
    >>> record(key, settings, check, app_dir)       # stored by the platform, read back by `reuse`
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Iterable, Mapping, Optional, Tuple

from ..launch_config import LAUNCH_SOURCE
from . import django as django_step
from . import stand_ins as stand_ins_module
from .static_cache import file_digest, packages_digest

FORMAT = 1
MAX_FILES = 20_000
MAX_BYTES = 200 * 1024 * 1024
# Never part of what the settings or the check read: version control, compiled code.
_SKIPPED_NAMES = frozenset({".git", ".hg", ".svn", "__pycache__"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
# Stands for the app's directory in a stored record.
_APP = "@PYBUILDPACK_APP@"
_OWN_CODE = (Path(__file__), Path(django_step.__file__), LAUNCH_SOURCE / "django_settings.py")


def app_digest(app_dir: Path, skip: Iterable[Path]) -> Optional[str]:
    """A digest of every file under `app_dir` (path and content; a symlink by
    its target), except those under `skip`; None when the app is too big."""
    skipped = {os.path.realpath(path) for path in skip}
    digest = hashlib.sha256()
    count = size = 0
    for directory, dirs, files in os.walk(app_dir):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_NAMES
                         and os.path.realpath(os.path.join(directory, d)) not in skipped)
        for name in sorted(files):
            if name.endswith(_SKIPPED_SUFFIXES):
                continue
            path = os.path.join(directory, name)
            if os.path.realpath(path) in skipped:
                continue
            relative = os.path.relpath(path, app_dir)
            if os.path.islink(path):
                content = "link:" + os.readlink(path)
            else:
                try:
                    size += os.path.getsize(path)
                    content = file_digest(Path(path))
                except OSError:   # unreadable or vanished: the probe meets it and says
                    return None
            count += 1
            if count > MAX_FILES or size > MAX_BYTES:
                return None
            digest.update(f"{relative}\0{content}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def django_key(app_dir: Path, skip: Iterable[Path], env_prefix: Path, settings_module: str, python_version: str,
               config: Mapping[str, str]) -> Optional[str]:
    """The key of what the probe and the check read; None: never skip."""
    files = app_digest(app_dir, skip)
    if files is None:
        return None
    digest = hashlib.sha256()
    for part in (str(FORMAT), files, packages_digest(env_prefix), settings_module, python_version,
                 *(f"{k}={v}" for k, v in sorted(config.items())),
                 *(file_digest(path) if path.is_file() else "-" for path in _OWN_CODE)):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()[:32]


def _app_forms(app_dir: Path) -> list:
    """The app's directory as it may appear in the probe's results (JSON-escaped),
    longest first, so that the longer of a path and its realpath is replaced first."""
    forms = {str(app_dir), os.path.realpath(app_dir)}
    return sorted((json.dumps(form)[1:-1] for form in forms), key=len, reverse=True)


def record(key: str, settings: "django_step.DjangoSettings", check: "django_step.DeployCheck",
           app_dir: Path) -> Optional[dict]:
    """What is stored for the next build; None when nothing may be (a crashed check)."""
    if check.crashed:
        return None
    fields = asdict(settings)
    fields["stand_ins"] = sorted(settings.stand_ins)   # names only: values are never stored
    text = json.dumps(fields, sort_keys=True)
    for form in _app_forms(app_dir):
        text = text.replace(form, _APP)
    return {"format": FORMAT, "key": key, "settings": text,
            "findings": [list(finding) for finding in check.findings]}


def reuse(stored: Optional[Mapping[str, object]], key: Optional[str], app_dir: Path,
          env: Mapping[str, str]) -> Optional[Tuple["django_step.DjangoSettings", "django_step.DeployCheck"]]:
    """The stored probe result and check findings when `key` matches, else None.
    Stand-ins get new throwaway values (given by `stand_ins.stand_in`)."""
    if key is None or not isinstance(stored, Mapping) or stored.get("format") != FORMAT \
            or stored.get("key") != key:
        return None
    try:
        text = str(stored["settings"]).replace(_APP, json.dumps(os.path.realpath(app_dir))[1:-1])
        fields = json.loads(text)
        given = {}
        for name in fields.pop("stand_ins"):
            value = stand_ins_module.next_stand_in(name, env, given)
            if value is None:
                return None
            given[name] = value
        settings = django_step.DjangoSettings(**fields, stand_ins=given)
        findings = [(str(ident), str(message)) for ident, message in stored["findings"]]
    except (KeyError, TypeError, ValueError):
        return None
    return settings, django_step.DeployCheck(findings, None)


class DjangoRecord:
    """Where a platform keeps the record between builds: one JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Optional[dict]:
        from ..cache import read_json_object

        return read_json_object(self.path)

    def save(self, data: Optional[Mapping[str, object]]) -> None:
        """Store `data`; None removes the last record (it no longer holds)."""
        from ..cache import write_atomically

        if data is None:
            self.path.unlink(missing_ok=True)
            return
        write_atomically(self.path, json.dumps(dict(data), indent=2, sort_keys=True))
