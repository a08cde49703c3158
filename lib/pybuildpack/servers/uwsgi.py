"""uWSGI: a C WSGI server with a master process and forked workers.

The build adds `pyuwsgi` (uWSGI built as Python wheels: no C compiler, no
Python headers, seconds to install) unless the app declares `uwsgi` (compiled
from source at install) or `pyuwsgi` itself; both provide the `uwsgi`
command. The web process is `python -m pybuildpack_launch.wsgi_uwsgi SPEC`
(launch/wsgi_uwsgi.py): uWSGI on 0.0.0.0:$PORT, WEB_CONCURRENCY workers of
4 threads, Django's static files with `--static-map`, a graceful stop on
SIGTERM, and the app's own `uwsgi.ini` last (`--ini`), so it wins.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..inspect.processes import AppTarget
from ..pins import Pin
from .base import Server, runner

CONFIG_FILE = "uwsgi.ini"


class UWSGI(Server):
    name = "uwsgi"
    interfaces = ("wsgi",)
    # pyuwsgi has manylinux wheels for CPython 3.8 to 3.14 (x86_64, aarch64).
    pins = (Pin("2.0.30.post1", ""),)
    packages = ("uwsgi", "pyuwsgi")
    package = "pyuwsgi"
    executables = ("uwsgi", "pyuwsgi", "pybuildpack_launch.wsgi_uwsgi")

    django_static = "uWSGI's --static-map"

    def command(self, target: AppTarget, app_dir: Path) -> tuple:
        words = runner("wsgi_uwsgi", target)
        if (app_dir / CONFIG_FILE).is_file():
            # The runner runs uWSGI in the target's directory.
            words += ["--ini", os.path.relpath(CONFIG_FILE, target.chdir or ".")]
        return tuple(words)
