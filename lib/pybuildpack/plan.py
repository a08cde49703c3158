"""The BuildPlan: every decision about a build, made before anything runs.

`make_plan()` turns the facts from `inspect` and the config vars into one
value: which Python, which package manager and installer, which server runs
the web process, what pybuildpack adds to the install, whether Django's
static files are collected. Every platform (Heroku classic, CNB, local)
executes the same plan; `pybuildpack explain` prints it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

from packaging.utils import canonicalize_name

from . import errors, package_managers, pins, servers
from . import settings as settings_module
from .config import ConfigVars
from .inspect.declared_web import declared_web
from .inspect.dependencies import check_paths_and_variables
from .inspect.django import DjangoProject, find_django, find_migrations
from .inspect.files import not_a_regular_file
from .inspect.framework import find_framework
from .inspect.processes import DEFAULT_WEB_ORDER, AppTarget, Process, Processes, detect_default_web, parse_procfile
from .inspect.web_app import APP_OBJECTS, no_web_hint
from .inspect.python_version import PythonRequests, requested_python
from .package_managers.base import PackageManager

INSTALLERS = ("uv", "pip")
# Config vars that choose optional dependencies, for every package manager that has them.
SELECTIONS = (("PYBUILDPACK_GROUPS", "groups", "has_groups"), ("PYBUILDPACK_EXTRAS", "extras", "has_extras"))
_SELECTION_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
HOOKS = ("bin/pre_compile", "bin/post_compile")


@dataclass(frozen=True)
class AddedPackage:
    name: str
    reason: str
    pins: tuple = ()

    def requirement_lines(self) -> list:
        return pins.requirement_lines(self.name, self.pins)

    def version_for(self, python_version: str) -> str:
        return pins.version_for(self.name, self.pins, python_version)


@dataclass(frozen=True)
class BuildPlan:
    app_dir: Path
    python: PythonRequests
    installer: str
    installer_origin: str
    package_manager: PackageManager
    package_manager_origin: str    # the file it was found by, or the config var that chose it
    not_installed_from: tuple      # dependency files found but left alone (PYBUILDPACK_PACKAGE_MANAGER chose another)
    groups: tuple                  # dependency groups installed, normalized (PYBUILDPACK_GROUPS, then test_groups)
    extras: tuple                  # extras asked for, normalized (PYBUILDPACK_EXTRAS)
    added_packages: tuple
    django: Optional[DjangoProject]
    collectstatic: bool
    hooks: tuple
    processes: Processes
    warnings: tuple = field(default_factory=tuple)
    # The warning collectstatic gets when the settings do not set STATIC_ROOT (shown
    # at that step, when the settings, once imported, confirm it; listed by explain).
    static_root_warning: Optional[tuple] = None
    # The settings in use (settings.InUse), from config vars or pyproject.toml's [tool.pybuildpack].
    settings: tuple = ()
    # Whether pyproject.toml has any: only then does the build log list them.
    settings_in_file: bool = False
    # A build for tests (Heroku CI's bin/test-compile): the groups holding the
    # test dependencies are installed too (`test_groups`, also in `groups`).
    test: bool = False
    test_groups: tuple = ()
    # The Django app's numbered migration files (for the release suggestion).
    migrations: tuple = ()

    @property
    def release(self) -> Optional[Process]:
        """The Procfile's `release` process, run once per deploy (never as a dyno)."""
        return self.processes.procfile.get("release")

    def release_summary(self) -> Optional[str]:
        """The summary's and explain's `Release` line: the release command, or for a
        Django app with migrations and no release process, the line to add."""
        if self.release is not None:
            return f"{self.release.command} ({self.release.origin})"
        if self.django is not None and self.migrations:
            migrating = next(((name, process.origin) for name, process in self.processes.procfile.items()
                              if _MIGRATE.search(process.command)), None)
            return errors.release_suggestion(self.django.manage_py, len(self.migrations), migrating)
        return None

    @property
    def web(self) -> Optional[Process]:
        return self.processes.web

    def selected(self) -> list:
        """The groups and extras asked for, as the install key records them."""
        return [f"group {g}" for g in self.groups] + [f"extra {e}" for e in self.extras]

    def added_requirements(self) -> list:
        """The requirement lines of everything pybuildpack adds."""
        return [line for package in self.added_packages for line in package.requirement_lines()]


# A command that applies Django's migrations: `python manage.py migrate`, `django-admin migrate`.
_MIGRATE = re.compile(r"(?:\bmanage\.py|\bdjango-admin)\s+migrate\b")


def choose_installer(config: ConfigVars) -> tuple:
    value = config.get("PYBUILDPACK_INSTALLER")
    if value is None or not value.strip():
        return "uv", "default"
    value = value.strip().lower()
    if value not in INSTALLERS:
        raise errors.ConfigVarInvalid(config.source("PYBUILDPACK_INSTALLER"), repr(value), "`uv` or `pip`")
    return value, config.origin("PYBUILDPACK_INSTALLER")


def choose_selection(config: ConfigVars, manager: PackageManager) -> dict:
    """{"groups": (...), "extras": (...)} from PYBUILDPACK_GROUPS and
    PYBUILDPACK_EXTRAS (or their settings): comma-separated names, normalized as PEP 685 does."""
    chosen = {}
    for variable, key, capability in SELECTIONS:
        value = config.get(variable) or ""
        names = [name.strip() for name in value.split(",") if name.strip()]
        bad = [name for name in names if not _SELECTION_NAME.match(name)]
        if bad:
            raise errors.ConfigVarInvalid(config.source(variable), repr(value),
                                          "a comma-separated list of names such as `prod,docs`")
        if names and not getattr(manager, capability):
            raise errors.SelectionNotSupported(config.source(variable), manager.describe())
        chosen[key] = tuple(dict.fromkeys(canonicalize_name(name) for name in names))
    return chosen


def web_process(found, app_dir: Path = Path("."), choice: Optional[servers.Choice] = None) -> Optional[Process]:
    """The default web process for what inspect found: a command as it is, an
    app target under the server `choice` names (the default for its interface
    when None)."""
    if not isinstance(found, AppTarget):
        return found
    if choice is None:
        choice = servers.choose(found, lambda name: False, None)
    words = choice.server.command(found, app_dir)
    # `$PORT` and leading `NAME=value` assignments need the shell that platforms
    # run Procfile lines with; other commands are exec'd as they are.
    needs_shell = any("$" in word for word in words) or servers.is_assignment(words[0])
    # The command is shell text (Heroku runs it with bash): quote words such as
    # `app:create_app()` whose parentheses the shell would otherwise read.
    command = servers.shell_words(words)
    notes = found.notes + (f"Server: {choice.server.label(found.interface)} ({choice.reason})",)
    return Process("web", command, found.origin, () if needs_shell else words, server=choice.server.name,
                   interface=found.interface, notes=notes)


def server_of(process: Process) -> Optional[servers.Server]:
    """The server one of our generated processes runs (None for Procfile commands)."""
    if process.server is not None:
        return servers.get(process.server)
    return None


def added_packages(processes: Processes, manager: PackageManager, django: Optional[DjangoProject]) -> tuple:
    """The servers our processes run and WhiteNoise for Django's static files,
    when the app does not declare them itself."""
    added = []
    web = processes.web
    for process in processes.all.values():
        server = server_of(process)
        if server is not None:
            reason = f"the web process ({web.origin}) runs under {server.name}"
        else:
            # A Procfile line that starts a server the app does not declare
            # would build green and crash at boot: the build adds it too.
            server = servers.running(process.command)
            if server is None:
                continue
            reason = f"the {process.name} process ({process.origin}) runs {server.name}, which the app does not declare"
        wanted = [] if server.declared_by(manager.declares) else [(server.added_package, server.pins)]
        wanted += [(name, pins_) for name, pins_ in server.companions(process.interface or "")
                   if not manager.declares(name)]
        for name, pins_ in wanted:
            if name not in [a.name for a in added]:
                added.append(AddedPackage(name, reason, pins_))
    web_server = server_of(web) if web is not None else None
    if django is not None and web_server is not None and web_server.serves_django_static \
            and web.interface != "asgi" and not manager.declares("whitenoise"):
        added.append(AddedPackage("whitenoise", "it serves Django's static files from the web process",
                                  pins.WHITENOISE))
    return tuple(added)


VERSION_FILES = (".python-version", "runtime.txt")


def check_version_files(app_dir: Path) -> None:
    """A version file that is a directory, a FIFO, a symlink loop or a dangling
    link would be passed over as absent and the build would pick a Python
    nobody asked for (or block reading a FIFO): an error naming it."""
    for name in VERSION_FILES:
        why = not_a_regular_file(app_dir / name)
        if why:
            raise errors.VersionFileNotAFile(name, why)


def make_plan(app_dir: Path, config: ConfigVars, test: bool = False) -> BuildPlan:
    """The plan for building the app; with `test`, for running its tests (the
    package manager's test groups installed too, as bin/test-compile does)."""
    choice = package_managers.choose(app_dir, config.get(package_managers.CHOICE_VAR),
                                     config.source(package_managers.CHOICE_VAR))
    manager = choice.manager
    check_version_files(app_dir)
    python = requested_python(app_dir, manager.python_requests())
    installer, installer_origin = choose_installer(config)
    if installer not in manager.installers:
        raise errors.InstallerNotSupported(installer, manager.file or manager.describe(),
                                           config.source("PYBUILDPACK_INSTALLER"))
    selection = choose_selection(config, manager)
    test_groups = tuple(g for g in manager.test_groups() if g not in selection["groups"]) if test else ()
    selection["groups"] += test_groups
    try:
        manager = manager.select(selection["groups"], selection["extras"])
    except errors.SelectionUnknown as unknown:
        # The package manager names the config var; the names may have come from pyproject.toml.
        if not config.source(unknown.variable).in_file:
            raise
        raise errors.SelectionUnknown(config.source(unknown.variable), unknown.names, unknown.source,
                                      unknown.available) from None
    if python.exact is None:
        python = replace(python, locked=manager.locked_packages(), lock_file=manager.file or "")
    if manager.kind in ("requirements", "requirements-in") and manager.file:
        check_paths_and_variables(app_dir / manager.file, app_dir,
                                  lambda name: config.get(name) is not None or name in os.environ)
    django = find_django(app_dir, config.all)
    framework = find_framework(django, manager.names, manager.file)
    declared = framework.name if framework else None
    procfile = parse_procfile(app_dir)
    # APP_MODULE, APP_FILE or APP_SCRIPT (OpenShift's names) choose the web process;
    # else a Procfile `web` line is the web process: nothing is looked for (nor complained about).
    named = declared_web(app_dir, config, procfile, declared)
    if named is not None:
        found, web_warnings = named.found, ()
    else:
        found, web_warnings = (None, ()) if "web" in procfile else detect_default_web(app_dir, django, declared)
    server = (servers.choose(found, manager.declares, config.get(servers.CHOICE_VAR), manager.file or "the app",
                             config.source(servers.CHOICE_VAR))
              if isinstance(found, AppTarget) else None)
    processes = Processes(procfile, web_process(found, app_dir, server))
    _check_framework_declared(manager, django, found)

    warnings = list(web_warnings)
    if python.runtime_txt_used:
        warnings.append(errors.runtime_txt_deprecated())
    if manager.kind == "none":
        warnings.append(errors.no_requirements_file())
    if processes.web is None:
        seen, line = no_web_hint(app_dir, declared)
        warnings.append(errors.no_web_process(DEFAULT_WEB_ORDER, seen, line, declared, APP_OBJECTS))
    if config.ignored:
        warnings.append(errors.config_var_ignored(config.ignored))
    warnings += servers.config_warnings(procfile, app_dir, manager.declares, config.all)

    collectstatic = django is not None and not config.flag("DISABLE_COLLECTSTATIC")
    static_root_warning = None
    if collectstatic and not django.static_root_assigned:
        static_root_warning = errors.static_root_supplied(static_root_location(django))

    return BuildPlan(
        app_dir=app_dir,
        python=python,
        installer=installer,
        installer_origin=installer_origin,
        package_manager=manager,
        package_manager_origin=choice.origin,
        not_installed_from=choice.not_installed_from,
        groups=selection["groups"],
        extras=selection["extras"],
        added_packages=added_packages(processes, manager, django),
        django=django,
        collectstatic=collectstatic,
        hooks=_hooks(app_dir),
        processes=processes,
        warnings=tuple(warnings),
        static_root_warning=static_root_warning,
        settings=settings_module.in_use(config),
        settings_in_file=bool(config.settings),
        test=test,
        test_groups=test_groups,
        migrations=find_migrations(app_dir) if django is not None and "release" not in procfile else (),
    )


def _check_framework_declared(manager: PackageManager, django: Optional[DjangoProject], found) -> None:
    """With no dependency file at all, a Django project or a framework's app
    would ship without its framework and stop at start: fail the build instead."""
    if manager.kind != "none":
        return
    if django is not None:
        raise errors.FrameworkNotDeclared("Django", django.settings_file or django.manage_py)
    if isinstance(found, AppTarget) and found.framework:
        raise errors.FrameworkNotDeclared(found.framework, found.origin)


def _hooks(app_dir: Path) -> tuple:
    """The hooks the app has; one that exists but is no file cannot run, and is an error."""
    present = []
    for hook in HOOKS:
        path = app_dir / hook
        if path.is_file():
            present.append(hook)
        elif path.is_dir():
            raise errors.HookNotRunnable(hook, "it is a directory")
        elif path.is_symlink():
            raise errors.HookNotRunnable(hook, f"it is a symlink to {os.readlink(path)}, which does not exist")
    return tuple(present)


def static_root_location(django: DjangoProject) -> str:
    """Where collectstatic puts the files when pybuildpack supplies STATIC_ROOT: `staticfiles/` beside manage.py."""
    from .steps.django import STATIC_DIR_NAME

    return (Path(django.manage_dir) / STATIC_DIR_NAME).as_posix() + "/"
