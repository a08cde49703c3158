"""The ways an app can declare its dependencies, one module each.

Adding a package manager: a module here with a `PackageManager` subclass, and
one line in `MANAGERS` (earlier entries win when an app has several files).
An app with none of their files gets `NoDependencies`: only what pybuildpack
adds is installed.
"""

from __future__ import annotations

from pathlib import Path

from .base import PackageManager
from .none import NoDependencies
from .pylock import Pylock
from .pyproject import Pyproject
from .requirements_in import RequirementsIn
from .requirements_txt import RequirementsTxt
from .setup_py import SetupPy

MANAGERS = (
    RequirementsTxt,
    RequirementsIn,
    Pylock,
    Pyproject,
    SetupPy,
)
# Dependency files no module installs from yet: the build warns about them.
UNSUPPORTED = ("Pipfile", "Pipfile.lock", "poetry.lock", "uv.lock")


def find(app_dir: Path) -> PackageManager:
    """The package manager the app uses."""
    for manager in MANAGERS:
        found = manager.detect(app_dir)
        if found is not None:
            return found
    return NoDependencies()


def unsupported_files(app_dir: Path) -> tuple:
    """Dependency files in the app that no package manager installs from."""
    return tuple(name for name in UNSUPPORTED if (app_dir / name).is_file())
