"""Config vars: read from a platform's env dir, filtered, and named secrets.

Heroku's ENV_DIR and CNB's `$CNB_PLATFORM_DIR/env` share one format: a file
per variable, named for it, holding its value. Variables that would change how
the build machine itself works (PATH, LD_PRELOAD, PYTHONHOME, ...) are never
exported to build steps. Every other value is treated as a secret for the log,
except the settings listed in NOT_SECRET, whose values we print on purpose.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping, Optional

DENYLIST = frozenset({
    "PATH", "LD_LIBRARY_PATH", "LD_PRELOAD", "LIBRARY_PATH", "CPATH", "CPPATH",
    "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONEXECUTABLE", "PYTHONNOUSERSITE",
    "VIRTUAL_ENV", "GIT_DIR", "HOME", "SHELL", "IFS", "BASH_ENV", "ENV",
    "UV_CACHE_DIR", "UV_PYTHON_INSTALL_DIR", "UV_TOOL_DIR", "PIP_CACHE_DIR",
})

# Our own settings and well-known non-secret variables: their values may be logged.
NOT_SECRET = frozenset({
    "PYBUILDPACK_INSTALLER", "PYBUILDPACK_PACKAGE_MANAGER", "PYBUILDPACK_PYTHON_DOWNLOADS_JSON",
    "PYBUILDPACK_GROUPS", "PYBUILDPACK_EXTRAS", "PYBUILDPACK_SERVER", "PYBUILDPACK_DJANGO_SETTINGS_MODULE",
    "DISABLE_COLLECTSTATIC", "PYBUILDPACK_ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE", "DEBUG", "DJANGO_DEBUG", "WEB_CONCURRENCY", "LANG", "TZ",
    "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "FORWARDED_ALLOW_IPS", "PORT",
})

MIN_SECRET_LENGTH = 4
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ConfigVars:
    """The app's config vars: `all` as given, `exported` minus the denylist."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.all = dict(values)
        self.exported = {k: v for k, v in values.items() if k not in DENYLIST}
        self.ignored = sorted(k for k in values if k in DENYLIST)

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        return self.all.get(name, default)

    def secrets(self) -> list[str]:
        return [v for k, v in self.all.items() if k not in NOT_SECRET and len(v.strip()) >= MIN_SECRET_LENGTH]

    def flag(self, name: str) -> bool:
        """A boolean config var: set to anything but empty, 0, false, no or off."""
        value = self.all.get(name)
        return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")


def read_env_dir(env_dir: Optional[Path]) -> ConfigVars:
    values: dict[str, str] = {}
    if env_dir and env_dir.is_dir():
        for entry in sorted(env_dir.iterdir()):
            # CNB env dirs may hold NAME.override-style files for buildpack env; user
            # vars are plain names. Anything that is not a valid name is skipped.
            if not entry.is_file() or not _NAME.match(entry.name):
                continue
            try:
                values[entry.name] = entry.read_text(encoding="utf-8", errors="surrogateescape")
            except OSError:
                continue
    return ConfigVars(values)


def build_environment(config: ConfigVars, base: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """The environment build steps (installs, hooks, collectstatic) run with."""
    env = dict(os.environ if base is None else base)
    env.update(config.exported)
    return env
