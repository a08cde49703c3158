"""gunicorn: the production server for WSGI apps, and with uvicorn workers for ASGI apps.

Its settings live in `launch/gunicorn_config.py`, which runs inside the built
app: bind 0.0.0.0:$PORT, WEB_CONCURRENCY workers (gunicorn reads it itself),
threaded (gthread) workers, which finish every accepted request on SIGTERM
and keep up with a hand-tuned gunicorn (`make bench-serve`), logs on stdout,
a graceful timeout shorter than the platforms' SIGKILL, the app's own
gunicorn.conf.py and GUNICORN_CMD_ARGS winning over all of it, and each
worker's application wrapped to serve Django's static files.

ASGI apps run in uvicorn workers (the `uvicorn-worker` package), serving
`launch/asgi_app.py` as the uvicorn server module does (factories, the app's
directory, Django's static files, the router's forwarded headers, a graceful stop). It is the default for ASGI
because it served about twice the requests per second of `uvicorn --workers N`
with the same worker count, with the same zero drops on SIGTERM
(`make bench-serve`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional

from ..inspect.processes import AppTarget
from ..pins import Pin
from . import asgi
from .base import Server, launch_spec
from .uvicorn import Uvicorn

CONFIG = "python:pybuildpack_launch.gunicorn_config"
# uvicorn-worker's class with uvicorn's forgeable proxy-header rule off (launch/gunicorn_uvicorn_worker.py).
ASGI_WORKER = "pybuildpack_launch.gunicorn_uvicorn_worker.UvicornWorker"
ASGI_WORKER_PINS = (
    Pin("0.4.0", 'python_version >= "3.9"'),
    Pin("0.2.0", 'python_version < "3.9"'),
)


class Gunicorn(Server):
    name = "gunicorn"
    start_modules = ("gunicorn.app.wsgiapp",)
    interfaces = ("wsgi", "asgi")
    pins = (
        Pin("27.0.1", 'python_version >= "3.10"'),
        Pin("23.0.0", 'python_version < "3.10"'),
    )
    serves_django_static = True

    def command(self, target: AppTarget, app_dir: Path) -> tuple:
        if target.interface == "asgi":
            return tuple(asgi.environment(target) + ["gunicorn", "--config", CONFIG, "--worker-class", ASGI_WORKER,
                                                     asgi.BEHIND_ROUTER])
        argv = ["gunicorn", "--config", CONFIG]
        if target.chdir:
            argv += ["--chdir", target.chdir]
        if target.kind == "paste":
            argv += ["--paste", target.target]
        else:
            argv.append(launch_spec(target))
        return tuple(argv)

    def label(self, interface: str) -> str:
        return "gunicorn with uvicorn workers" if interface == "asgi" else self.name

    def modules_to_start(self, interface: Optional[str]) -> tuple:
        return self.start_modules + (("uvicorn_worker",) if interface == "asgi" else ())

    def companions(self, interface: str) -> tuple:
        if interface == "asgi":
            return (("uvicorn-worker", ASGI_WORKER_PINS), (Uvicorn.name, Uvicorn.pins))
        return ()

    def reload(self, env: Mapping[str, str]) -> tuple:
        changed = dict(env)
        changed["GUNICORN_CMD_ARGS"] = (env.get("GUNICORN_CMD_ARGS", "") + " --reload").strip()
        return changed, "Reloading on code changes (gunicorn --reload)"
