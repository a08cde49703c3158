"""The local platform for tests: a developer's machine running bin/pybuildpack.

The app is copied to a fresh directory (as a checkout of it would be), and
`bin/pybuildpack` runs with the build machine's clean environment plus a user
cache of its own. `start` and `up` run as real background processes in their
own session; `Server` (the harness's Dyno) talks to them over loopback and
stops them with SIGTERM, as Ctrl-C or a process manager would.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Mapping, Optional, Sequence

from harness.heroku import BIN, Dyno, free_port

PYBUILDPACK = BIN / "pybuildpack"


class LocalPlatform:
    def __init__(self, root: Path, base_env: Mapping[str, str]) -> None:
        self.root = root
        self.base_env = dict(base_env)
        self.servers: list = []

    def copy_app(self, source: Path) -> Path:
        app = self.root / f"app_{secrets.token_hex(4)}"
        shutil.copytree(source, app, symlinks=True,
                        ignore=shutil.ignore_patterns(".pybuildpack", "staticfiles", "db.sqlite3", "__pycache__"))
        return app

    def env(self, extra: Optional[Mapping[str, str]] = None) -> dict:
        return {**self.base_env, **(extra or {})}

    def pybuildpack(self, *args: str, cwd: Optional[Path] = None, env: Optional[Mapping[str, str]] = None,
                    timeout: float = 600) -> subprocess.CompletedProcess:
        """Run `bin/pybuildpack ARGS` to completion; stdout and stderr are kept apart."""
        return subprocess.run([str(PYBUILDPACK), *args], cwd=cwd or self.root, env=self.env(env),
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def serve(self, args: Sequence[str], cwd: Optional[Path] = None, env: Optional[Mapping[str, str]] = None,
              port: Optional[int] = None) -> Dyno:
        """Start `bin/pybuildpack ARGS` (start or up) in the background on a free port."""
        port = port or free_port()
        log_path = self.root / f"serve.{port}.log"
        with log_path.open("w") as handle:
            process = subprocess.Popen([str(PYBUILDPACK), *args], cwd=cwd or self.root,
                                       env=self.env({"PORT": str(port), **(env or {})}),
                                       stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True)
        server = Dyno(process, port, log_path)
        self.servers.append(server)
        return server

    def cleanup(self) -> None:
        for server in self.servers:
            if server.process.poll() is None:
                try:
                    server.terminate(timeout=15)
                except AssertionError:
                    pass
