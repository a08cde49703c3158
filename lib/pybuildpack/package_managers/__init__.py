"""The ways an app can declare its dependencies, one module each, and which one a build uses.

Adding a package manager: a module here with a `PackageManager` subclass, and
one line in `MANAGERS` (or `FALLBACKS`, for files that describe a project
rather than lock its dependencies). An app with none of their files (and none
of the files in `NOT_INSTALLED`) gets `NoDependencies`: only what pybuildpack
adds is installed.

No dependency file is ever silently ignored. An app with the files of several
package managers must say which one it deploys with (PYBUILDPACK_PACKAGE_MANAGER)
or delete the others; an app whose only dependency files are ones pybuildpack
cannot install from fails, instead of building green without its packages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .. import errors
from ..config import Origin
from ..inspect.files import not_a_regular_file
from .base import PackageManager
from .none import NoDependencies
from .pipfile_lock import PipfileLock
from .poetry_lock import PoetryLock
from .pylock import Pylock
from .pyproject import Pyproject
from .requirements_in import RequirementsIn
from .requirements_txt import RequirementsTxt
from .setup_py import SetupPy
from .uv_lock import UvLock

MANAGERS = (
    RequirementsTxt,
    RequirementsIn,
    UvLock,
    PoetryLock,
    PipfileLock,
    Pylock,
)
# Tried in order only when the app has none of MANAGERS' files: beside a lock or a
# requirements file, pyproject.toml and setup.py describe the project, not how to
# install its dependencies.
FALLBACKS = (
    Pyproject,
    SetupPy,
)
# Dependency files of tools pybuildpack does not install from yet, by tool.
NOT_INSTALLED = (
    ("pdm", ("pdm.lock",)),
    ("conda", ("environment.yml", "environment.yaml")),
)
CHOICE_VAR = "PYBUILDPACK_PACKAGE_MANAGER"
# requirements.in beside requirements.txt is pip-tools' own layout (the .txt is
# compiled from the .in), not two package managers: requirements.txt is installed.
COMPILED_INTO = {"requirements-in": "requirements"}


@dataclass(frozen=True)
class Choice:
    """The package manager a build uses, why, and the dependency files it leaves alone."""

    manager: PackageManager
    origin: str
    not_installed_from: tuple = ()


def kinds() -> tuple:
    return tuple(manager.kind for manager in MANAGERS + FALLBACKS)


def chosen_kind(config_value: Optional[str], where: Optional[Origin] = None) -> Optional[str]:
    """The kind PYBUILDPACK_PACKAGE_MANAGER names (None when unset or empty);
    `where` is the value's origin when it is the `package-manager` setting."""
    if config_value is None or not config_value.strip():
        return None
    value = config_value.strip().lower()
    if value not in kinds():
        allowed = ", ".join(f"`{kind}`" for kind in kinds()[:-1]) + f" or `{kinds()[-1]}`"
        raise errors.ConfigVarInvalid(where or CHOICE_VAR, repr(value), allowed)
    return value


def check_regular_files(app_dir: Path) -> None:
    """A dependency file that is a directory or a dangling symlink would be
    passed over as absent, building green with nothing installed: an error."""
    names = [n for m in MANAGERS + FALLBACKS for n in m.files] + [n for _, ns in NOT_INSTALLED for n in ns]
    for name in dict.fromkeys(names):
        why = not_a_regular_file(app_dir / name)
        if why:
            raise errors.DependencyFileNotAFile(name, why[len("it is "):] if why.startswith("it is ")
                                                else f"unreadable ({why})")


def choose(app_dir: Path, config_value: Optional[str] = None, where: Optional[Origin] = None) -> Choice:
    """The package manager the app uses, given PYBUILDPACK_PACKAGE_MANAGER's
    value (or the `package-manager` setting's, as `where` says); a UserError when
    that is ambiguous or when its files cannot be installed."""
    where = where or Origin(CHOICE_VAR)
    wanted = chosen_kind(config_value, where)
    check_regular_files(app_dir)
    present = {m.kind: (m, files) for m in MANAGERS for files in [m.found_files(app_dir)] if files}
    unsupported = [(tool, files) for tool, names in NOT_INSTALLED
                   for files in [[n for n in names if (app_dir / n).is_file()]] if files]
    every_file = [f for _, files in present.values() for f in files] + [f for _, files in unsupported for f in files]

    if wanted is not None:
        fallback = next((m for m in FALLBACKS if m.kind == wanted), None)
        found = fallback.detect(app_dir, beside_locks=True) if fallback is not None else None
        if found is not None:
            return Choice(found, str(where), tuple(f for f in every_file if f != found.file))
        if wanted not in present:
            manager = next(m for m in MANAGERS + FALLBACKS if m.kind == wanted)
            raise errors.PackageManagerFileMissing(where, wanted, manager.files)
        cls, files = present[wanted]
        return Choice(cls.detect(app_dir), str(where),
                      tuple(f for f in every_file if f not in files))

    found = [(f, cls.tool) for cls, files in present.values() for f in files]
    found += [(f, tool) for tool, files in unsupported for f in files]
    for kind, into in COMPILED_INTO.items():
        if kind in present and into in present:
            del present[kind]
    if not present and unsupported:
        try:
            project = Pyproject.detect(app_dir, beside_locks=True)
        except errors.UserError:   # pyproject.toml's own problem is not this error's
            project = None
        raise errors.DependencyFilesNotInstalled(unsupported, project.file if project and project.names else None)
    if len(present) + len(unsupported) > 1:
        raise errors.SeveralPackageManagers(found, CHOICE_VAR, kinds(), list(present)[-1])
    if present:
        (cls, files), = present.values()
        return Choice(cls.detect(app_dir), ", ".join(files))
    for fallback in FALLBACKS:
        found = fallback.detect(app_dir)
        if found is not None:
            return Choice(found, found.file)
    return Choice(NoDependencies(), "no dependency file")


def find(app_dir: Path) -> PackageManager:
    """The package manager the app uses, with no PYBUILDPACK_PACKAGE_MANAGER set."""
    return choose(app_dir).manager
