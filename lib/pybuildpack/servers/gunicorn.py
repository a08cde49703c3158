"""gunicorn: the production server for WSGI apps.

Its settings live in `launch/gunicorn_config.py`, which runs inside the built
app: bind 0.0.0.0:$PORT, WEB_CONCURRENCY workers (gunicorn reads it itself),
threaded (gthread) workers, which finish every accepted request on SIGTERM
and keep up with a hand-tuned gunicorn (`make bench-serve`), logs on stdout,
a graceful timeout shorter than the platforms' SIGKILL, the app's own
gunicorn.conf.py and GUNICORN_CMD_ARGS winning over all of it, and each
worker's application wrapped to serve Django's static files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from ..inspect.processes import AppTarget
from ..pins import Pin
from .base import Server

CONFIG = "python:pybuildpack_launch.gunicorn_config"


class Gunicorn(Server):
    name = "gunicorn"
    interfaces = ("wsgi",)
    pins = (
        Pin("27.0.1", 'python_version >= "3.10"'),
        Pin("23.0.0", 'python_version < "3.10"'),
    )
    serves_django_static = True

    def command(self, target: AppTarget, app_dir: Path) -> tuple:
        argv = ["gunicorn", "--config", CONFIG]
        if target.chdir:
            argv += ["--chdir", target.chdir]
        if target.kind == "paste":
            argv += ["--paste", target.target]
        else:
            argv.append(target.target + ("()" if target.kind == "factory" else ""))
        return tuple(argv)

    def reload(self, env: Mapping[str, str]) -> tuple:
        changed = dict(env)
        changed["GUNICORN_CMD_ARGS"] = (env.get("GUNICORN_CMD_ARGS", "") + " --reload").strip()
        return changed, "Reloading on code changes (gunicorn --reload)"
