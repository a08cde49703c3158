"""Config vars: read from a platform's env dir, filtered, and named secrets.

Heroku's ENV_DIR and CNB's `$CNB_PLATFORM_DIR/env` share one format: a file
per variable, named for it, holding its value. Variables that would change how
the build machine itself works (PATH, LD_PRELOAD, PYTHONHOME, ...) are never
exported to build steps. Every other value is treated as a secret for the log,
except the settings listed in NOT_SECRET, whose values we print on purpose.

pybuildpack's own settings can also be committed in pyproject.toml's
`[tool.pybuildpack]` table (settings.py): `ConfigVars` carries them as a layer
under the config vars, so `get()` and `flag()` answer with the config var when
it is set (to anything but blanks) and with the file's setting otherwise, and
`origin()` says which. The file's settings are not config vars: they are not in
`all` or `exported` (build steps and hooks never see them; pybuildpack alone
reads them, through `get()`), and they are never secrets.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Optional

if TYPE_CHECKING:
    from .settings import Setting

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
    "PYBUILDPACK_APP_ROOT",
    "DISABLE_COLLECTSTATIC", "PYBUILDPACK_ALLOWED_HOSTS",
    # OpenShift's Python image's settings (S2I), and where APP_CONFIG goes.
    "APP_MODULE", "APP_FILE", "APP_SCRIPT", "APP_HOME", "APP_CONFIG", "PYBUILDPACK_GUNICORN_CONFIG",
    "DJANGO_SETTINGS_MODULE", "DEBUG", "DJANGO_DEBUG", "WEB_CONCURRENCY", "LANG", "TZ",
    "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "FORWARDED_ALLOW_IPS", "PORT",
})

MIN_SECRET_LENGTH = 4
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Origin:
    """Where a setting's value came from: the config var `variable`, or the
    `[tool.pybuildpack]` key `key` of pyproject.toml, written there as `written`.

        >>> str(Origin("PYBUILDPACK_SERVER"))
        'config var PYBUILDPACK_SERVER'
        >>> str(Origin("PYBUILDPACK_SERVER", "server", 'server = "waitress"', 4))
        'pyproject.toml [tool.pybuildpack] server'
    """

    variable: str
    key: Optional[str] = None
    written: Optional[str] = None
    line: Optional[int] = None

    @property
    def in_file(self) -> bool:
        return self.key is not None

    def __str__(self) -> str:
        return f"pyproject.toml [tool.pybuildpack] {self.key}" if self.in_file else f"config var {self.variable}"


class ConfigVars:
    """The app's config vars: `all` as given, `exported` minus the denylist;
    `settings` the pyproject.toml settings under them, by config var name."""

    def __init__(self, values: Mapping[str, str], settings: Optional[Mapping[str, "Setting"]] = None) -> None:
        self.all = dict(values)
        self.exported = {k: v for k, v in values.items() if k not in DENYLIST}
        self.ignored = sorted(k for k in values if k in DENYLIST)
        self.settings = dict(settings or {})

    def with_settings(self, settings: Mapping[str, "Setting"]) -> "ConfigVars":
        """These config vars over `settings` (replacing any settings they had)."""
        return ConfigVars(self.all, settings)

    def is_set(self, name: str) -> bool:
        """Whether the config var `name` is set to something besides blanks
        (an empty config var means the default, as it always has)."""
        return bool((self.all.get(name) or "").strip())

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """The config var `name`, else the pyproject.toml setting for it, else `default`."""
        if not self.is_set(name) and name in self.settings:
            return self.settings[name].value
        return self.all.get(name, default)

    def source(self, name: str) -> Origin:
        """Where `get(name)` comes from: the setting's place in pyproject.toml, or the config var."""
        if not self.is_set(name) and name in self.settings:
            return self.settings[name].origin
        return Origin(name)

    def origin(self, name: str) -> str:
        """`config var NAME` or `pyproject.toml [tool.pybuildpack] key`."""
        return str(self.source(name))

    def secrets(self) -> list[str]:
        return [v for k, v in self.all.items() if k not in NOT_SECRET and len(v.strip()) >= MIN_SECRET_LENGTH]

    def flag(self, name: str) -> bool:
        """A boolean config var (or its setting): set to anything but empty, 0, false, no or off."""
        value = self.get(name)
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
