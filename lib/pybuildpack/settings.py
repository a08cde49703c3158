"""Settings committed with the app: pyproject.toml's `[tool.pybuildpack]` table.

    [tool.pybuildpack]
    server = "waitress"
    groups = ["prod"]
    collectstatic = false

Each key stands for one config var (KEYS) and means what it means; the config
var, when set, wins. `read_settings()` returns the table as config-var values
({"PYBUILDPACK_SERVER": Setting(value="waitress", ...)}, each with its origin),
for `ConfigVars.with_settings()`, or a SettingUnknown / SettingInvalid naming
the key. Only the shape of a value is checked here (a string, a list of
names, a boolean): what it may name (which servers exist, and their aliases)
is checked where it is used, by the same code for a setting and a config var,
and that error names the setting's place in pyproject.toml.

    >>> from pathlib import Path; import tempfile
    >>> app = Path(tempfile.mkdtemp())
    >>> _ = (app / "pyproject.toml").write_text('[tool.pybuildpack]\\nserver = "waitress"\\n')
    >>> read_settings(app)["PYBUILDPACK_SERVER"].value
    'waitress'
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple, Optional

from . import errors
from .config import ConfigVars, Origin
from .inspect.files import read_app_text
from .inspect.pyproject import read_pyproject


class Key(NamedTuple):
    name: str          # the key in [tool.pybuildpack]
    variable: str      # the config var it stands for
    kind: str          # "name", "names", "boolean" or "path"


KEYS = (
    Key("server", "PYBUILDPACK_SERVER", "name"),
    Key("installer", "PYBUILDPACK_INSTALLER", "name"),
    Key("package-manager", "PYBUILDPACK_PACKAGE_MANAGER", "name"),
    Key("groups", "PYBUILDPACK_GROUPS", "names"),
    Key("extras", "PYBUILDPACK_EXTRAS", "names"),
    Key("collectstatic", "DISABLE_COLLECTSTATIC", "boolean"),
    Key("app-root", "PYBUILDPACK_APP_ROOT", "path"),
)
BY_NAME = {key.name: key for key in KEYS}
APP_ROOT_VAR = "PYBUILDPACK_APP_ROOT"   # for the app-root wiring: config.get(APP_ROOT_VAR)
FILE = "pyproject.toml"
TABLE = "[tool.pybuildpack]"
EXPECTED = {
    "name": "a string, such as {example}",
    "names": 'a list of names, such as ["prod", "docs"], or one string "prod,docs"',
    "boolean": "true or false (no quotes)",
    "path": 'a relative path inside the repository, such as "apps/web"',  # checked by app_root.resolve
}
EXAMPLES = {"server": '"gunicorn"', "installer": '"uv"', "package-manager": '"uv"'}


@dataclass(frozen=True)
class Setting:
    """One key of [tool.pybuildpack]: `value` as its config var would hold it."""

    key: str
    variable: str
    value: str
    written: str               # the key and value as in the file: `groups = ["prod"]`
    shown: str                 # the value for the log: `prod, docs`, `false`
    line: Optional[int] = None

    @property
    def origin(self) -> Origin:
        return Origin(self.variable, self.key, self.written, self.line)


@dataclass(frozen=True)
class InUse:
    """A setting a build uses, for the log and `explain`: `overrides` when a
    config var is set for a key the file has too."""

    key: str
    variable: str
    value: str                 # as the key would be written: `waitress`, `prod, docs`, `false`
    origin: str
    overrides: bool = False

    def line(self) -> str:
        """`server = waitress (pyproject.toml [tool.pybuildpack])`."""
        where = "pyproject.toml [tool.pybuildpack]" if self.origin.startswith(FILE) else self.origin
        return f"{self.key} = {self.value} ({where}{', overrides pyproject.toml' if self.overrides else ''})"


def read_settings(app_dir: Path) -> dict:
    """{config var: Setting} from `app_dir`'s pyproject.toml ({} without one or
    without the table); a UserError for an unknown key or a value of the wrong shape.
    An invalid pyproject.toml is a FileUnreadable, as wherever else it is read."""
    pyproject = read_pyproject(app_dir)
    tool = pyproject.get("tool") if pyproject else None
    table = tool.get("pybuildpack") if isinstance(tool, dict) else None
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise errors.SettingInvalid(TABLE, _written("tool.pybuildpack", table), None, "a table of settings")
    lines = _key_lines(read_app_text(app_dir / FILE, FILE))
    found = {}
    for name, raw in table.items():
        key = BY_NAME.get(name)
        if key is None:
            close = difflib.get_close_matches(name, list(BY_NAME), n=1)
            raise errors.SettingUnknown(name, lines.get(name), list(BY_NAME), close[0] if close else None)
        written = _written(name, raw)
        value = _value(key, raw)
        if value is None:
            expected = EXPECTED[key.kind].format(example=EXAMPLES.get(name, ""))
            raise errors.SettingInvalid(name, written, lines.get(name), expected)
        found[key.variable] = Setting(name, key.variable, value, written, _shown(raw), lines.get(name))
    return found


def with_settings(config: ConfigVars, app_dir: Path, source_dir: Optional[Path] = None) -> ConfigVars:
    """`config` over the settings in `app_dir`'s pyproject.toml: what every
    build, `explain`, `start` and `run` make their plan from. For an app in a
    subdirectory of `source_dir` (the repository), `app-root` is the top's
    pyproject.toml's (it chose the app) and every other key the app's own."""
    own = read_settings(app_dir)
    if source_dir is None or Path(source_dir).resolve() == Path(app_dir).resolve():
        return config.with_settings(own)
    if APP_ROOT_VAR in own:
        misplaced = own[APP_ROOT_VAR]
        raise errors.SettingInvalid(misplaced.key, misplaced.written, misplaced.line,
                                    "set in the pyproject.toml at the top of the repository, which "
                                    "is where the build starts; the app's own cannot move it")
    top = read_settings(source_dir).get(APP_ROOT_VAR)
    return config.with_settings({**own, **({APP_ROOT_VAR: top} if top is not None else {})})


def in_use(config: ConfigVars) -> tuple:
    """Every setting with a value, from the file or a config var, in KEYS' order (InUse)."""
    used = []
    for key in KEYS:
        from_file = key.variable in config.settings
        if config.is_set(key.variable):
            value = config.all[key.variable].strip()
            if key.kind == "boolean":
                value = "false" if config.flag(key.variable) else "true"   # DISABLE_COLLECTSTATIC=1 is `false`
            used.append(InUse(key.name, key.variable, value, config.origin(key.variable), from_file))
        elif from_file:
            setting = config.settings[key.variable]
            used.append(InUse(key.name, key.variable, setting.shown, str(setting.origin)))
    return tuple(used)


def normalized_app_root(value: str) -> str:
    """`./apps//web/` as `apps/web`; `.` for the repository's top. Whether it is
    inside the repository is app_root.resolve's to say, for the setting and the
    config var alike."""
    return str(PurePosixPath(value.strip()))


def _value(key: Key, raw: Any) -> Optional[str]:
    """`raw` as the config var would hold it, or None when it has the wrong shape."""
    if key.kind == "boolean":
        if not isinstance(raw, bool):
            return None
        # The setting says whether to run it; its config var, whether to skip it.
        return "0" if raw else "1"
    if key.kind == "names":
        if isinstance(raw, str) and raw.strip():
            return raw
        if isinstance(raw, list) and all(isinstance(n, str) and n.strip() and "," not in n for n in raw):
            return ",".join(n.strip() for n in raw)
        return None
    if not isinstance(raw, str) or not raw.strip():
        return None
    if key.kind == "path":
        return normalized_app_root(raw)
    return raw


def _written(name: str, raw: Any) -> str:
    """`name = value` in TOML's spelling, as the user wrote it (near enough) for messages."""
    def toml(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, list):
            return "[" + ", ".join(toml(item) for item in value) + "]"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k} = {toml(v)}" for k, v in value.items()) + "}"
        return str(value)
    return f"{name} = {toml(raw)}"


def _shown(raw: Any) -> str:
    """A valid value as the log shows it: `waitress`, `prod, docs`, `false`."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, list):
        return ", ".join(item.strip() for item in raw)
    return raw.strip()


_HEADER = re.compile(r"^\s*\[\s*([^\]]*?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")


def _key_lines(text: str) -> dict:
    """{key: line number} of the keys written under a `[tool.pybuildpack]` header
    (keys written as `tool.pybuildpack.x = ...` elsewhere get no line)."""
    lines, inside = {}, False
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("[["):
            inside = re.sub(r"\s+", "", header.group(1)).replace('"', "") == "tool.pybuildpack"
            continue
        if line.lstrip().startswith("[["):
            inside = False
            continue
        match = _KEY.match(line) if inside else None
        if match:
            lines.setdefault(next(g for g in match.groups() if g), number)
    return lines
