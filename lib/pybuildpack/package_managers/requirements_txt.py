"""requirements.txt: pip's requirements file, installed as it is.

With uv (the default) one `uv pip install --exact` resolves and syncs. With
pip (PYBUILDPACK_INSTALLER=pip) pip-compile resolves the file into a lock and
pip-sync makes the environment match it. Both remove what the file no longer
names and keep what the runtime shipped with (pip, setuptools).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from ..inspect.dependencies import requirement_names
from ..steps import dependencies as deps
from .base import LOCK_FILE, InstallContext, PackageManager


class RequirementsTxt(PackageManager):
    kind = "requirements"
    tool = "pip"
    files = ("requirements.txt",)

    @classmethod
    def detect(cls, app_dir: Path) -> Optional["RequirementsTxt"]:
        name = cls.files[0]
        if not (app_dir / name).is_file():
            return None
        return cls(name, frozenset(requirement_names(app_dir / name, app_dir)))

    def install_files(self) -> Sequence[str]:
        return [self.file] if self.file else []

    def lock_name(self, installer: str) -> Optional[str]:
        return LOCK_FILE if installer == "pip" else None

    def install(self, context: InstallContext) -> None:
        sync(context, self.install_files())

    def describe(self) -> str:
        return str(self.file)


def sync(context: InstallContext, files: Sequence[str], label: Optional[str] = None) -> None:
    """Make the environment match `files` plus the added requirements, exactly.
    `label` names the requirements in messages (default: the files)."""
    c = context
    label = label or ", ".join(files) or "the added packages"
    if c.installer == "uv":
        deps.install_with_uv(c.tools, c.python, c.app_dir, files, c.added_file, c.prefix, c.env, c.config, c.log,
                             label=label)
        return
    lock = c.state_dir / LOCK_FILE
    with deps.pip_tools(c.tools, c.python, c.env, c.log) as venv:
        deps.compile_lock(c.tools, venv, c.app_dir, [*files, str(c.added_file)], lock, c.previous_lock, c.env,
                          c.log, label)
        deps.install_with_pip(c.tools, venv, c.python, c.app_dir, lock, c.env, c.log,
                              [c.app_dir / name for name in [*files, str(c.added_file)]])
