"""The BuildPlan: every decision about a build, made before anything runs.

`make_plan()` turns the facts from `inspect` and the config vars into one
value. Every platform (Heroku classic, CNB, local) executes the same plan;
`pybuildpack explain` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import errors
from .config import ConfigVars
from .inspect.dependencies import Dependencies, find_dependencies
from .inspect.django import DjangoProject, find_django
from .inspect.processes import DEFAULT_WEB_ORDER, Processes, find_processes
from .inspect.python_version import PythonRequests, requested_python

INSTALLERS = ("uv", "pip")
HOOKS = ("bin/pre_compile", "bin/post_compile")


@dataclass(frozen=True)
class AddedPackage:
    name: str
    reason: str


@dataclass(frozen=True)
class BuildPlan:
    app_dir: Path
    python: PythonRequests
    installer: str
    installer_origin: str
    dependencies: Dependencies
    added_packages: tuple
    django: Optional[DjangoProject]
    collectstatic: bool
    hooks: tuple
    processes: Processes
    warnings: tuple = field(default_factory=tuple)

    @property
    def web(self):
        return self.processes.web


def choose_installer(config: ConfigVars) -> tuple:
    value = config.get("PYBUILDPACK_INSTALLER")
    if value is None or not value.strip():
        return "uv", "default"
    value = value.strip().lower()
    if value not in INSTALLERS:
        raise errors.ConfigVarInvalid("PYBUILDPACK_INSTALLER", repr(value), "`uv` or `pip`")
    return value, "config var PYBUILDPACK_INSTALLER"


def make_plan(app_dir: Path, config: ConfigVars) -> BuildPlan:
    python = requested_python(app_dir)
    installer, installer_origin = choose_installer(config)
    dependencies = find_dependencies(app_dir)
    django = find_django(app_dir, config.all)
    processes = find_processes(app_dir, django)

    warnings = list(processes.warnings)
    if python.runtime_txt_used:
        warnings.append(errors.runtime_txt_deprecated())
    if dependencies.unsupported and dependencies.kind == "none":
        warnings.append(errors.unsupported_package_manager(dependencies.unsupported))
    elif dependencies.kind == "none":
        warnings.append(errors.no_requirements_file())
    if processes.web is None:
        warnings.append(errors.no_web_process(DEFAULT_WEB_ORDER))
    if config.ignored:
        warnings.append(errors.config_var_ignored(config.ignored))

    added = []
    web = processes.web
    uses_gunicorn = any(p.server == "gunicorn" for p in processes.all.values())
    if uses_gunicorn and not dependencies.names_any("gunicorn"):
        added.append(AddedPackage("gunicorn", f"the web process ({web.origin}) runs under gunicorn"))
    collectstatic = django is not None and not config.flag("DISABLE_COLLECTSTATIC")
    serves_static = django is not None and web is not None and web.server == "gunicorn"
    if serves_static and not dependencies.names_any("whitenoise"):
        added.append(AddedPackage("whitenoise", "it serves Django's static files from the web process"))

    hooks = tuple(h for h in HOOKS if (app_dir / h).is_file())
    return BuildPlan(
        app_dir=app_dir,
        python=python,
        installer=installer,
        installer_origin=installer_origin,
        dependencies=dependencies,
        added_packages=tuple(added),
        django=django,
        collectstatic=collectstatic,
        hooks=hooks,
        processes=processes,
        warnings=tuple(warnings),
    )
