"""Whether the app is a Django project, and where its settings are.

Read statically (no import): manage.py is searched at the top of the app and
up to three levels down; the settings module comes from DJANGO_SETTINGS_MODULE
(a config var) or from manage.py's `setdefault(...)`; WSGI_APPLICATION and
STATIC_ROOT are read from the settings file's assignments. The build confirms
these by importing the settings once dependencies are installed.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

# Hidden directories (.git, .venv, and every platform's own build output) are skipped too.
_SKIP_DIRS = {"node_modules", "venv", "env", "__pycache__", "site-packages", "staticfiles"}
# Any quoted value, so a name Python cannot import (`my-site.settings`) is an
# error naming manage.py rather than an app silently not seen as Django.
_SETDEFAULT = re.compile(r"""setdefault\(\s*['"]DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([^'"\n]+)['"]\s*\)""")
_MODULE_NAME = re.compile(r"^[^\W\d]\w*(\.[^\W\d]\w*)*$")


@dataclass(frozen=True)
class DjangoProject:
    manage_dir: str            # relative to the app root, "" for the top
    settings_module: str       # e.g. "mysite.settings"
    settings_origin: str       # "manage.py" or "config var DJANGO_SETTINGS_MODULE"
    settings_file: Optional[str]  # relative to the app root, when found
    wsgi_application: Optional[str]  # "mysite.wsgi.application", when found
    static_root_assigned: bool
    asgi_application: Optional[str] = None  # "mysite.asgi.application" (Channels), when found
    wsgi_line: Optional[int] = None         # where the settings file assigns them
    asgi_line: Optional[int] = None

    @property
    def manage_py(self) -> str:
        return os.path.join(self.manage_dir, "manage.py") if self.manage_dir else "manage.py"


def find_manage_py(app_dir: Path, max_depth: int = 3) -> Optional[Path]:
    """The shallowest manage.py, breadth first, alphabetical within a level."""
    level = [app_dir]
    for _ in range(max_depth + 1):
        for directory in level:
            candidate = directory / "manage.py"
            if candidate.is_file():
                return candidate
        next_level = []
        for directory in level:
            try:
                children = sorted(p for p in directory.iterdir() if p.is_dir() and not p.is_symlink())
            except OSError:
                continue
            next_level.extend(p for p in children if p.name not in _SKIP_DIRS and not p.name.startswith("."))
        level = next_level
    return None


def _module_file(root: Path, module: str) -> Optional[Path]:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def module_file(root: Path, module: str) -> Optional[Path]:
    """The file of a dotted module under `root` (`a/b.py` or `a/b/__init__.py`), if any."""
    return _module_file(root, module)


def _string_assignments(path: Path, lines: Optional[dict] = None) -> dict[str, object]:
    """Top-level NAME = <value> assignments; the value is the literal string,
    or True when the value is not a plain string (it is assigned, somehow).
    `lines`, when given, receives each name's (last) line number."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return {}
    found: dict[str, object] = {}
    lines = {} if lines is None else lines
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = [t for t in node.targets if isinstance(t, ast.Name)]
            value = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            targets = [node.target]
            value = node.value
        for target in targets:
            lines[target.id] = node.lineno
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found[target.id] = value.value
            elif isinstance(value, ast.Constant) and value.value is None:
                found.setdefault(target.id, None)
            else:
                found[target.id] = True
    return found


_MIGRATION = re.compile(r"^\d{4}_\w+\.py$")


def find_migrations(app_dir: Path, limit: int = 1000) -> tuple:
    """The app's numbered migration files (`polls/migrations/0001_initial.py`),
    relative to `app_dir`, sorted; hidden directories (.venv, .heroku,
    .pybuildpack), virtualenvs and site-packages are skipped, so only the app's
    own migrations count, not those of the packages it installs."""
    found = []
    for root, dirs, files in os.walk(app_dir):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")
                         and not (Path(root) / d / "pyvenv.cfg").is_file())
        if Path(root).name == "migrations" and "__init__.py" in files:
            found += [Path(root, f).relative_to(app_dir).as_posix() for f in files if _MIGRATION.match(f)]
            if len(found) >= limit:
                break
    return tuple(sorted(found))


def find_django(app_dir: Path, config: dict[str, str]) -> Optional[DjangoProject]:
    manage = find_manage_py(app_dir)
    if manage is None:
        return None
    manage_dir = manage.parent
    relative_dir = "" if manage_dir == app_dir else str(manage_dir.relative_to(app_dir))
    module, origin = None, None
    if config.get("DJANGO_SETTINGS_MODULE"):
        module, origin = config["DJANGO_SETTINGS_MODULE"], "config var DJANGO_SETTINGS_MODULE"
    else:
        try:
            match = _SETDEFAULT.search(manage.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            match = None
        if match:
            module, origin = match.group(1), os.path.join(relative_dir, "manage.py") if relative_dir else "manage.py"
    if module is None:
        return None
    if not _MODULE_NAME.match(module):
        from .. import errors

        if origin and origin.endswith("manage.py"):
            text = manage.read_text(encoding="utf-8", errors="replace")
            line = text.count("\n", 0, text.find(module)) + 1
            origin = f"{origin} line {line}"
        raise errors.DjangoSettingsModuleInvalid(module, origin or "manage.py")
    settings = _module_file(manage_dir, module)
    lines: dict = {}
    assigned = _string_assignments(settings, lines) if settings else {}
    wsgi = assigned.get("WSGI_APPLICATION")
    asgi = assigned.get("ASGI_APPLICATION")
    return DjangoProject(
        manage_dir=relative_dir,
        settings_module=module,
        settings_origin=origin or "manage.py",
        settings_file=str(settings.relative_to(app_dir)) if settings else None,
        wsgi_application=wsgi if isinstance(wsgi, str) else None,
        static_root_assigned=bool(assigned.get("STATIC_ROOT")),
        asgi_application=asgi if isinstance(asgi, str) else None,
        wsgi_line=lines.get("WSGI_APPLICATION") if isinstance(wsgi, str) else None,
        asgi_line=lines.get("ASGI_APPLICATION") if isinstance(asgi, str) else None,
    )
