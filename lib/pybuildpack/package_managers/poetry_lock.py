"""poetry.lock (with pyproject.toml): Poetry's lock, converted to hash-pinned requirements.

The choice: Heroku's buildpack installs Poetry and runs `poetry sync`. We read
the lock ourselves with `packaging` and install it with the same exact uv
install as requirements.txt. The conversion is faithful because a lock leaves
nothing to resolve: it names one version per package, the sha256 of each of
its files, and (for git, path and URL dependencies) the exact source. What
Poetry would still decide at install time is *which* locked packages a
production install needs, and that is a walk of the lock's dependency graph,
the same one Poetry itself walks for locks without per-package groups:

- from the project's main dependencies (`[project] dependencies` or
  `[tool.poetry.dependencies]`), plus the groups in PYBUILDPACK_GROUPS and the
  project extras in PYBUILDPACK_EXTRAS;
- following each locked package's `[package.dependencies]`, with the extras
  asked for on each edge; optional dependencies only through an extra;
- each package keeping the markers of the paths that reach it (an
  unconditional path drops them), and in lock format 2.1 also the lock's own
  marker for it in the groups installed (where Poetry forked the resolution,
  e.g. Django 4.2 below Python 3.10 and 5.2 above), so uv evaluates them for
  the app's Python.

Checked against `poetry export` (poetry-plugin-export) on a lock of 86
packages (Django, Celery, requests[socks], uvicorn[standard], pandas, a dev
group, an extra; Python >=3.9 forks): the same packages for each of 12
Python/platform combinations.

A git dependency becomes `name @ git+URL@<resolved commit>`, a path dependency
a copy of the directory (`file://`, never editable: the slug moves to /app), a
private source an `--extra-index-url` whose credentials are the config vars
`POETRY_HTTP_BASIC_<NAME>_USERNAME/PASSWORD`, referenced as `${VAR}` so no
secret is written to disk. The project itself is installed, editable, as
`poetry sync` does, when it is in package mode (the default) and has a
`[build-system]`; with `package-mode = false` only its dependencies are.

The lock is checked against pyproject.toml with Poetry's own `content-hash`
(a sha256 of the relevant sections, dumped as sorted JSON), for both the
`[tool.poetry]` and PEP 621 `[project]` styles and for lock formats 1.x
(`[metadata.files]`) and 2.x (`files` per package).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Mapping, Optional, Sequence

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .. import errors
from ..inspect.lock_wheels import LockedPackage as LockedWheels
from ..inspect.python_version import PythonRequest
from .base import LOCK_FILE, InstallContext, PackageManager
from ..inspect.pyproject import read_toml
from ..steps.dependencies import app_build_failed
from ..steps.prefetch import Request
from ..tools import Tools
from .locked import Pinned, converted_request, install_converted, is_pypi, local_file_url, requirements_text

CONVERTED = "poetry-requirements.txt"
MAIN = "main"

# Poetry's content-hash inputs (poetry/packages/locker.py).
_LEGACY_KEYS = ("dependencies", "source", "extras", "dev-dependencies")
_RELEVANT_KEYS = (*_LEGACY_KEYS, "group")
_RELEVANT_PROJECT_KEYS = ("requires-python", "dependencies", "optional-dependencies")


# --- Poetry's version constraints ------------------------------------------------

def _bump(parts: list, index: int) -> str:
    head = parts[:index + 1]
    head[index] += 1
    return ".".join(str(p) for p in head + [0] * (max(len(parts), 2) - len(head)))


def constraint_to_specifier(constraint: str) -> str:
    """A Poetry version constraint as a PEP 440 specifier.

    >>> constraint_to_specifier("^3.11"), constraint_to_specifier("~3.11"), constraint_to_specifier("^0.2.3")
    ('>=3.11,<4.0', '>=3.11,<3.12', '>=0.2.3,<0.3.0')

    Raises ValueError for what one specifier cannot say (`||`, a bad version)."""
    text = constraint.strip()
    if "||" in text or "|" in text:
        raise ValueError(f"{constraint!r} is a union of ranges")
    if text in ("", "*"):
        return ""
    out = []
    for part in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", text):
        part = part.strip()
        if not part or part == "*":
            continue
        match = re.match(r"^(\^|~(?!=))\s*(\d+(?:\.\d+)*)$", part)
        if match:
            op, version = match.groups()
            parts = [int(p) for p in version.split(".")]
            if op == "^":
                index = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
                index = min(index, len(parts) - 1)
            else:
                index = 0 if len(parts) == 1 else 1
            out += [f">={version}", f"<{_bump(parts, index)}"]
            continue
        if re.match(r"^\d", part):
            part = "==" + part
        elif part.startswith("=") and not part.startswith("=="):
            part = "=" + part
        out.append(part.replace(" ", ""))
    spec = ",".join(out)
    try:
        SpecifierSet(spec)
    except InvalidSpecifier:
        raise ValueError(f"{constraint!r} is not a version constraint")
    return spec


def python_specifier(constraint: str) -> str:
    """The project's Python constraint as one specifier. A union of ranges
    (`>=3.8,<3.9 || >=3.10`) becomes its range with the highest lower bound:
    the newest CPython it allows is the one the build picks either way.

    >>> python_specifier("^3.8 || ^3.10")
    '>=3.10,<4.0'
    """
    branches = [constraint_to_specifier(b) for b in constraint.split("||")] if "||" in constraint else []
    if not branches:
        return constraint_to_specifier(constraint)

    def lower(spec: str) -> Version:
        bounds = [Version(s.version) for s in SpecifierSet(spec) if s.operator in (">=", ">", "==", "~=")
                  and "*" not in s.version]
        return max(bounds, default=Version("0"))
    return max(branches, key=lower)


def python_marker(constraint: str) -> str:
    """A Poetry `python = "..."` constraint on a dependency as a marker."""
    spec = constraint_to_specifier(constraint)
    return " and ".join(f'python_full_version {s.operator} "{s.version}"'
                        if s.version.count(".") >= 2 and "*" not in s.version
                        else f'python_version {s.operator} "{s.version}"' for s in SpecifierSet(spec))


# --- markers, combined as text ----------------------------------------------------------

def _normal(marker: str) -> str:
    try:
        return str(Marker(marker))
    except InvalidMarker:
        return marker


def without_extras(marker: str) -> str:
    """`marker` with its `extra == "..."` clauses taken as true: the walk has
    already decided which extras are wanted, and an installer would read them
    as false in a requirements file.

    >>> without_extras('python_version < "3.8" and extra == "socks"')
    'python_version < "3.8"'
    """
    if "extra" not in marker:
        return marker
    try:
        parsed = Marker(marker)._markers
    except (InvalidMarker, AttributeError):
        return marker

    def render(items) -> "str | None":  # None: always true
        if isinstance(items, tuple):
            if any(getattr(part, "value", None) == "extra" and type(part).__name__ == "Variable" for part in items):
                return None
            return " ".join(part.serialize() for part in items)
        if not isinstance(items, list):
            return None
        groups, current = [], []
        for item in items:
            if item == "or":
                groups.append(current)
                current = []
            elif item != "and":
                current.append(render(item))
        groups.append(current)
        alternatives = []
        for group in groups:
            kept = [f"({g})" if " or " in g else g for g in group if g is not None]
            if not kept:
                return None  # one alternative always holds
            alternatives.append(" and ".join(kept))
        return " or ".join(alternatives)
    text = render(parsed)
    return _normal(text) if text else ""


def marker_and(a: str, b: str) -> str:
    if not a or not b:
        return a or b
    return _normal(f"({a}) and ({b})")


# --- the files ------------------------------------------------------------------------------

def content_hash(pyproject: dict, with_dependency_groups: bool = True) -> str:
    """Poetry's content-hash of pyproject.toml (Locker._get_content_hash)."""
    project = pyproject.get("project", {}) or {}
    groups = pyproject.get("dependency-groups", {}) if with_dependency_groups else {}
    poetry = (pyproject.get("tool", {}) or {}).get("poetry", {}) or {}
    relevant_project = {k: project[k] for k in _RELEVANT_PROJECT_KEYS if project.get(k) is not None}
    relevant_poetry = {}
    for key in _RELEVANT_KEYS:
        data = poetry.get(key)
        if data is None and (key not in _LEGACY_KEYS or relevant_project or groups):
            continue
        relevant_poetry[key] = data
    relevant: dict = {}
    if relevant_project:
        relevant["project"] = relevant_project
    if groups:
        relevant["dependency-groups"] = groups
    if relevant:
        relevant["tool"] = {"poetry": relevant_poetry}
    else:
        relevant = relevant_poetry
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


class Dependency:
    """An edge: a name, the extras asked of it, its marker, and its version constraint."""

    def __init__(self, name: str, extras: Sequence[str] = (), marker: str = "", constraint: str = "",
                 optional: bool = False) -> None:
        self.name = canonicalize_name(name)
        self.extras = tuple(canonicalize_name(e) for e in extras)
        self.marker = marker
        self.constraint = constraint
        self.optional = optional


def _poetry_dependency(name: str, spec) -> list:
    """Edges for one `name = spec` entry of Poetry's TOML (a string, a table,
    or a list of tables with different markers)."""
    if isinstance(spec, list):
        return [d for item in spec for d in _poetry_dependency(name, item)]
    if not isinstance(spec, dict):
        return [Dependency(name, constraint=str(spec))]
    marker = spec.get("markers", "") or ""
    if spec.get("python"):
        try:
            marker = marker_and(marker, python_marker(str(spec["python"])))
        except ValueError:
            pass
    if spec.get("platform"):
        marker = marker_and(marker, f'sys_platform == "{spec["platform"]}"')
    return [Dependency(name, spec.get("extras", ()) or (), marker, str(spec.get("version", "") or ""),
                       bool(spec.get("optional", False)))]


def _pep508_dependency(text: str, extra_marker: str = "") -> Optional[Dependency]:
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    marker = str(req.marker) if req.marker else ""
    return Dependency(req.name, sorted(req.extras), marker_and(marker, extra_marker), str(req.specifier))


class Project:
    """What pyproject.toml says about the dependencies Poetry locks."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.project = data.get("project") if isinstance(data.get("project"), dict) else {}
        tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
        self.poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}

    def _poetry_table(self, table) -> list:
        return [d for name, spec in (table or {}).items() if canonicalize_name(name) != "python"
                for d in _poetry_dependency(name, spec)]

    def main(self) -> list:
        """The main group. With [project] dependencies, [tool.poetry.dependencies]
        only adds information to them (sources, markers), as Poetry reads it."""
        if "dependencies" in self.project:
            found = [_pep508_dependency(t) for t in self.project.get("dependencies") or []]
            return [d for d in found if d is not None]
        return [d for d in self._poetry_table(self.poetry.get("dependencies")) if not d.optional]

    def extras(self) -> dict:
        """{extra: [Dependency]} of the project."""
        found: dict = {}
        for extra, texts in (self.project.get("optional-dependencies") or {}).items():
            found[canonicalize_name(extra)] = [d for d in (_pep508_dependency(t) for t in texts or []) if d]
        poetry_deps = {d.name: d for d in self._poetry_table(self.poetry.get("dependencies"))}
        for extra, names in (self.poetry.get("extras") or {}).items():
            edges = []
            for name in names or []:
                dep = poetry_deps.get(canonicalize_name(name))
                edges.append(Dependency(name, dep.extras, dep.marker, dep.constraint) if dep else Dependency(name))
            found.setdefault(canonicalize_name(extra), []).extend(edges)
        return found

    def groups(self) -> dict:
        """{group: [Dependency]}: [tool.poetry.group.*], the legacy
        [tool.poetry.dev-dependencies] and PEP 735 [dependency-groups]."""
        found: dict = {}
        for name, group in (self.poetry.get("group") or {}).items():
            found.setdefault(canonicalize_name(name), []).extend(self._poetry_table((group or {}).get("dependencies")))
        if self.poetry.get("dev-dependencies"):
            found.setdefault("dev", []).extend(self._poetry_table(self.poetry["dev-dependencies"]))
        pep735 = self.data.get("dependency-groups") or {}

        def expand(group: str, seen: tuple) -> list:
            edges = []
            for item in pep735.get(group, []) or []:
                if isinstance(item, dict) and "include-group" in item and item["include-group"] not in seen:
                    edges += expand(item["include-group"], seen + (item["include-group"],))
                elif isinstance(item, str):
                    dep = _pep508_dependency(item)
                    if dep:
                        edges.append(dep)
            return edges
        for name in pep735:
            found.setdefault(canonicalize_name(name), []).extend(expand(name, (name,)))
        return found

    def installs_itself(self) -> bool:
        """Whether `poetry sync` would install the project itself: package mode
        (the default) and a [build-system] to build it with. Its scripts
        (`[tool.poetry.scripts]`) then exist in production too."""
        return self.poetry.get("package-mode", True) is not False and bool(self.name()) \
            and isinstance(self.data.get("build-system"), dict)

    def name(self) -> str:
        name = self.project.get("name") or self.poetry.get("name") or ""
        return canonicalize_name(str(name)) if name else ""

    def python(self) -> Optional[str]:
        deps = self.poetry.get("dependencies") or {}
        value = deps.get("python")
        return str(value) if value is not None else None


class LockedPackage:
    def __init__(self, raw: dict, metadata_files: dict) -> None:
        self.name = canonicalize_name(str(raw.get("name", "")))
        self.version = str(raw.get("version", ""))
        self.source = raw.get("source") or {}
        self.develop = bool(raw.get("develop", False))
        files = raw.get("files")
        if files is None:  # lock format 1.x keeps the hashes in [metadata.files]
            files = metadata_files.get(self.name, [])
        self.hashes = tuple(sorted({str(f["hash"]) for f in files if isinstance(f, dict) and f.get("hash")}))
        self.wheels = tuple(str(f["file"]) for f in files if isinstance(f, dict) and str(f.get("file", "")).endswith(".whl"))
        self.dependencies = [d for name, spec in (raw.get("dependencies") or {}).items()
                             for d in _poetry_dependency(name, spec)]
        for dep in self.dependencies:
            dep.marker = without_extras(dep.marker)
        self.extras = {canonicalize_name(extra): [_requirement_name(t) for t in texts or []]
                       for extra, texts in (raw.get("extras") or {}).items()}
        # Lock format 2.1: where the package is needed, for all groups or per group.
        self.locked_markers = raw.get("markers")
        self.groups = tuple(canonicalize_name(str(g)) for g in raw.get("groups") or ())

    def locked_marker(self, groups: Sequence[str]) -> str:
        """The lock's own marker for this package in the groups installed (lock
        format 2.1; "" when the lock has none). Poetry forks on it when it locks
        two versions of a package (Django 4.2 for Python < 3.10, 5.2 above)."""
        markers = self.locked_markers
        if isinstance(markers, str):
            return without_extras(markers)
        if not isinstance(markers, dict):
            return ""
        # Groups the package is in but the table does not name have no marker.
        by_group = {canonicalize_name(str(k)): str(v) for k, v in markers.items()}
        chosen = [by_group.get(g, "") for g in self.groups if g in groups]
        if not chosen or any(not m for m in chosen):
            return ""
        found = sorted({without_extras(m) for m in chosen})
        if "" in found:
            return ""
        return found[0] if len(found) == 1 else _normal(" or ".join(f"({m})" for m in found))

    def matches(self, constraint: str) -> bool:
        try:
            spec = constraint_to_specifier(constraint)
            return not spec or Version(self.version) in SpecifierSet(spec)
        except (ValueError, InvalidVersion, InvalidSpecifier):
            return True


def _requirement_name(text: str) -> str:
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", str(text))
    return canonicalize_name(match.group(1)) if match else ""


class Lock:
    def __init__(self, data: dict) -> None:
        metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        self.metadata = metadata
        files = {canonicalize_name(k): v for k, v in (metadata.get("files") or {}).items()}
        self.packages: dict = {}
        for raw in data.get("package") or []:
            if isinstance(raw, dict) and raw.get("name"):
                package = LockedPackage(raw, files)
                self.packages.setdefault(package.name, []).append(package)

    def candidates(self, dep: Dependency) -> list:
        found = self.packages.get(dep.name, [])
        if len(found) > 1:
            matching = [p for p in found if p.matches(dep.constraint)]
            return matching or found
        return found


def render_marker(paths) -> str:
    """Paths (each a frozenset of edge markers, all of which must hold) as one
    marker: any path may hold. An unconditional path makes it empty."""
    if not paths or frozenset() in paths:
        return ""
    disjuncts = sorted(" and ".join(f"({m})" for m in sorted(path)) if len(path) > 1 else next(iter(path))
                       for path in paths)
    if len(disjuncts) == 1:
        return _normal(disjuncts[0])
    return _normal(" or ".join(f"({d})" for d in disjuncts))


def _add_path(paths: set, path: frozenset) -> bool:
    """Add `path` unless a path it implies is there already (A or (A and B) is A)."""
    if any(known <= path for known in paths):
        return False
    for known in [k for k in paths if path <= k]:
        paths.discard(known)
    paths.add(path)
    return True


def walk(lock: Lock, roots: Sequence[Dependency], groups: Sequence[str] = (MAIN,)) -> tuple:
    """The locked packages the roots need, each with the markers of the paths
    that reach it and the lock's own marker for it in `groups`:
    ({(name, version): (package, marker)}, [missing root names]).
    A path's marker is the set of its edges' markers, so cycles end."""
    paths: dict = {}         # (name, version) -> set of frozensets of edge markers
    extras: dict = {}        # (name, version) -> extras asked of it
    packages: dict = {}
    missing = []
    queue = []
    for dep in roots:
        found = lock.candidates(dep)
        if not found and not dep.marker:
            # (Poetry leaves out a dependency whose markers the project's Python excludes.)
            missing.append(dep.name)
        edge = frozenset([_normal(dep.marker)]) if dep.marker else frozenset()
        queue += [(p, edge, dep.extras) for p in found]
    while queue:
        package, path, asked = queue.pop()
        key = (package.name, package.version)
        packages[key] = package
        known_paths, known_extras = paths.setdefault(key, set()), extras.setdefault(key, set())
        grew = not set(asked) <= known_extras
        known_extras.update(asked)
        if _add_path(known_paths, path):
            todo = [path] if not grew else list(known_paths)
        elif grew:
            todo = list(known_paths)
        else:
            continue
        wanted_optional = {name for extra in known_extras for name in package.extras.get(extra, [])}
        for dep in package.dependencies:
            if dep.optional and dep.name not in wanted_optional:
                continue
            edge = frozenset([_normal(dep.marker)]) if dep.marker else frozenset()
            for child in lock.candidates(dep):
                for known in todo:
                    queue.append((child, known | edge, dep.extras))
    result = {key: (packages[key], marker_and(render_marker(found), packages[key].locked_marker(groups)))
              for key, found in paths.items()}
    return result, missing


class PoetryLock(PackageManager):
    kind = "poetry"
    tool = "poetry"
    # poetry.lock selects Poetry; the pyproject.toml beside it is read but is no
    # sign of Poetry on its own (uv and plain PEP 621 projects have one too).
    files = ("poetry.lock",)
    has_groups = True
    has_extras = True

    def __init__(self, file: str, names: frozenset, app_dir: Path, parsed: Optional[tuple] = None) -> None:
        super().__init__(file, names)
        self.app_dir = app_dir
        # (Project, Lock), parsed once, by detect: every question below is about these same files.
        self.project, self.lock = parsed if parsed is not None else _read(app_dir)

    @classmethod
    def detect(cls, app_dir: Path) -> Optional["PoetryLock"]:
        if not (app_dir / "poetry.lock").is_file():
            return None
        if not (app_dir / "pyproject.toml").is_file():
            raise errors.PoetryPyprojectMissing()
        project, lock = _read(app_dir)
        found, _ = walk(lock, cls.roots(project, (), ()))
        return cls("poetry.lock", frozenset(name for name, _ in found), app_dir, (project, lock))

    def select(self, groups: tuple, extras: tuple) -> "PoetryLock":
        """The names the main group brings in plus the groups and extras asked
        for (so a server declared only in a chosen group counts as declared)."""
        if not groups and not extras:
            return self
        found, _ = walk(self.lock, self.roots(self.project, groups, extras), (MAIN, *groups))
        return type(self)(self.file, frozenset(name for name, _ in found), self.app_dir, (self.project, self.lock))

    def locked_packages(self) -> tuple:
        return tuple(LockedWheels(package.name, package.version, package.wheels)
                     for name in sorted(self.names) for package in self.lock.packages.get(name, []))

    def test_groups(self) -> tuple:
        """`dev` ([tool.poetry.group.dev], the legacy dev-dependencies or PEP 735), when defined."""
        return ("dev",) if "dev" in self.project.groups() else ()

    def python_requests(self) -> tuple:
        value = self.project.python()
        if value is None:
            return ()
        origin = "python in [tool.poetry.dependencies]"
        try:
            spec = python_specifier(value)
        except ValueError as exc:
            raise errors.PythonVersionInvalid(origin, value, f"It is not a Poetry version constraint ({exc}).")
        return (PythonRequest(spec, "specifier", origin),) if spec else ()

    def install_files(self) -> Sequence[str]:
        return ["pyproject.toml", "poetry.lock"]

    def lock_name(self, installer: str) -> Optional[str]:
        return LOCK_FILE if installer == "pip" else None

    @property
    def local_sources(self) -> bool:
        project, lock = self.project, self.lock
        return project.installs_itself() or any(
            p.source.get("type") in ("directory", "file") for ps in lock.packages.values() for p in ps)

    def check_lock(self, context: InstallContext) -> None:
        project, lock = self.project, self.lock
        expected = lock.metadata.get("content-hash")
        if expected:
            hashes = {content_hash(project.data)}
            if _generated_before(context.app_dir / "poetry.lock", (2, 3)):
                hashes.add(content_hash(project.data, with_dependency_groups=False))
            if expected not in hashes:
                raise errors.PoetryLockOutdated("its content-hash does not match the dependencies in pyproject.toml")
        _, missing = walk(lock, self.roots(project, context.groups, context.extras), (MAIN, *context.groups))
        if missing:
            raise errors.PoetryLockOutdated("pyproject.toml declares " + ", ".join(sorted(set(missing)))
                                            + ", which poetry.lock does not list")

    @staticmethod
    def roots(project: Project, groups: Sequence[str], extras: Sequence[str]) -> list:
        """The dependencies the walk starts from: the main group, and the groups and extras asked for."""
        roots = list(project.main())
        available_groups, available_extras = project.groups(), project.extras()
        unknown = [g for g in groups if g not in available_groups]
        if unknown:
            raise errors.SelectionUnknown("PYBUILDPACK_GROUPS", unknown, "pyproject.toml", sorted(available_groups))
        unknown = [e for e in extras if e not in available_extras]
        if unknown:
            raise errors.SelectionUnknown("PYBUILDPACK_EXTRAS", unknown, "pyproject.toml", sorted(available_extras))
        for group in groups:
            roots += available_groups[group]
        for extra in extras:
            roots += available_extras[extra]
        # The project named in its own extras or groups (`myapp[postgres]`) stands for those extras.
        own = project.name()
        expanded, seen, queue = [], set(), list(roots)
        while queue:
            dep = queue.pop(0)
            if own and dep.name == own:
                for extra in dep.extras:
                    if extra not in seen:
                        seen.add(extra)
                        queue += available_extras.get(extra, [])
                continue
            expanded.append(dep)
        return expanded

    def requirements(self, app_dir: Path, groups: Sequence[str] = (), extras: Sequence[str] = (),
                     config: Optional[dict] = None) -> str:
        """The hash-pinned requirements file a production install of the lock means."""
        project, lock = self.project, self.lock
        found, _ = walk(lock, self.roots(project, groups, extras), (MAIN, *groups))
        index_urls, pinned = [], []
        for (name, version), (package, marker) in sorted(found.items()):
            source, kind = package.source, package.source.get("type")
            url = ""
            if kind == "git":
                commit = source.get("resolved_reference") or source.get("reference")
                url = f"git+{source.get('url')}@{commit}"
                if source.get("subdirectory"):
                    url += f"#subdirectory={source['subdirectory']}"
            elif kind in ("directory", "file"):
                url = local_file_url(app_dir, str(source.get("url")), "poetry.lock", name)
                if kind == "directory" and source.get("subdirectory"):
                    url += f"#subdirectory={source['subdirectory']}"
            elif kind == "url":
                url = str(source.get("url"))
            elif kind == "legacy" and source.get("url") and not is_pypi(str(source["url"])):
                index = _index_url(str(source["url"]), str(source.get("reference") or ""), config or {})
                if index not in index_urls:
                    index_urls.append(index)
            hashes = package.hashes if kind not in ("git", "directory") else ()
            pinned.append(Pinned(name, version, hashes, marker, url))
        options = [f"--extra-index-url {u}" for u in index_urls]
        if project.installs_itself():
            # As `poetry sync` does: the project itself, editable, built by its own build backend.
            options.append(f"-e {app_dir.resolve()}")
        return requirements_text("Converted by pybuildpack from poetry.lock (do not edit)", options, pinned)

    def prefetch_request(self, app_dir: Path, scratch: Path, config: Mapping[str, str], groups: tuple = (),
                         extras: tuple = (), tools: Optional[Tools] = None,
                         env: Mapping[str, str] = {}) -> Optional[Request]:
        return converted_request(scratch, CONVERTED, self.requirements(app_dir, groups, extras, dict(config)))

    def install(self, context: InstallContext) -> None:
        text = self.requirements(context.app_dir, context.groups, context.extras, dict(context.config))
        project = self.project

        def failed(command: str, output: str) -> Exception:
            if project.installs_itself() and app_build_failed(output, context.app_dir):
                system = project.data.get("build-system") or {}
                return errors.PoetryProjectBuildFailed(str(system.get("build-backend") or ""), command, output)
            return errors.DependencyInstallFailed("poetry.lock", "uv", command, output)

        install_converted(context, CONVERTED, text, "poetry.lock", failed)

    def describe(self) -> str:
        return "poetry.lock (Poetry), main group"


def credential_vars(source_name: str) -> tuple:
    """The config vars Poetry reads for a source's HTTP basic credentials."""
    key = re.sub(r"[^A-Z0-9]", "_", source_name.upper())
    return f"POETRY_HTTP_BASIC_{key}_USERNAME", f"POETRY_HTTP_BASIC_{key}_PASSWORD"


def _index_url(url: str, name: str, config: dict) -> str:
    """The source's URL with `${VAR}` references to its credential config vars,
    when they are set (expanded by the installer from the environment, so no
    secret is written to disk)."""
    if not name or "@" in url.split("//", 1)[-1].split("/", 1)[0]:
        return url
    user, password = credential_vars(name)
    if not config.get(user) and not config.get(password):
        return url
    scheme, rest = url.split("://", 1) if "://" in url else ("https", url)
    return f"{scheme}://${{{user}}}:${{{password}}}@{rest}"


def _generated_before(lock_path: Path, version: tuple) -> bool:
    try:
        with lock_path.open(encoding="utf-8") as handle:
            first = handle.readline()
    except OSError:
        return False
    match = re.search(r"Poetry ([0-9][^ ]*)", first)
    if not match:
        return False
    try:
        return Version(match.group(1)).release[:2] < version
    except InvalidVersion:
        return False


def _read(app_dir: Path) -> tuple:
    project = Project(read_toml(app_dir / "pyproject.toml", "pyproject.toml"))
    lock = Lock(read_toml(app_dir / "poetry.lock", "poetry.lock"))
    return project, lock
