"""setup.py or setup.cfg, with no pyproject.toml `[project]` table: the app is a package.

The app itself (`.`) is installed, not editable, with the dependencies its
setup files declare (`install_requires`), so the environment keeps working
after the app moves from the build directory to /app. Heroku's buildpack
stopped doing this; pybuildpack keeps it, and says so in the log, because an
app whose only dependency file is setup.py otherwise builds green with none
of its packages and fails at boot. A setup.py that fails fails the build.

With PYBUILDPACK_INSTALLER=pip, pip-compile resolves the app's file URL (its
dependencies come from building its metadata) and pip-sync installs the lock,
rebuilding the app every time, as uv's `--reinstall-package` would.
"""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Optional, Sequence

from packaging.utils import canonicalize_name

from .. import errors
from ..inspect.files import read_app_text
from ..inspect.pyproject import read_pyproject
from ..steps import dependencies as deps
from .base import LOCK_FILE, InstallContext, PackageManager
from .pyproject import LOCKS, pip_build_failed, requirement_names
from .requirements_txt import sync

PIP_REQUIREMENTS = "setup-py-requirements.in"


def _setup_cfg_names(path: Path) -> set:
    """install_requires from setup.cfg's [options] (one requirement a line)."""
    parser = configparser.ConfigParser(interpolation=None)
    text = read_app_text(path, path.name)  # parser.read() would skip a file it cannot read
    try:
        parser.read_string(text, source=path.name)
        value = parser.get("options", "install_requires", fallback="")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise errors.FileUnreadable(path.name, str(exc))
    lines = [line.split("#", 1)[0].strip() for line in value.splitlines()]
    return requirement_names([line for line in lines if line])


class SetupPy(PackageManager):
    kind = "setup-py"
    files = ("setup.py", "setup.cfg")

    @classmethod
    def detect(cls, app_dir: Path, beside_locks: bool = False) -> Optional["SetupPy"]:
        """`beside_locks`: found even beside a lock (PYBUILDPACK_PACKAGE_MANAGER chose it)."""
        present = [name for name in cls.files if (app_dir / name).is_file()]
        if not present or (not beside_locks and any((app_dir / lock).is_file() for lock in LOCKS)):
            return None
        data = read_pyproject(app_dir)
        if data is not None and isinstance(data.get("project"), dict):
            return None  # pyproject.toml's [project] describes the package
        # setup.py's install_requires is code: its names are known only after a build.
        names = _setup_cfg_names(app_dir / "setup.cfg") if "setup.cfg" in present else set()
        found = cls(present[0], frozenset(canonicalize_name(n) for n in names))
        found.inputs = tuple(n for n in (*cls.files, "pyproject.toml") if (app_dir / n).is_file())
        return found

    @property
    def local_sources(self) -> bool:
        return True  # the app's own code is built into the environment

    inputs: tuple = ()

    def install_files(self) -> Sequence[str]:
        """setup.py, setup.cfg and pyproject.toml (its [build-system]), those present."""
        return list(self.inputs) or [self.file]

    def lock_name(self, installer: str) -> Optional[str]:
        return LOCK_FILE if installer == "pip" else None

    def install(self, context: InstallContext) -> None:
        c = context
        c.log.detail(errors.installing_setup_py(self.file))
        if c.installer == "pip":
            requirements = c.state_dir / PIP_REQUIREMENTS
            requirements.parent.mkdir(parents=True, exist_ok=True)
            requirements.write_text(f"# Written by pybuildpack for pip-compile: the app itself\n"
                                    f"{Path(c.app_dir).resolve().as_uri()}\n")
            try:
                sync(c, [str(requirements)], self.file)
            except errors.RequirementsCompileFailed as failed:
                if pip_build_failed(failed.output, c.app_dir):
                    raise errors.SetupPyFailed(self.file, "pip-compile (building the app's metadata)",
                                               failed.output, "pip") from None
                raise
            return
        deps.install_with_uv(c.tools, c.python, c.app_dir, [], c.added_file, c.prefix, c.env, c.config, c.log,
                             args=["."], label=self.file,
                             failed=lambda command, output: (
                                 errors.SetupPyFailed(self.file, command, output)
                                 if deps.app_build_failed(output, c.app_dir)
                                 else errors.DependencyInstallFailed(self.file, "uv", command, output)))

    def describe(self) -> str:
        return f"{self.file}: the app itself (.) and the dependencies it declares"
