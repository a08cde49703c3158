"""What every package-manager module provides: the interface behind `package_managers/`.

A package manager is one way an app declares its dependencies (a
requirements.txt, a requirements.in, ...). Its module says which files it
owns, which package names they declare, what Python they ask for, what an
install depends on (the cache key), how to install into the environment
*exactly* (what the files no longer name is removed), whether its lock is
current, and how `explain` describes it. The build (build.py) does the rest:
skipping an unchanged install, logging, relocating, counting.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Mapping, Optional, Sequence

from packaging.utils import canonicalize_name

from ..output import Log
from ..tools import Tools

if TYPE_CHECKING:
    from ..steps.prefetch import Request

# The lock a build compiles (pip-compile's output), kept in the platform's state
# directory and carried into the next build so unchanged pins stay as they were.
LOCK_FILE = "requirements.lock.txt"
# The requirements pybuildpack adds (a server, WhiteNoise), one per line.
ADDED_FILE = "added-requirements.txt"


@dataclass(frozen=True)
class InstallContext:
    """Everything an install needs, decided before it runs."""

    app_dir: Path
    tools: Tools
    python: Path                 # the environment's interpreter
    prefix: Path                 # the environment's prefix (the runtime itself, or a virtualenv)
    state_dir: Path              # where a lock is written
    installer: str               # "uv" or "pip"
    groups: tuple                # dependency groups asked for besides the defaults (PYBUILDPACK_GROUPS)
    extras: tuple                # the project's extras asked for (PYBUILDPACK_EXTRAS)
    added_file: Path             # the added requirements (may be empty)
    previous_lock: Optional[Path]
    env: Mapping[str, str]       # the build environment
    config: Mapping[str, str]    # the exported config vars
    log: Log


class PackageManager(ABC):
    """One way of declaring dependencies. Instances are values found by `detect`."""

    kind: ClassVar[str]          # a stable identifier: explain --json's "kind", PYBUILDPACK_PACKAGE_MANAGER's value
    tool: ClassVar[str] = ""     # the tool its files belong to, for messages ("pip", "uv")
    files: ClassVar[tuple] = ()  # the files it owns at the top of the app; any one of them selects it
    # Whether its files can declare dependency groups / extras to choose from
    # (PYBUILDPACK_GROUPS, PYBUILDPACK_EXTRAS): asking a manager that cannot is an error.
    has_groups: ClassVar[bool] = False
    has_extras: ClassVar[bool] = False
    # The installers (PYBUILDPACK_INSTALLER) that can install its files: choosing another is an error.
    installers: ClassVar[tuple] = ("uv", "pip")

    def __init__(self, file: Optional[str], names: frozenset) -> None:
        self.file = file       # the file the install reads, relative to the app
        self.names = names     # canonical names of the packages it declares

    @classmethod
    def found_files(cls, app_dir: Path) -> list:
        """Its files that the app has (an app with files of two managers must choose)."""
        return [name for name in cls.files if (app_dir / name).is_file()]

    @classmethod
    @abstractmethod
    def detect(cls, app_dir: Path) -> Optional["PackageManager"]:
        """This manager for the app, when the app uses it."""

    def declares(self, *candidates: str) -> bool:
        """Whether the app declares any of these packages itself."""
        return any(canonicalize_name(c) in self.names for c in candidates)

    @property
    def local_sources(self) -> Optional[bool]:
        """Whether the install builds code from the app (its own project, local
        paths), which can change while the install files stay the same: such an
        install is re-synced on every build. None: look for local paths in the
        install files (requirements syntax)."""
        return None

    def python_requests(self) -> tuple:
        """The Python versions its files ask for (PythonRequest, each with its origin)."""
        return ()

    def locked_packages(self) -> tuple:
        """Its production packages with the wheel file names its lock lists for
        each (inspect/lock_wheels.LockedPackage); () when the lock names no files."""
        return ()

    def select(self, groups: tuple, extras: tuple) -> "PackageManager":
        """This manager with the chosen groups and extras (PYBUILDPACK_GROUPS,
        PYBUILDPACK_EXTRAS) folded into its names; a UserError naming the file
        when it does not define one. Managers without groups or extras return self."""
        return self

    def test_groups(self) -> tuple:
        """The groups that hold the app's test dependencies, as Heroku CI's
        `bin/test-compile` installs them besides the rest (`select` takes them
        like any other group); () when its files declare none."""
        return ()

    def lock_name(self, installer: str) -> Optional[str]:
        """The lock this install writes into the state directory, if any."""
        return None

    def check_lock(self, context: InstallContext) -> None:
        """Raise a UserError naming the fix (e.g. `uv lock`) when the app's lock no
        longer matches what it was made from. Run before every install; a
        no-change rebuild skips both, since the files it compares are unchanged."""

    def prefetch_request(self, app_dir: Path, scratch: Path, config: Mapping[str, str], groups: tuple = (),
                         extras: tuple = (), tools: Optional[Tools] = None,
                         env: Mapping[str, str] = {}) -> Optional["Request"]:
        """What to fetch into uv's cache while the runtime is installed
        (steps/prefetch.py), as requirement files readable before the runtime
        exists (written into `scratch` when generated); None when this manager
        cannot say before its install runs (it needs the runtime to resolve).
        `tools` and `env` are the build's, for a manager that runs a tool to say."""
        return None

    @abstractmethod
    def install_files(self) -> Sequence[str]:
        """The files an install reads, relative to the app (their includes are followed)."""

    @abstractmethod
    def install(self, context: InstallContext) -> None:
        """Make the environment hold exactly what the files (and the added file) name."""

    @abstractmethod
    def describe(self) -> str:
        """Where the packages come from, for `explain`."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.file!r})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and (self.file, self.names) == (other.file, other.names)  # type: ignore

    def __hash__(self) -> int:
        return hash((type(self), self.file, self.names))
