"""requirements.txt: pip's requirements file, installed as it is.

With uv (the default) one `uv pip install --exact` resolves and syncs. With
pip (PYBUILDPACK_INSTALLER=pip) pip-compile resolves the file into a lock and
pip-sync makes the environment match it. Both remove what the file no longer
names and keep what the runtime shipped with (pip, setuptools).

requirements-test.txt (Heroku's convention) holds the test dependencies:
Heroku CI's `bin/test-compile` installs it too, as the group `test`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from ..inspect.dependencies import requirement_names
from ..steps import dependencies as deps
from ..steps.prefetch import Request
from ..tools import Tools
from .base import LOCK_FILE, InstallContext, PackageManager


TEST_FILE = "requirements-test.txt"
TEST_GROUP = "test"


class RequirementsTxt(PackageManager):
    kind = "requirements"
    tool = "pip"
    files = ("requirements.txt",)

    def __init__(self, file: Optional[str], names: frozenset, app_dir: Optional[Path] = None,
                 with_tests: bool = False) -> None:
        super().__init__(file, names)
        self.app_dir = app_dir
        self.with_tests = with_tests   # requirements-test.txt is installed too

    @classmethod
    def detect(cls, app_dir: Path) -> Optional["RequirementsTxt"]:
        name = cls.files[0]
        if not (app_dir / name).is_file():
            return None
        return cls(name, frozenset(requirement_names(app_dir / name, app_dir)), app_dir)

    def test_groups(self) -> tuple:
        return (TEST_GROUP,) if self.app_dir is not None and (self.app_dir / TEST_FILE).is_file() else ()

    def select(self, groups: tuple, extras: tuple) -> "RequirementsTxt":
        """With the group `test` (only bin/test-compile asks for it: PYBUILDPACK_GROUPS
        is refused for requirements files), requirements-test.txt is installed too."""
        if TEST_GROUP not in groups or not self.test_groups():
            return self
        names = self.names | frozenset(requirement_names(self.app_dir / TEST_FILE, self.app_dir))
        return type(self)(self.file, names, self.app_dir, with_tests=True)

    def install_files(self) -> Sequence[str]:
        return ([self.file] if self.file else []) + ([TEST_FILE] if self.with_tests else [])

    def lock_name(self, installer: str) -> Optional[str]:
        return LOCK_FILE if installer == "pip" else None

    def prefetch_request(self, app_dir: Path, scratch: Path, config: Mapping[str, str], groups: tuple = (),
                         extras: tuple = (), tools: Optional[Tools] = None,
                         env: Mapping[str, str] = {}) -> Optional[Request]:
        """The files as they are: uv reads them (and their -r/-c includes) from the app."""
        return Request(tuple(self.install_files()))

    def install(self, context: InstallContext) -> None:
        sync(context, self.install_files())

    def describe(self) -> str:
        return " and ".join(self.install_files()) or str(self.file)

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.with_tests == other.with_tests  # type: ignore

    def __hash__(self) -> int:
        return hash((type(self), self.file, self.names, self.with_tests))


def sync(context: InstallContext, files: Sequence[str], label: Optional[str] = None,
         failed: Optional[Callable[[str, str], Exception]] = None) -> None:
    """Make the environment match `files` plus the added requirements, exactly.
    `label` names the requirements in messages (default: the files); `failed`
    makes the error for a failed uv install (deps.install_with_uv)."""
    c = context
    label = label or ", ".join(files) or "the added packages"
    if c.installer == "uv":
        deps.install_with_uv(c.tools, c.python, c.app_dir, files, c.added_file, c.prefix, c.env, c.config, c.log,
                             label=label, failed=failed)
        return
    lock = c.state_dir / LOCK_FILE
    with deps.pip_tools(c.tools, c.python, c.env, c.log) as venv:
        deps.compile_lock(c.tools, venv, c.app_dir, [*files, str(c.added_file)], lock, c.previous_lock, c.env,
                          c.log, label)
        deps.install_with_pip(c.tools, venv, c.python, c.app_dir, lock, c.env, c.log,
                              [c.app_dir / name for name in [*files, str(c.added_file)]])
