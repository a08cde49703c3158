"""uv.lock: a uv project (pyproject.toml plus the lock uv wrote for it).

The build installs what `uv sync --locked --no-dev --no-editable` would: the
project's dependencies and its default dependency groups except `dev`, the
project itself when it is a package (and the workspace members it depends on),
all non-editable, so the slug holds no links back to the build directory.

uv exports the lock as a hash-pinned requirements file (`uv export --locked`,
which also fails when the lock no longer matches pyproject.toml), and the
usual exact install runs on it together with what pybuildpack adds, so the
added server and the runtime's own packages survive the sync. uv reads the
app's own uv settings for the export (they are what the lock was made with);
the install then runs without them, and gets the app's package indexes as
flags instead (`index_flags`), with credentials from the config vars uv itself
reads (`UV_INDEX_<NAME>_USERNAME`, `UV_INDEX_<NAME>_PASSWORD`).

With PYBUILDPACK_INSTALLER=pip, pip-compile resolves the export (every
version pinned by the lock) with the added packages, and pip-sync installs it.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence
from urllib.parse import quote, urlsplit, urlunsplit

from packaging.utils import canonicalize_name

from .. import errors
from ..inspect.lock_wheels import LockedPackage as LockedWheels, wheel_name
from ..inspect.pyproject import read_pyproject, read_toml
from ..steps import dependencies as deps
from ..steps.prefetch import Request, without_local
from ..tools import Tools, command_text, run
from .base import LOCK_FILE, InstallContext, PackageManager
from .requirements_txt import sync

EXPORT_FILE = "uv-export.txt"
SETTINGS_FILE = "uv.toml"
DEV_GROUP = "dev"
# The lock's package sources whose code lives in the app (it can change under an
# unchanged lock); `virtual` members install no code of their own.
LOCAL_SOURCES = ("editable", "directory", "path")


# --- reading the lock (pure functions) ---------------------------------------------------

def production_groups(pyproject: Mapping[str, Any], lock_groups: Iterable[str]) -> tuple:
    """The dependency groups `uv sync --no-dev` installs: the project's default
    groups (`[tool.uv] default-groups`, by default just `dev`) without `dev`.

        >>> production_groups({"tool": {"uv": {"default-groups": ["dev", "web"]}}}, ["dev", "web", "lint"])
        ('web',)
        >>> production_groups({"tool": {"uv": {"default-groups": "all"}}}, ["dev", "web", "lint"])
        ('lint', 'web')
    """
    default = pyproject.get("tool", {}).get("uv", {}).get("default-groups", [DEV_GROUP])
    groups = set(lock_groups) if default == "all" else set(default if isinstance(default, list) else [])
    return tuple(sorted(g for g in groups if canonicalize_name(g) != DEV_GROUP))


def lock_roots(pyproject: Mapping[str, Any], lock: Mapping[str, Any]) -> tuple:
    """The projects a build installs from the lock: the app's own project, or,
    for a workspace root that is not a project itself, every member (as `uv
    sync` at that root does)."""
    name = pyproject.get("project", {}).get("name")
    if isinstance(name, str) and name:
        return (canonicalize_name(name),)
    return tuple(canonicalize_name(m) for m in lock.get("manifest", {}).get("members", []))


def production_names(lock: Mapping[str, Any], roots: Iterable[str], groups: Iterable[str] = (),
                     extras: Iterable[str] = ()) -> frozenset:
    """The canonical names of every package a production install of `roots`
    brings in: their dependencies (and `groups`, and the roots' `extras`), followed through the lock's
    `[[package]]` entries, extras included. Markers are not evaluated, so a
    package needed only on another platform is named too. The roots themselves
    are not, unless another root depends on them.

        >>> lock = {"package": [
        ...     {"name": "app", "dependencies": [{"name": "flask"}],
        ...      "dev-dependencies": {"dev": [{"name": "pytest"}]}},
        ...     {"name": "flask", "dependencies": [{"name": "werkzeug"}]},
        ...     {"name": "werkzeug"}, {"name": "pytest"}]}
        >>> sorted(production_names(lock, ["app"]))
        ['flask', 'werkzeug']
    """
    tables: dict = {}
    for package in lock.get("package", []):
        tables.setdefault(canonicalize_name(package.get("name", "")), []).append(package)
    queue: list = []
    for root in roots:
        for table in tables.get(canonicalize_name(root), []):
            queue += table.get("dependencies", [])
            for group in groups:
                queue += table.get("dev-dependencies", {}).get(group, [])
            for extra in extras:
                queue += table.get("optional-dependencies", {}).get(extra, [])
    names: set = set()
    extras_seen: set = set()
    while queue:
        dependency = queue.pop()
        name = canonicalize_name(dependency.get("name", ""))
        if not name:
            continue
        if name not in names:
            names.add(name)
            for table in tables.get(name, []):
                queue += table.get("dependencies", [])
        for extra in dependency.get("extra", []):
            if (name, extra) not in extras_seen:
                extras_seen.add((name, extra))
                for table in tables.get(name, []):
                    queue += table.get("optional-dependencies", {}).get(extra, [])
    return frozenset(names)


def local_packages(lock: Mapping[str, Any]) -> frozenset:
    """Packages whose code is in the app or beside it (the project when it is a
    package, workspace members, path dependencies): installing them builds that
    code, so they are rebuilt on every install.

        >>> sorted(local_packages({"package": [{"name": "app", "source": {"editable": "."}},
        ...                                     {"name": "six", "source": {"registry": "https://pypi.org/simple"}},
        ...                                     {"name": "tools", "source": {"virtual": "tools"}}]}))
        ['app']
    """
    return frozenset(canonicalize_name(p.get("name", "")) for p in lock.get("package", [])
                     if any(key in p.get("source", {}) for key in LOCAL_SOURCES))


def member_projects(lock: Mapping[str, Any]) -> tuple:
    """The pyproject.toml files of the workspace members and path dependencies
    inside the app, relative to it (the lock is checked against them too).

        >>> member_projects({"package": [{"name": "app", "source": {"editable": "."}},
        ...                              {"name": "lib", "source": {"virtual": "packages/lib"}}]})
        ('packages/lib/pyproject.toml',)
    """
    found = []
    for package in lock.get("package", []):
        source = package.get("source", {})
        for key in (*LOCAL_SOURCES, "virtual"):
            path = source.get(key)
            if isinstance(path, str) and path not in (".", "") and not path.startswith(("/", "..")) \
                    and not path.endswith((".whl", ".tar.gz", ".zip")):
                found.append(f"{path.rstrip('/')}/pyproject.toml")
    return tuple(sorted(set(found)))


def workspace_top(app_dir: Path) -> Optional[Path]:
    """For a uv workspace member (a project with no uv.lock of its own), the
    workspace root above it that holds the lock and lists it among
    `[tool.uv.workspace] members` (globs, minus `exclude`); None otherwise.
    Looks no higher than the app's repository (app_root.repository_top)."""
    from fnmatch import fnmatchcase

    from ..app_root import repository_top

    app, top = Path(app_dir).resolve(), repository_top(app_dir)
    if (app / "uv.lock").is_file() or not (app / "pyproject.toml").is_file():
        return None
    for directory in app.parents:
        if not directory.is_relative_to(top):
            return None
        if not (directory / "uv.lock").is_file():
            continue
        workspace = (read_pyproject(directory) or {}).get("tool", {}).get("uv", {}).get("workspace")
        if not isinstance(workspace, dict):
            return None   # the nearest lock is another project's
        member = app.relative_to(directory).as_posix()
        matches = [g for g in workspace.get("members", []) if isinstance(g, str) and fnmatchcase(member, g.rstrip("/"))]
        excluded = [g for g in workspace.get("exclude", []) if isinstance(g, str) and fnmatchcase(member, g.rstrip("/"))]
        return directory if matches and not excluded else None
    return None


# --- package indexes ---------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Index:
    """A package index the app declares in `[[tool.uv.index]]` (or uv.toml's `[[index]]`)."""

    url: str
    name: Optional[str] = None
    default: bool = False
    explicit: bool = False
    flat: bool = False

    def credential_vars(self) -> tuple:
        """The variables uv reads this index's credentials from, e.g.
        UV_INDEX_PRIVATE_USERNAME for an index named `private`."""
        if not self.name:
            return ()
        stem = "UV_INDEX_" + re.sub(r"[^A-Za-z0-9]", "_", self.name).upper()
        return (stem + "_USERNAME", stem + "_PASSWORD")


@dataclasses.dataclass(frozen=True)
class IndexSettings:
    """The app's uv settings that decide where packages are downloaded from."""

    indexes: tuple = ()
    find_links: tuple = ()
    no_index: bool = False
    index_strategy: Optional[str] = None


def index_settings(settings: Mapping[str, Any], project_indexes: Sequence[Mapping[str, Any]] = ()) -> IndexSettings:
    """Read the index settings from a uv settings table (uv.toml, or
    pyproject.toml's `[tool.uv]`) and the project's own `[[tool.uv.index]]`.

        >>> index_settings({"index": [{"name": "private", "url": "https://pkgs.example.com/simple",
        ...                            "explicit": True}]}).indexes
        (Index(url='https://pkgs.example.com/simple', name='private', default=False, explicit=True, flat=False),)
    """
    indexes, seen = [], set()
    for entry in [*settings.get("index", []), *project_indexes]:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("url"), str):
            continue
        index = Index(url=entry["url"], name=entry.get("name"), default=bool(entry.get("default", False)),
                      explicit=bool(entry.get("explicit", False)), flat=entry.get("format") == "flat")
        if (index.name, index.url) not in seen:
            seen.add((index.name, index.url))
            indexes.append(index)
    # The older spellings: index-url and extra-index-url.
    if isinstance(settings.get("index-url"), str):
        indexes.append(Index(url=settings["index-url"], default=True))
    for url in settings.get("extra-index-url", []) or []:
        indexes.append(Index(url=url))
    find_links = tuple(settings.get("find-links", []) or [])
    strategy = settings.get("index-strategy")
    return IndexSettings(tuple(indexes), find_links, bool(settings.get("no-index", False)),
                         strategy if isinstance(strategy, str) else None)


def read_index_settings(app_dir: Path, pyproject: Mapping[str, Any]) -> IndexSettings:
    """The app's index settings: uv.toml at the top of the app when it has one
    (uv then ignores pyproject.toml's `[tool.uv]` settings), else `[tool.uv]`."""
    tool_uv = pyproject.get("tool", {}).get("uv", {})
    path = app_dir / SETTINGS_FILE
    if path.is_file():
        return index_settings(read_toml(path, SETTINGS_FILE), tool_uv.get("index", []))
    return index_settings(tool_uv)


def index_flags(settings: IndexSettings) -> list:
    """The app's indexes as `uv pip install` flags, in the app's order of
    priority. Named indexes keep their names, so uv applies the credentials it
    reads from UV_INDEX_<NAME>_USERNAME and _PASSWORD. An `explicit` index
    (meant only for the packages `[tool.uv.sources]` pins to it) cannot be
    limited to those packages here, so with one the install looks for each
    locked version on every index (`unsafe-best-match`): the lock's hashes
    still decide which file is accepted, so nothing else can be installed.

        >>> index_flags(IndexSettings((Index("https://pkgs.example.com/simple", "private"),)))
        ['--index', 'private=https://pkgs.example.com/simple']
    """
    flags = []
    for index in settings.indexes:
        value = f"{index.name}={index.url}" if index.name else index.url
        if index.flat:
            flags += ["--find-links", index.url]
        elif index.default:
            flags += ["--default-index", value]
        else:
            flags += ["--index", value]
    for link in settings.find_links:
        flags += ["--find-links", link]
    if settings.no_index:
        flags.append("--no-index")
    strategy = settings.index_strategy
    if strategy is None and any(index.explicit for index in settings.indexes):
        strategy = "unsafe-best-match"
    if strategy is not None:
        flags += ["--index-strategy", strategy]
    return flags


def pip_index_env(settings: IndexSettings, env: Mapping[str, str]) -> dict:
    """The app's indexes as pip's variables (pip reads no uv settings), each
    URL carrying the credentials uv would have used. Index config vars the app
    sets itself (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, ...) come first."""
    def with_credentials(index: Index) -> str:
        names = index.credential_vars()
        user = env.get(names[0]) if names else None
        password = env.get(names[1]) if names else None
        if not user and not password:
            return index.url
        parts = urlsplit(index.url)
        host = parts.netloc.rsplit("@", 1)[-1]
        auth = quote(user or "", safe="") + (":" + quote(password, safe="") if password else "")
        return urlunsplit(parts._replace(netloc=f"{auth}@{host}"))

    updates = {}
    default = [with_credentials(i) for i in settings.indexes if i.default and not i.flat]
    extra = [with_credentials(i) for i in settings.indexes if not i.default and not i.flat]
    links = [i.url for i in settings.indexes if i.flat] + list(settings.find_links)
    if default and not env.get("PIP_INDEX_URL"):
        updates["PIP_INDEX_URL"] = default[0]
    if extra:
        updates["PIP_EXTRA_INDEX_URL"] = " ".join([env.get("PIP_EXTRA_INDEX_URL", ""), *extra]).strip()
    if links:
        updates["PIP_FIND_LINKS"] = " ".join([env.get("PIP_FIND_LINKS", ""), *links]).strip()
    if settings.no_index:
        updates["PIP_NO_INDEX"] = "1"
    return updates


# --- the package manager -------------------------------------------------------------

class UvLock(PackageManager):
    kind = "uv"
    tool = "uv"
    files = ("uv.lock",)

    def __init__(self, file: Optional[str], names: frozenset, local: frozenset = frozenset(),
                 groups: tuple = (), other_files: tuple = (), parsed: tuple = ({}, {}),
                 member: Optional[str] = None) -> None:
        super().__init__(file, names)
        self.parsed = parsed            # (pyproject, lock) as read by detect
        self.local = local              # packages built from the app's own code
        self.groups = groups            # the dependency groups installed besides the dependencies
        self.other_files = other_files  # uv.toml, workspace members' pyproject.toml
        # A workspace member's project name: uv runs at the workspace root
        # (`file` is the lock there, relative to the app) for just this package.
        self.member = member

    @classmethod
    def found_files(cls, app_dir: Path) -> list:
        """uv.lock, or for a workspace member the workspace's lock, relative to the app."""
        top = None if (app_dir / cls.files[0]).is_file() else workspace_top(app_dir)
        if top is None:
            return super().found_files(app_dir)
        return [os.path.relpath(top / cls.files[0], Path(app_dir).resolve())]

    @classmethod
    def detect(cls, app_dir: Path) -> Optional["UvLock"]:
        name = cls.files[0]
        top = app_dir if (app_dir / name).is_file() else workspace_top(app_dir)
        if top is None:
            return None
        pyproject = read_pyproject(top)
        if pyproject is None:
            raise errors.UvProjectMissing()
        lock = read_lock(top / name)
        lock_groups = {g for p in lock.get("package", []) for g in p.get("dev-dependencies", {})}
        groups = production_groups(pyproject, lock_groups)
        member = None
        if top is not app_dir:
            member = canonicalize_name(str((read_pyproject(app_dir) or {}).get("project", {}).get("name", "")))
            if not member:
                return None   # not a project: nothing uv would install for it
            roots: tuple = (member,)
        else:
            roots = lock_roots(pyproject, lock)
        names = production_names(lock, roots, groups)
        at = os.path.relpath(top.resolve(), Path(app_dir).resolve())
        prefix = "" if at == "." else at + "/"
        others = [prefix + SETTINGS_FILE] if (top / SETTINGS_FILE).is_file() else []
        others += [prefix + f for f in member_projects(lock) if (top / f).is_file()]
        if member is not None:
            others = [prefix + "pyproject.toml"] + [f for f in others if os.path.normpath(f) != "pyproject.toml"]
        return cls(prefix + name, names, local_packages(lock), groups, tuple(others), (pyproject, lock), member)

    def workspace_dir(self, app_dir: Path) -> Path:
        """Where uv runs: the app, or for a member the workspace root."""
        return (app_dir / self.file).parent if self.member else app_dir

    def select(self, groups: tuple, extras: tuple) -> "UvLock":
        """The names a production install brings in with the groups and extras
        asked for too (so a server declared only in a chosen group counts as declared)."""
        if not groups and not extras:
            return self
        pyproject, lock = self.parsed
        roots = (self.member,) if self.member else lock_roots(pyproject, lock)
        tables = [t for t in lock.get("package", []) if canonicalize_name(t.get("name", "")) in roots]
        defined_groups = {canonicalize_name(g) for t in tables for g in t.get("dev-dependencies", {})}
        defined_extras = {canonicalize_name(e) for t in tables for e in t.get("optional-dependencies", {})}
        for variable, asked, defined in (("PYBUILDPACK_GROUPS", groups, defined_groups),
                                         ("PYBUILDPACK_EXTRAS", extras, defined_extras)):
            unknown = [name for name in asked if name not in defined]
            if unknown:
                raise errors.SelectionUnknown(variable, unknown, self.file, sorted(defined))
        names = production_names(lock, roots, (*self.groups, *groups), extras)
        return type(self)(self.file, names, self.local, self.groups, self.other_files, self.parsed, self.member)

    @property
    def local_sources(self) -> Optional[bool]:
        return bool(self.local)

    def locked_packages(self) -> tuple:
        return tuple(LockedWheels(canonicalize_name(table.get("name", "")), str(table.get("version", "")),
                                  tuple(wheel_name(str(w.get("url") or w.get("filename") or w.get("path") or ""))
                                        for w in table.get("wheels", []) if isinstance(w, dict)))
                     for table in self.parsed[1].get("package", [])
                     if canonicalize_name(table.get("name", "")) in self.names)

    def test_groups(self) -> tuple:
        """`dev`, when the project defines it: what `uv sync` installs besides production."""
        pyproject, lock = self.parsed
        roots = lock_roots(pyproject, lock)
        defined = {canonicalize_name(g) for t in lock.get("package", [])
                   if canonicalize_name(t.get("name", "")) in roots for g in t.get("dev-dependencies", {})}
        return (DEV_GROUP,) if DEV_GROUP in defined else ()

    def install_files(self) -> Sequence[str]:
        """pyproject.toml and uv.lock, plus uv.toml and the workspace members'
        pyproject.toml when there are any: what the lock is checked against."""
        return ["pyproject.toml", self.file, *self.other_files]

    def lock_name(self, installer: str) -> Optional[str]:
        return LOCK_FILE if installer == "pip" else None

    has_groups = True
    has_extras = True

    def check_lock(self, context: InstallContext) -> None:
        c = context
        argv = [str(c.tools.uv), "lock", "--check", "--python", str(c.python)]
        result = run(argv, c.log, env=export_env(c), cwd=self.workspace_dir(c.app_dir), show=False)
        if result.returncode != 0:
            raise lock_error(argv, c.app_dir, result.output)

    def prefetch_request(self, app_dir: Path, scratch: Path, config: Mapping[str, str], groups: tuple = (),
                         extras: tuple = (), tools: Optional[Tools] = None,
                         env: Mapping[str, str] = {}) -> Optional[Request]:
        """The lock exported as the install exports it, but `--frozen`: `--locked`
        needs an interpreter of the project's Python version, which is what is being
        installed (an outdated lock is the install's error to report). Without the
        packages built from the app's code."""
        if tools is None:
            return None
        export = scratch / EXPORT_FILE
        member = ["--package", self.member] if self.member else []
        argv = [str(tools.uv), "export", "--frozen", "--no-editable", "--no-header", *member,
                *selection(groups, extras), "--format", "requirements.txt", "--output-file", str(export)]
        uv_env = tools.uv_env(env)
        uv_env.pop("UV_NO_CONFIG", None)
        uv_env["UV_PYTHON_DOWNLOADS"] = "never"
        top = self.workspace_dir(app_dir)
        if run(argv, None, env=uv_env, cwd=top, show=False).returncode != 0:
            return None
        export.write_text(without_local(export.read_text()))
        settings = read_index_settings(top, read_pyproject(top) or {})
        return Request((str(export),), ("--no-sources", *index_flags(settings)))

    def install(self, context: InstallContext) -> None:
        c = context
        export = c.state_dir / EXPORT_FILE
        export.parent.mkdir(parents=True, exist_ok=True)
        member = ["--package", self.member] if self.member else []
        argv = [str(c.tools.uv), "export", "--locked", "--no-editable", "--no-header", *member, *selection_flags(c),
                "--format", "requirements.txt", "--python", str(c.python), "--output-file", str(export)]
        result = run(argv, c.log, env=export_env(c), cwd=self.workspace_dir(c.app_dir), show=False)
        if result.returncode != 0:
            raise lock_error(argv, c.app_dir, result.output)
        count = sum(1 for line in export.read_text().splitlines() if line and line[0] not in "# -")
        groups = tuple(dict.fromkeys((*self.groups, *c.groups)))
        c.log.detail(errors.uv_exported(count, self.file, groups, with_dev=DEV_GROUP in c.groups))
        top = self.workspace_dir(c.app_dir)
        settings = read_index_settings(top, read_pyproject(top) or {})
        if c.installer == "uv":
            # The lock already decided every source: building the project must not
            # apply its [tool.uv.sources] again (they would make workspace members editable).
            extra = ["--no-sources", *index_flags(settings)]
            for name in sorted(self.local):
                extra += ["--reinstall-package", name]
            # From where uv exported it: the export's local paths are relative to there.
            deps.install_with_uv(c.tools, c.python, top, [str(export)], c.added_file, c.prefix, c.env,
                                 c.config, c.log, args=extra, label=self.file)
            return
        env = {**c.env, **pip_index_env(settings, c.env)}
        sync(dataclasses.replace(c, env=env, app_dir=top), [str(export)], label=self.file)

    def describe(self) -> str:
        groups = f" and the default groups {', '.join(self.groups)}" if self.groups else ""
        return (f"{self.file} (uv export --locked: the project's dependencies{groups}, "
                "without the dev group)")


def read_lock(path: Path) -> dict:
    return read_toml(path, path.name)


def selection_flags(context: InstallContext) -> list:
    """uv export's flags for production plus what PYBUILDPACK_GROUPS and
    PYBUILDPACK_EXTRAS ask for. `--no-dev` wins over `--group dev` in uv, so it is
    left out when the dev group itself is asked for."""
    return selection(context.groups, context.extras)


def selection(groups: Sequence[str], extras: Sequence[str]) -> list:
    flags = [] if DEV_GROUP in groups else ["--no-dev"]
    for group in groups:
        flags += ["--group", group]
    for extra in extras:
        flags += ["--extra", extra]
    return flags


def export_env(context: InstallContext) -> dict:
    """uv's environment for reading the lock: the app's own uv settings apply
    (the lock was made with them: its indexes, exclude-newer, ...), and uv never
    downloads a Python of its own."""
    env = context.tools.uv_env(context.env)
    env.pop("UV_NO_CONFIG", None)
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def lock_error(argv: Sequence[str], app_dir: Path, output: str) -> errors.UserError:
    if "needs to be updated" in output:
        return errors.UvLockOutdated()
    return errors.UvLockFailed(command_text([Path(argv[0]).name, *argv[1:]], app_dir), output)
