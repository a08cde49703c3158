"""The phases of a build, shared by every platform.

A platform (`platforms/*`) decides where things go, as a `Layout`, and which
cached pieces it restores; these phases carry out the plan in that layout.
The order follows Heroku's: pre_compile hook, Python, dependencies, Django
collectstatic, post_compile hook.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import errors, pins
from .config import ConfigVars, build_environment
from .output import Log, format_duration
from .plan import BuildPlan
from .steps import dependencies as deps
from .steps import django as django_step
from .steps import hooks, relocate, runtime
from .tools import Tools, run

LAUNCH_SOURCE = Path(__file__).resolve().parent / "launch"
LAUNCH_PACKAGE = "pybuildpack_launch"

# Defaults every process of the built app gets, whichever platform runs it; each
# platform writes them its own way (.profile.d, env files, the local process env).
PROCESS_DEFAULTS = {"PYTHONUNBUFFERED": "1", "LANG": "C.UTF-8"}
# Behind a platform's router only the router reaches the app, so gunicorn may
# trust its X-Forwarded-* headers. (Not locally: nothing sits in front there.)
ROUTER_DEFAULTS = {"FORWARDED_ALLOW_IPS": "*"}


@dataclass
class Layout:
    """Where a platform puts things. `env_prefix` equals `runtime_prefix` when
    packages go into the runtime itself (relocatable slugs); otherwise it is a
    virtualenv on that runtime. Paths under `relocate_root` are rewritten to be
    relative after installs."""

    app_dir: Path
    runtime_prefix: Path
    env_prefix: Path
    state_dir: Path
    relocate_root: Optional[Path] = None
    # The interpreter a virtualenv is made on, when it is not runtime_prefix's own
    # bin/python3 (local builds on a CPython already on the machine).
    base_python: Optional[Path] = None

    @property
    def python(self) -> Path:
        return self.env_prefix / "bin" / "python"

    @property
    def in_prefix(self) -> bool:
        return self.env_prefix == self.runtime_prefix


@dataclass
class Outcome:
    """What a build did, for the summary, the release and the caches."""

    python: Optional[runtime.ChosenPython] = None
    install_key: Optional[str] = None
    packages: list = field(default_factory=list)
    django: Optional[django_step.DjangoSettings] = None
    processes: dict = field(default_factory=dict)


class Build:
    def __init__(self, plan: BuildPlan, layout: Layout, tools: Tools, config: ConfigVars, log: Log) -> None:
        self.plan = plan
        self.layout = layout
        self.tools = tools
        self.config = config
        self.log = log
        self.env = build_environment(config)
        self.outcome = Outcome()
        self.started = time.monotonic()

    # -- plan ----------------------------------------------------------------------
    def show_warnings(self) -> None:
        for title, body in self.plan.warnings:
            self.log.warning(title, body)

    def run_hook(self, hook: str) -> None:
        if hook in self.plan.hooks:
            env = dict(self.env)
            env["PATH"] = f"{self.layout.env_prefix / 'bin'}:{env.get('PATH', '')}"
            hooks.run_hook(self.layout.app_dir, hook, env, self.log)

    # -- Python ---------------------------------------------------------------------
    def choose_python(self) -> runtime.ChosenPython:
        source = runtime.downloads_source(self.config.all)
        env = runtime.runtime_env(self.tools, self.env, source)
        available = runtime.available_versions(self.tools, env, source)
        chosen = runtime.choose_python(self.plan.python, available, source)
        self.outcome.python = chosen
        self.log.step(f"Using Python {chosen.version} ({chosen.origin})")
        if not chosen.pinned:
            self.log.warning(*errors.python_version_not_pinned(chosen.version))
        return chosen

    def ensure_runtime(self, chosen: runtime.ChosenPython) -> None:
        prefix = self.layout.runtime_prefix
        if runtime.runtime_version(prefix) == chosen.version:
            return
        if prefix.exists():
            shutil.rmtree(prefix)
        prefix.parent.mkdir(parents=True, exist_ok=True)
        source = runtime.downloads_source(self.config.all)
        with self.log.timed(f"Installing Python {chosen.version}"):
            runtime.install_python(self.tools, runtime.runtime_env(self.tools, self.env, source),
                                   chosen.version, prefix, self.log)
            deps.record_seed_packages(prefix)

    def ensure_env(self) -> None:
        """Create the virtualenv when packages do not go into the runtime itself."""
        if self.layout.in_prefix or self.layout.python.exists():
            return
        base = self.layout.base_python or runtime.runtime_python(self.layout.runtime_prefix)
        result = run([str(self.tools.uv), "venv", "--quiet", "--relocatable", "--python",
                      str(base), str(self.layout.env_prefix)],
                     self.log, env=self.tools.uv_env(self.env), show=False)
        if result.returncode != 0:
            raise errors.InternalError("Could not create the app's virtualenv.", result.output)

    def installer_version(self) -> str:
        """The installer's version, as the cached environment records it."""
        return self.tools.uv_version() if self.plan.installer == "uv" else "pip-tools"

    # -- dependencies ------------------------------------------------------------------
    def requirement_sources(self) -> tuple:
        """(requirement files to install from, lock to keep or None)."""
        dependencies = self.plan.dependencies
        if dependencies.kind == "requirements-in":
            lock = self.layout.state_dir / "requirements.lock.txt"
            return [dependencies.file], lock
        if dependencies.kind == "requirements":
            return [dependencies.file], None
        return [], None

    def install_inputs(self) -> deps.Inputs:
        """What the install depends on; its `key` is the one the cache records."""
        files, _ = self.requirement_sources()
        return deps.install_inputs(self.layout.app_dir, files, deps.added_requirements(self.plan),
                                   self.plan.installer, self.config.exported)

    def install_dependencies(self, previous: dict, previous_lock: Optional[Path]) -> None:
        """Resolve and install; skipped entirely when nothing it depends on changed.
        `previous` is the metadata of the environment restored from the cache."""
        plan, layout, log = self.plan, self.layout, self.log
        added = deps.added_requirements(plan)
        files, lock = self.requirement_sources()
        inputs = self.install_inputs()
        self.outcome.install_key = inputs.key
        installer = "uv " + self.tools.uv_version() if plan.installer == "uv" else "pip (pip-tools)"
        unchanged = previous.get("install_key") == inputs.key and layout.python.exists()
        if unchanged and not inputs.local_sources:
            if lock is not None and previous_lock is not None and previous_lock.is_file():
                lock.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(previous_lock, lock)
            log.step(f"Dependencies unchanged since the last build ({', '.join(inputs.files) or 'none'})")
            log.detail("Skipping the install: the cached environment matches.")
            self.outcome.packages = deps.installed_packages(layout.python)
            return

        with log.timed(f"Installing dependencies with {installer}"):
            for package in plan.added_packages:
                version = pins.version_for(package.name, self.outcome.python.version)
                log.detail(errors.server_added(package.name, version, package.reason))
            # Written even when empty: an exact sync from nothing clears the environment.
            added_file = layout.state_dir / "added-requirements.txt"
            added_file.parent.mkdir(parents=True, exist_ok=True)
            added_file.write_text("".join(line + "\n" for line in added))
            install_files = list(files)
            if plan.installer == "uv":
                if lock is not None:
                    with deps.pip_tools(self.tools, layout.python, self.env, log) as venv:
                        deps.compile_lock(self.tools, venv, layout.app_dir, [plan.dependencies.file], lock,
                                          previous_lock, self.env, log, plan.dependencies.file)
                    install_files = [str(lock)]
                deps.install_with_uv(self.tools, layout.python, layout.app_dir, install_files, added_file,
                                     layout.runtime_prefix if layout.in_prefix else layout.env_prefix,
                                     self.env, self.config.exported, log)
            else:
                pip_lock = lock or (layout.state_dir / "requirements.lock.txt")
                sources = list(files) + [str(added_file)]
                with deps.pip_tools(self.tools, layout.python, self.env, log) as venv:
                    deps.compile_lock(self.tools, venv, layout.app_dir, sources, pip_lock, previous_lock,
                                      self.env, log, ", ".join(files) or "the added packages")
                    deps.install_with_pip(self.tools, venv, layout.python, layout.app_dir, pip_lock, self.env, log)
            if layout.relocate_root is not None:
                relocate.relocate_environment(layout.env_prefix, layout.relocate_root)
            self.outcome.packages = deps.installed_packages(layout.python)
            log.detail(f"{len(self.outcome.packages)} packages in the environment")

    # -- launch code ------------------------------------------------------------------------
    def site_packages(self) -> Path:
        found = relocate.site_packages_dirs(self.layout.env_prefix)
        if not found:
            raise errors.InternalError(f"No site-packages directory under {self.layout.env_prefix}.")
        return found[0]

    def install_launch_package(self) -> None:
        """Copy pybuildpack_launch next to the app's packages, with build.json."""
        target = self.site_packages() / LAUNCH_PACKAGE
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(LAUNCH_SOURCE, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        info = {"django": django_step.launch_info(self.plan.django) if self.plan.django else None}
        (target / "build.json").write_text(json.dumps(info, indent=2))

    # -- Django ------------------------------------------------------------------------------
    def django(self) -> None:
        project = self.plan.django
        if project is None:
            return
        self.outcome.django = settings = django_step.probe(self.layout.python, self.layout.app_dir, project, self.env)
        if not self.plan.collectstatic:
            self.log.step(errors.collectstatic_disabled())
            return
        if not settings.staticfiles:
            self.log.step("Skipping collectstatic: django.contrib.staticfiles is not in INSTALLED_APPS")
            return
        if settings.static_root_supplied:
            location = (Path(project.manage_dir) / django_step.STATIC_DIR_NAME).as_posix()
            self.log.warning(*errors.static_root_supplied(location + "/"))
        with self.log.timed("Running collectstatic (python manage.py collectstatic --noinput)", threshold=0.0):
            django_step.collectstatic(self.layout.python, self.layout.app_dir, project, settings, self.env, self.log)

    def wrapped_settings_module(self) -> Optional[str]:
        """The app's settings module when the build supplied STATIC_ROOT: its
        processes then run with DJANGO_SETTINGS_MODULE set to the wrapper."""
        settings, project = self.outcome.django, self.plan.django
        if project is not None and settings is not None and settings.static_root_supplied:
            return project.settings_module
        return None

    # -- summary -------------------------------------------------------------------------------
    def summary(self) -> None:
        web = self.plan.web
        chosen = self.outcome.python
        self.log.step(f"Build finished in {format_duration(time.monotonic() - self.started)}")
        if chosen:
            self.log.detail(f"Python:    {chosen.version} ({chosen.origin})")
        self.log.detail(f"Packages:  {len(self.outcome.packages)}")
        self.log.detail(f"Web:       {web.command if web else '(none: add a Procfile with a web process)'}")
