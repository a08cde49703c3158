"""The app's build hooks: bin/pre_compile and bin/post_compile."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from .. import errors
from ..output import Log
from ..tools import run


def run_hook(app_dir: Path, hook: str, env: Mapping[str, str], log: Log) -> None:
    path = app_dir / hook
    if not path.is_file():
        return
    with log.timed(f"Running {hook}", threshold=1.0):
        with path.open("rb") as handle:
            has_shebang = handle.read(2) == b"#!"
        # A hook without a shebang or the execute bit still runs, with bash.
        argv = [str(path)] if has_shebang and os.access(path, os.X_OK) else ["bash", str(path)]
        result = run(argv, log, env=env, cwd=app_dir)
        if result.returncode == 126 or (result.returncode == 127 and not result.output.strip()):
            raise errors.HookNotRunnable(hook, result.output.strip() or f"exit status {result.returncode}")
        if result.returncode != 0:
            raise errors.HookFailed(hook, result.returncode)
