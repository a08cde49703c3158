"""No dependency file: the environment holds only what pybuildpack adds (a server)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional, Sequence

from ..steps.prefetch import Request
from ..tools import Tools
from .base import LOCK_FILE, InstallContext, PackageManager
from .requirements_txt import sync


class NoDependencies(PackageManager):
    kind = "none"

    def __init__(self) -> None:
        super().__init__(None, frozenset())

    @classmethod
    def detect(cls, app_dir: Path) -> Optional["NoDependencies"]:
        return cls()

    def install_files(self) -> Sequence[str]:
        return []

    def prefetch_request(self, app_dir: Path, scratch: Path, config: Mapping[str, str], groups: tuple = (),
                         extras: tuple = (), tools: Optional[Tools] = None,
                         env: Mapping[str, str] = {}) -> Optional[Request]:
        """Just what pybuildpack adds (the server)."""
        return Request()

    def lock_name(self, installer: str) -> Optional[str]:
        return LOCK_FILE if installer == "pip" else None

    def install(self, context: InstallContext) -> None:
        sync(context, [])

    def describe(self) -> str:
        return "no requirements file: only what pybuildpack adds"
