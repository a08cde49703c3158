"""pyproject.toml with a `[project]` table (PEP 621) and no lock beside it.

With a `[build-system]` table the project is a package: `.` is installed
(built, not editable, so the environment keeps working after the app moves
from the build directory to /app) with its dependencies. Without one, only
its `[project] dependencies` are installed (`uv pip install -r
pyproject.toml` reads them without building anything). Extras
(`[project.optional-dependencies]`) and PEP 735 groups (`[dependency-groups]`)
are installed only when PYBUILDPACK_EXTRAS / PYBUILDPACK_GROUPS name them.

With PYBUILDPACK_INSTALLER=pip the same selection is written as a
requirements file (`pip_requirements`): the project as `name[extras] @
file:///app` when it has a `[build-system]`, else its dependency lines, plus
the chosen groups' lines. pip-compile resolves it and pip-sync installs the
lock exactly, rebuilding the project every time (pip-sync reinstalls a
requirement given by URL, as uv's `--reinstall-package` does).

    [project]
    name = "myapp"
    dependencies = ["flask>=3"]
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Optional, Sequence
from urllib.parse import unquote, urlparse

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .. import errors
from ..app_root import repository_top
from ..inspect.pyproject import read_pyproject
from ..steps import dependencies as deps
from .base import LOCK_FILE, InstallContext, PackageManager
from .requirements_txt import sync

FILE = "pyproject.toml"
# The requirements the pip installer compiles (in the state directory).
PIP_REQUIREMENTS = "pyproject-requirements.in"
# Locks that other package managers install from: beside one of them, pyproject.toml
# is that manager's input, not ours.
LOCKS = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")
SETUP_FILES = ("setup.py", "setup.cfg")


def requirement_names(lines: Sequence[Any]) -> set:
    """Canonical names of PEP 508 strings (anything else is skipped)."""
    names = set()
    for line in lines:
        if not isinstance(line, str):
            continue
        try:
            names.add(canonicalize_name(Requirement(line).name))
        except InvalidRequirement:
            continue
    return names


def _line_of(text: str, needle: str) -> Optional[int]:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def check_paths_inside(app_dir: Path, file: str, requirements: Sequence[Any]) -> None:
    """Raise PathDependencyOutsideApp for a `name @ file:...` requirement whose
    path is not inside the app (it would not exist in the build, nor at runtime)."""
    text = None
    for line in requirements:
        if not isinstance(line, str):
            continue
        try:
            url = Requirement(line).url
        except InvalidRequirement:
            continue
        if not url or not url.startswith("file:"):
            continue
        parsed = urlparse(url)
        raw = unquote(parsed.path if parsed.netloc in ("", "localhost") else "//" + parsed.netloc + parsed.path)
        check_path_inside(app_dir, file, line, raw, text)


def check_path_inside(app_dir: Path, file: str, shown: str, raw: str, text: Optional[str] = None) -> None:
    """Raise PathDependencyOutsideApp when `raw` (relative to the app, or absolute)
    leaves the app's repository (app_root.repository_top)."""
    root = repository_top(app_dir)
    target = Path(os.path.normpath(Path(app_dir).resolve() / raw))
    if target == root or root in target.parents:
        return
    if text is None:
        try:
            text = (app_dir / file).read_text(encoding="utf-8")
        except OSError:
            text = ""
    raise errors.PathDependencyOutsideApp(file, _line_of(text, raw) or _line_of(text, shown), shown, str(target))


def check_uv_source_paths(app_dir: Path, data: dict) -> None:
    """`[tool.uv.sources]` entries with a `path` (uv reads them with `-r pyproject.toml`)."""
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    sources = uv.get("sources") if isinstance(uv, dict) else None
    if not isinstance(sources, dict):
        return
    for name, entries in sources.items():
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                check_path_inside(app_dir, FILE, f"{name} = {{ path = {entry['path']!r} }}", entry["path"])


def _group_lines(groups: dict, name: str, seen: tuple = ()) -> list:
    """The requirement lines of a dependency group, following `{include-group = ...}`."""
    lines: list = []
    by_key = {canonicalize_name(key): value for key, value in groups.items()}
    for entry in by_key.get(name, []) or []:
        if isinstance(entry, dict) and "include-group" in entry:
            included = canonicalize_name(str(entry["include-group"]))
            if included not in seen and included != name:
                lines += _group_lines(groups, included, seen + (name,))
        elif isinstance(entry, str):
            lines.append(entry)
    return lines


def _group_names(groups: dict, name: str) -> set:
    """The names a dependency group requires, following `{include-group = ...}`."""
    return requirement_names(_group_lines(groups, name))


def pip_build_failed(output: str, app_dir: Path, name: Optional[str] = None) -> bool:
    """Whether pip-compile failed building the app's own metadata (its
    [build-system] or setup.py), not resolving, fetching or building a
    dependency. pip says `Failed to build 'NAME'`, naming the app by its project
    name or, when that is known only from the build (setup.py), by its URL."""
    app = Path(app_dir).resolve().as_uri()
    failed = re.findall(r"Failed to build '([^']*)'", output)
    if failed:
        return any(f.rstrip("/") == app or (name and canonicalize_name(f) == canonicalize_name(name))
                   for f in failed)
    return "metadata-generation-failed" in output and app in output


def _self_reference(line: Any, project: Optional[str]) -> Optional[tuple]:
    """The extras of a requirement naming the project itself (`app[postgres]`,
    in an extra or a group), else None."""
    if not isinstance(line, str) or not project:
        return None
    try:
        requirement = Requirement(line)
    except InvalidRequirement:
        return None
    if canonicalize_name(requirement.name) != canonicalize_name(project):
        return None
    return tuple(sorted(canonicalize_name(e) for e in requirement.extras))


def uv_sources(data: dict) -> list:
    """The packages `[tool.uv.sources]` redirects (to a path, git, a URL or an index)."""
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    sources = uv.get("sources") if isinstance(uv, dict) else None
    return sorted(sources) if isinstance(sources, dict) else []


class Pyproject(PackageManager):
    kind = "pyproject"
    files = (FILE,)
    has_groups = True
    has_extras = True

    def __init__(self, file: Optional[str], names: frozenset, data: Optional[dict] = None,
                 app_dir: Optional[Path] = None, groups: tuple = (), extras: tuple = ()) -> None:
        super().__init__(file, names)
        self.data = data or {}
        self.app_dir = app_dir
        self.groups = groups
        self.extras = extras

    @classmethod
    def detect(cls, app_dir: Path, beside_locks: bool = False) -> Optional["Pyproject"]:
        """`beside_locks`: found even beside a lock (PYBUILDPACK_PACKAGE_MANAGER chose it)."""
        data = read_pyproject(app_dir)
        if data is None or (not beside_locks and any((app_dir / lock).is_file() for lock in LOCKS)):
            return None
        project = data.get("project")
        if not isinstance(project, dict):
            tool = data.get("tool")
            if isinstance(tool, dict) and "poetry" in tool and not any(
                    (app_dir / name).is_file() for name in ("requirements.txt", "requirements.in", *SETUP_FILES)):
                raise errors.PoetryLockMissing()
            return None
        if not isinstance(data.get("build-system"), dict) and not any(
                key in project for key in ("dependencies", "optional-dependencies")) \
                and "dependency-groups" not in data:
            return None  # only metadata such as requires-python: nothing to install
        dependencies = project.get("dependencies") or []
        if not isinstance(dependencies, list):
            raise errors.FileUnreadable(FILE, "[project] dependencies must be a list of strings such as \"flask>=3\".")
        check_paths_inside(app_dir, FILE, dependencies)
        check_uv_source_paths(app_dir, data)
        return cls(FILE, frozenset(requirement_names(dependencies)), data, app_dir)

    # -- what it holds ---------------------------------------------------------------
    @property
    def builds_project(self) -> bool:
        """With a [build-system] table the project itself is installed."""
        return isinstance(self.data.get("build-system"), dict)

    @property
    def project_name(self) -> Optional[str]:
        name = (self.data.get("project") or {}).get("name")
        return name if isinstance(name, str) else None

    def defined_extras(self) -> dict:
        table = (self.data.get("project") or {}).get("optional-dependencies") or {}
        return {canonicalize_name(k): v for k, v in table.items()} if isinstance(table, dict) else {}

    def defined_groups(self) -> dict:
        table = self.data.get("dependency-groups") or {}
        return {canonicalize_name(k): v for k, v in table.items()} if isinstance(table, dict) else {}

    def test_groups(self) -> tuple:
        """`dev` of [dependency-groups] (PEP 735), when defined."""
        return ("dev",) if "dev" in self.defined_groups() else ()

    def select(self, groups: tuple, extras: tuple) -> "Pyproject":
        defined_extras, defined_groups = self.defined_extras(), self.defined_groups()
        names = set(self.names)
        for extra in extras:
            if extra not in defined_extras:
                raise errors.SelectionUnknown("PYBUILDPACK_EXTRAS", [extra], FILE, sorted(defined_extras))
            lines = defined_extras[extra] or []
            check_paths_inside(self.app_dir, FILE, lines)
            names |= requirement_names(lines)
        for group in groups:
            if group not in defined_groups:
                raise errors.SelectionUnknown("PYBUILDPACK_GROUPS", [group], FILE, sorted(defined_groups))
            check_paths_inside(self.app_dir, FILE, [e for e in defined_groups[group] or [] if isinstance(e, str)])
            names |= _group_names(self.data.get("dependency-groups") or {}, group)
        return type(self)(self.file, frozenset(names), self.data, self.app_dir, tuple(groups), tuple(extras))

    @property
    def local_sources(self) -> bool:
        return self.builds_project

    def lock_name(self, installer: str) -> Optional[str]:
        return LOCK_FILE if installer == "pip" else None

    def pip_requirements(self, app_dir: Path, groups: tuple, extras: tuple) -> list:
        """What `uv pip install` gets from `install_arguments`, as requirement
        lines for pip-compile: the project itself by its file URL (with the chosen
        extras) when it is a package, else its dependency lines and the chosen
        extras' lines; then the chosen groups' lines. A line naming the project
        itself (`app[postgres]` in an extra or a group) becomes what it names."""
        name = self.project_name
        extras_table = self.defined_extras()
        if self.builds_project:
            url = Path(app_dir).resolve().as_uri()

            def project(chosen: tuple) -> list:
                wanted = f"[{','.join(chosen)}]" if chosen else ""
                return [f"{name}{wanted} @ {url}" if name else url]
        else:
            def project(chosen: tuple, seen: tuple = ()) -> list:
                entries = list((self.data.get("project") or {}).get("dependencies") or [])
                for extra in chosen:
                    if extra not in seen:   # an extra that names itself, directly or not
                        entries += extras_table.get(extra) or []
                return [line for entry in entries for line in expand(entry, (*seen, *chosen))]

        def expand(entry: Any, seen: tuple = ()) -> list:
            chosen = _self_reference(entry, name)
            if chosen is None:
                return [entry] if isinstance(entry, str) else []
            return project(chosen) if self.builds_project else project(chosen, seen)

        lines = project(tuple(extras))
        table = self.data.get("dependency-groups") or {}
        for group in groups:
            lines += [line for entry in _group_lines(table, group) for line in expand(entry)]
        return list(dict.fromkeys(lines))

    def install_files(self) -> Sequence[str]:
        extra = [name for name in SETUP_FILES if self.app_dir is not None and (self.app_dir / name).is_file()]
        return [FILE, *extra]

    def install_arguments(self, context: InstallContext) -> list:
        """What `uv pip install --exact` gets besides the added file and the seeds."""
        groups = [arg for group in context.groups for arg in ("--group", group)]
        if self.builds_project:
            target = "." + (f"[{','.join(context.extras)}]" if context.extras else "")
            refresh = ["--reinstall-package", self.project_name] if self.project_name else []
            return [target, *groups, *refresh]
        extras = [arg for extra in context.extras for arg in ("--extra", extra)]
        return ["-r", FILE, *extras, *groups]

    def install(self, context: InstallContext) -> None:
        c = context
        selected = [f"group {g}" for g in c.groups] + [f"extra {e}" for e in c.extras]
        c.log.detail(errors.installing_pyproject(self.builds_project, selected))
        if c.installer == "pip":
            self.install_with_pip(c)
            return

        def failed(command: str, output: str) -> Exception:
            if self.builds_project and deps.app_build_failed(output, c.app_dir):
                return errors.ProjectBuildFailed(command, output)
            return errors.DependencyInstallFailed(FILE, "uv", command, output)

        deps.install_with_uv(c.tools, c.python, c.app_dir, [], c.added_file, c.prefix, c.env, c.config, c.log,
                             args=self.install_arguments(c), label=FILE, failed=failed)

    def install_with_pip(self, context: InstallContext) -> None:
        c = context
        redirected = uv_sources(self.data)
        if redirected:
            # pip reads no [tool.uv.sources]: it would install other packages than uv does.
            raise errors.UvSourcesNeedUv(FILE, redirected)
        requirements = c.state_dir / PIP_REQUIREMENTS
        requirements.parent.mkdir(parents=True, exist_ok=True)
        header = "# Written by pybuildpack from pyproject.toml for pip-compile (do not edit)\n"
        requirements.write_text(header + "".join(line + "\n" for line in
                                                 self.pip_requirements(c.app_dir, c.groups, c.extras)))
        try:
            sync(c, [str(requirements)], FILE)
        except errors.RequirementsCompileFailed as failed:
            if self.builds_project and pip_build_failed(failed.output, c.app_dir, self.project_name):
                raise errors.ProjectBuildFailed("pip-compile (building the project's metadata)",
                                                failed.output) from None
            raise

    def describe(self) -> str:
        if self.builds_project:
            return "pyproject.toml: the project itself (.) and its dependencies"
        return "pyproject.toml: its [project] dependencies (no [build-system], so not the project itself)"

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and (self.groups, self.extras) == (other.groups, other.extras)  # type: ignore

    def __hash__(self) -> int:
        return hash((type(self), self.file, self.names, self.groups, self.extras))

