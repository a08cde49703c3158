"""requirements.in: loose requirements, compiled with pip-compile into a lock first.

The lock is kept in the build (the platform's state directory) and the next
build compiles from it, so pins that need not change stay as they were. With
uv the lock is then installed by uv; with pip, pip-sync installs it.
"""

from __future__ import annotations

from typing import Optional

from ..steps import dependencies as deps
from .base import LOCK_FILE, InstallContext
from .requirements_txt import RequirementsTxt, sync


class RequirementsIn(RequirementsTxt):
    """Found and read like requirements.txt; installed through a compiled lock."""

    kind = "requirements-in"
    tool = "pip-tools"
    files = ("requirements.in",)

    def lock_name(self, installer: str) -> Optional[str]:
        return LOCK_FILE

    def prefetch_request(self, app_dir, scratch, config, groups=(), extras=(), tools=None, env={}) -> None:
        """None: pip-compile resolves the file on the runtime, which is not there yet."""
        return None

    def install(self, context: InstallContext) -> None:
        c = context
        if c.installer != "uv":
            sync(c, [self.file])  # pip-compile reads the .in file itself
            return
        lock = c.state_dir / LOCK_FILE
        with deps.pip_tools(c.tools, c.python, c.env, c.log) as venv:
            deps.compile_lock(c.tools, venv, c.app_dir, [self.file], lock, c.previous_lock, c.env, c.log,
                              self.file)
        deps.install_with_uv(c.tools, c.python, c.app_dir, [str(lock)], c.added_file, c.prefix, c.env, c.config,
                             c.log)

    def describe(self) -> str:
        return f"{self.file}, compiled with pip-compile first"
