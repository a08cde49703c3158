"""uvicorn: the production server for ASGI apps.

Binds 0.0.0.0:$PORT; uvicorn reads WEB_CONCURRENCY (its worker count) and
FORWARDED_ALLOW_IPS itself, and logs requests on stdout.
"""

from __future__ import annotations

from pathlib import Path

from ..inspect.processes import AppTarget
from ..pins import Pin
from .base import Server


class Uvicorn(Server):
    name = "uvicorn"
    interfaces = ("asgi",)
    pins = (
        Pin("0.54.0", 'python_version >= "3.10"'),
        Pin("0.33.0", 'python_version < "3.10"'),
    )

    def command(self, target: AppTarget, app_dir: Path) -> tuple:
        words = ["uvicorn", "--host", "0.0.0.0", "--port", "$PORT"]
        if target.chdir:
            words += ["--app-dir", target.chdir]
        if target.kind == "factory":
            words.append("--factory")
        words.append(target.target)
        return tuple(words)
