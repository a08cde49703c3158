"""mod_wsgi-express: Apache httpd with mod_wsgi, configured from the command line.

The `mod_wsgi` package compiles against Apache at install (its `apxs` tool)
and runs that Apache's server binary and modules, so the build machine and
the app's image need Apache (Debian/Ubuntu: `apache2` and `apache2-dev`);
the build fails early, saying so, when they are missing. The web process is
`python -m pybuildpack_launch.wsgi_mod_wsgi SPEC`
(launch/wsgi_mod_wsgi.py): Apache on 0.0.0.0:$PORT, WEB_CONCURRENCY daemon
processes of 4 threads, logs on the terminal, its server root in a temporary
directory, Django's static files with `--url-alias`, a graceful stop on
SIGTERM. The options in the app's `mod_wsgi-express.conf` (command-line
options, `#` comments) come last, so they win.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Mapping, Optional

from .. import errors
from ..inspect.processes import AppTarget
from ..pins import Pin
from .base import Server, runner

CONFIG_FILE = "mod_wsgi-express.conf"


def find_apxs(env: Mapping[str, str]) -> Optional[str]:
    """The apxs mod_wsgi's build would use: APXS, else apxs2/apxs on PATH or in /usr/sbin."""
    if env.get("APXS"):
        return env["APXS"] if os.access(env["APXS"], os.X_OK) else None
    path = os.pathsep.join(p for p in (env.get("PATH") or os.environ.get("PATH", ""), "/usr/sbin") if p)
    for name in ("apxs2", "apxs"):
        found = shutil.which(name, path=path)
        if found:
            return found
    return None


def apache_server(apxs: str) -> Optional[str]:
    """The httpd binary that apxs belongs to, when it is installed."""
    def query(name: str) -> str:
        result = subprocess.run([apxs, "-q", name], capture_output=True, text=True, timeout=30)
        return result.stdout.strip()

    try:
        sbindir, progname = query("SBINDIR"), query("PROGNAME")
    except (OSError, subprocess.SubprocessError):
        return None
    candidate = os.path.join(sbindir, progname or "httpd")
    return candidate if os.access(candidate, os.X_OK) else None


def config_options(path: Path) -> list:
    """The options in the app's mod_wsgi-express.conf: shell words, `#` comments."""
    try:
        return shlex.split(path.read_text(encoding="utf-8"), comments=True)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise errors.FileUnreadable(CONFIG_FILE, str(exc))


class ModWsgi(Server):
    name = "mod_wsgi"
    start_modules = ("mod_wsgi.server",)
    interfaces = ("wsgi",)
    pins = (
        Pin("6.1.1", 'python_version >= "3.10"'),
        Pin("5.0.1", 'python_version < "3.10"'),
    )
    packages = ("mod_wsgi",)
    executables = ("mod_wsgi-express", "pybuildpack_launch.wsgi_mod_wsgi")

    django_static = "Apache (mod_wsgi-express --url-alias)"

    def command(self, target: AppTarget, app_dir: Path) -> tuple:
        words = runner("wsgi_mod_wsgi", target)
        if (app_dir / CONFIG_FILE).is_file():
            words += config_options(app_dir / CONFIG_FILE)
        return tuple(words)

    def check_build_machine(self, env: Mapping[str, str], origin: str) -> None:
        apxs = find_apxs(env)
        if apxs is None:
            raise errors.ApacheMissing("this build machine has no apxs (apache2-dev)", origin)
        if apache_server(apxs) is None:
            raise errors.ApacheMissing("this build machine has apxs but not the server (apache2)", origin)
