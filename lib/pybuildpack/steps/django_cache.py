"""Skipping the Django settings probe and `check --deploy` when nothing they read changed.

Both import the app's settings (and the check, its models and URLs) in the
app's environment: about 0.2 s and 0.35 s of every Django build, even one
that changed nothing. Their results are kept with a key of what they read:

- every file of the app, by content (its own directories, `.git`,
  `__pycache__`, compiled files, the environment, the build's state and the
  collected static files left out; an app over MAX_FILES files or MAX_BYTES
  bytes is never skipped: hashing it could cost more than the check), but
  the files that declare the app's packages and Python (DECLARATIONS) by
  presence alone when the last probe and check never opened them: a changed
  pin changes the packages, which count as below;
- Python's version, and the installed packages the probe and the check used
  (used_packages.py: a package neither imported, such as a new `requests`
  that only the views call, reruns neither);
- the settings module and the names of the stand-ins the settings needed
  (their values are throwaway: a new one is made on every build);
- the config vars (hashed with the rest, never stored);
- pybuildpack's own code these steps run (this file, steps/django.py, the
  recorder and the launch package's settings wrapper).

When the key matches, the probe's result is used again and the check's
findings are shown again, marked as unchanged. Paths in the result that are
in the app are stored relative to it (Heroku builds in a new /tmp/build_<hex>
every time). A check that crashed is never kept.

    >>> key = django_key(app_dir, skip, "mysite.settings", "3.12.1", {"SECRET_KEY": "x"})
    >>> record(key, settings, check, app_dir, used, env_prefix)   # stored by the platform, read back by `reuse`
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
from . import used_packages
from .digests import file_digest, parts_digest

FORMAT = 2
MAX_FILES = 20_000
MAX_BYTES = 200 * 1024 * 1024
# Never part of what the settings or the check read: version control, compiled code.
_SKIPPED_NAMES = frozenset({".git", ".hg", ".svn", "__pycache__"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
# Stands for the app's directory in a stored record.
_APP = "@PYBUILDPACK_APP@"
# The app's files, at its top, that declare its packages and Python: the build reads them, the settings seldom do.
DECLARATIONS = ("requirements.txt", "requirements.in", "pyproject.toml", "uv.lock", "poetry.lock", "Pipfile",
                "Pipfile.lock", "pylock.toml", "runtime.txt", ".python-version")
_OWN_CODE = (Path(__file__), Path(django_step.__file__), LAUNCH_SOURCE / "django_settings.py",
             Path(used_packages.__file__), used_packages.RECORDER_DIR / "sitecustomize.py")


def app_digest(app_dir: Path, skip: Iterable[Path], by_presence: Iterable[Path] = ()) -> Optional[str]:
    """A digest of every file under `app_dir` (path and content; a symlink by
    its target; those in `by_presence` by path alone), except those under
    `skip`; None when the app is too big."""
    skipped = {os.path.realpath(path) for path in skip}
    present = {os.path.realpath(path) for path in by_presence}
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
            elif os.path.realpath(path) in present:
                content = "present"
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


def django_key(app_dir: Path, skip: Iterable[Path], settings_module: str, python_version: str,
               config: Mapping[str, str], unread: Iterable[str] = ()) -> Optional[str]:
    """The key of what the probe and the check read, but the packages (stored
    beside it: `record`); `unread`: the DECLARATIONS the last run did not open
    (`unread_declarations`). None: never skip."""
    files = app_digest(app_dir, skip, [app_dir / name for name in unread if name in DECLARATIONS])
    if files is None:
        return None
    return parts_digest(str(FORMAT), files, settings_module, python_version,
                        *(f"{k}={v}" for k, v in sorted(config.items())),
                        *(file_digest(path) if path.is_file() else "-" for path in _OWN_CODE))[:32]


def stored_unread(stored: Optional[Mapping[str, object]]) -> list:
    """The DECLARATIONS the run that made `stored` did not open ([] when unknown)."""
    unread = stored.get("unread") if isinstance(stored, Mapping) else None
    return [name for name in unread if name in DECLARATIONS] if isinstance(unread, list) else []


def unread_declarations(app_dir: Path, records: Iterable[Optional[dict]]) -> list:
    """The DECLARATIONS none of the recorded processes opened (used_packages.Recording)."""
    read = used_packages.opened(records, [app_dir / name for name in DECLARATIONS])
    return [name for name in DECLARATIONS if app_dir / name not in read]


def _app_forms(app_dir: Path) -> list:
    """The app's directory as it may appear in the probe's results (JSON-escaped),
    longest first, so that the longer of a path and its realpath is replaced first."""
    forms = {str(app_dir), os.path.realpath(app_dir)}
    return sorted((json.dumps(form)[1:-1] for form in forms), key=len, reverse=True)


def record(key: str, settings: "django_step.DjangoSettings", check: "django_step.DeployCheck",
           app_dir: Path, used: Mapping[str, object], env_prefix: Path, unread: Iterable[str] = ()) -> Optional[dict]:
    """What is stored for the next build; None when nothing may be (a crashed
    check). `used`: what the probe and the check used (used_packages.summarize);
    `unread`: the DECLARATIONS they did not open, as `key` was made."""
    if check.crashed:
        return None
    fields = asdict(settings)
    fields["stand_ins"] = sorted(settings.stand_ins)   # names only: values are never stored
    text = json.dumps(fields, sort_keys=True)
    for form in _app_forms(app_dir):
        text = text.replace(form, _APP)
    return {"format": FORMAT, "key": key, "settings": text,
            "findings": [list(finding) for finding in check.findings],
            **used_packages.kept(used, env_prefix), "unread": list(unread)}


def reuse(stored: Optional[Mapping[str, object]], key: Optional[str], app_dir: Path,
          env: Mapping[str, str], env_prefix: Optional[Path]
          ) -> Optional[Tuple["django_step.DjangoSettings", "django_step.DeployCheck"]]:
    """The stored probe result and check findings when `key` matches and the
    packages they used are unchanged, else None (`env_prefix` None: the
    packages are not compared, for reading the last build's settings).
    Stand-ins get new throwaway values (given by `stand_ins.stand_in`)."""
    if key is None or not isinstance(stored, Mapping) or stored.get("format") != FORMAT \
            or stored.get("key") != key:
        return None
    if env_prefix is not None and not used_packages.holds(stored, env_prefix):
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
