"""The phases of a build, as methods the orchestrator calls in order.

`Build` holds one build's plan, layout, tools and config, and what it has
done so far (`Outcome`). Each method is one phase or part of one; none
knows which platform it runs on: a platform says where things go (`Layout`)
and what it restores and saves (`platforms/base.py`). The order lives in
`orchestrator.py`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shlex
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence

from packaging.utils import canonicalize_name

from . import errors, python_lifecycle, servers
from .cache import JsonRecord
from .config import ConfigVars, build_environment
from .environment_key import TEST, EnvironmentKey
from .inspect import lock_wheels
from .inspect.processes import Processes
from .launch_config import LAUNCH_PACKAGE, LAUNCH_SOURCE, LaunchConfig
from .output import Log, format_duration
from .package_managers.base import ADDED_FILE, InstallContext
from .plan import BuildPlan
from .steps import dependencies as deps
from .steps import django as django_step
from .steps import django_cache, stand_ins
from .steps import hooks, numpy_abi, prefetch, relocate, runtime, static_cache, used_packages
from .tools import Tools, run, start


# Compiles argv[1] without importing or writing anything; prints "LINE<TAB>message" for a SyntaxError.
_COMPILE = """\
import sys
path = sys.argv[1]
try:
    with open(path, "rb") as handle:
        compile(handle.read(), path, "exec", dont_inherit=True)
except SyntaxError as error:
    print(f"{error.lineno or '-'}\\t{error.msg}")
    sys.exit(1)
"""

# Bump when what the servers' import check keeps changes shape.
_SERVER_CHECK_FORMAT = 1
# Imports the modules named in argv; on failure prints the traceback's frames in
# installed packages (paths from site-packages on; Python's import machinery and
# this script left out) and the exception, and exits 1.
_IMPORT = """\
import importlib, sys, traceback
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except BaseException as error:
        roots = [p + "/" for p in sys.path if p.endswith("site-packages")]
        for frame in traceback.extract_tb(error.__traceback__):
            root = next((r for r in roots if frame.filename.startswith(r)), None)
            if root is None:
                continue
            print(f'  File "{frame.filename[len(root):]}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                print(f"    {frame.line}")
        print("".join(traceback.format_exception_only(type(error), error)), end="")
        sys.exit(1)
"""


def _nothing_to_finish(succeeded: bool = True) -> None:
    """Build.start_server_check's answer when there is nothing to check."""


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
    """What a build did, for the summary, the launch config and the caches."""

    python: Optional[runtime.ChosenPython] = None
    install_key: Optional[str] = None
    packages: Optional[list] = None
    django: Optional[django_step.DjangoSettings] = None
    # The install was skipped: the environment is the restored one, as it was cached.
    environment_unchanged: bool = False
    # The wheels fetched while the runtime was installed (steps/prefetch.py), when that ran.
    prefetch: Optional[prefetch.Prefetch] = None
    # The plan's processes fitted to the installed servers (Build.fit_web_to_its_server), when that changed them.
    processes: Optional[Processes] = None


def install_inputs(plan: BuildPlan, config: ConfigVars) -> deps.Inputs:
    """What installing the plan's dependencies depends on: its package
    manager's files, what pybuildpack adds, the installer, the index settings."""
    manager = plan.package_manager
    return deps.install_inputs(plan.app_dir, manager.install_files(), plan.added_requirements(),
                               plan.installer, config.exported, plan.selected(), local=manager.local_sources)


# A framework's modules that gunicorn's master imports before it forks the workers
# (launch/gunicorn_config.py): ones that import without the app's settings and run none of its code.
PREIMPORT = {
    "Django": ("django.core.wsgi", "django.core.handlers.wsgi", "django.db.models", "django.forms", "django.template",
               "django.urls"),
    "Flask": ("flask",),
    "Bottle": ("bottle",),
    "Falcon": ("falcon",),
    "Pyramid": ("pyramid.config",),
}


def preimported_modules(plan: BuildPlan) -> tuple:
    """The modules of the plan's framework that the web process's master imports first."""
    from .inspect.framework import find_framework

    manager = plan.package_manager
    framework = find_framework(plan.django, manager.names, manager.file)
    return PREIMPORT.get(framework.name, ()) if framework is not None else ()


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
        self._inputs: Optional[deps.Inputs] = None

    # -- plan ----------------------------------------------------------------------
    def show_settings(self) -> None:
        """List the settings in use and where each came from, when pyproject.toml
        has a [tool.pybuildpack] table (with config vars alone, nothing changes)."""
        if not self.plan.settings_in_file:
            return
        self.log.step("Settings")
        for setting in self.plan.settings:
            self.log.detail(setting.line())

    def show_warnings(self) -> None:
        for title, body in self.plan.warnings:
            self.log.warning(title, body)

    def check_server_configs(self) -> None:
        """Refuse a server configuration that would stop the processes at start
        (servers.check_configs), before anything is installed."""
        # Where the packages are in a virtualenv, its prefix is VIRTUAL_ENV when the
        # app runs; in the runtime's own Python (Heroku, S2I), nothing sets it.
        runtime_env = dict(self.config.all)
        if not self.layout.in_prefix:
            runtime_env["VIRTUAL_ENV"] = str(self.layout.env_prefix)
        servers.check_configs(self.plan.processes.all, self.plan.app_dir, self.plan.package_manager.declares,
                              runtime_env)

    def run_hook(self, hook: str, extra_env: Optional[dict] = None) -> None:
        """Run one of the app's hooks, with `extra_env` (the platform's BUILD_DIR,
        CACHE_DIR and ENV_DIR) over the build's environment."""
        if hook in self.plan.hooks:
            env = {**self.env, **(extra_env or {})}
            env["PATH"] = f"{self.layout.env_prefix / 'bin'}:{env.get('PATH', '')}"
            hooks.run_hook(self.layout.app_dir, hook, env, self.log)

    # -- Python ---------------------------------------------------------------------
    def choose_python(self) -> runtime.ChosenPython:
        with self.log.quiet_step(errors.python_list_read()):
            chosen, available = runtime.resolve_python(self.tools, self.env, self.config.all, self.plan.python)
        self.announce_python(chosen, note=chosen.note, available=available)
        return chosen

    def announce_python(self, chosen: runtime.ChosenPython, note: str = "", available: Sequence[str] = ()) -> None:
        """Say which Python the build uses, and warn as python_lifecycle says
        (`available`: the download list it was chosen from, for newer patch releases)."""
        self.outcome.python = chosen
        self.log.step(f"Using Python {chosen.version} ({chosen.origin})")
        if note:
            self.log.detail(note)
        for title, body in python_lifecycle.python_warnings(self.plan.python, chosen.version, available,
                                                             python_lifecycle.today()):
            self.log.warning(title, body)

    def runtime_missing(self) -> bool:
        """Whether ensure_runtime will install CPython: it is not there already
        (restored from a cache), and the environment is not built on a Python of
        the machine's own."""
        return (self.layout.base_python is None
                and runtime.runtime_version(self.layout.runtime_prefix) != self.outcome.python.version)

    def ensure_runtime(self) -> None:
        """Install the chosen CPython at the runtime prefix, unless it is there
        already (restored from a cache) or the environment is built on a Python
        of the machine's own."""
        prefix, version = self.layout.runtime_prefix, self.outcome.python.version
        if not self.runtime_missing():
            return
        if prefix.exists():
            shutil.rmtree(prefix)
        prefix.parent.mkdir(parents=True, exist_ok=True)
        source = runtime.downloads_source(self.config.all)
        with self.log.timed(f"Installing Python {version}"):
            runtime.install_python(self.tools, runtime.runtime_env(self.tools, self.env, source), version, prefix,
                                   self.log)
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

    def environment_key(self, distro: Optional[str] = None, interpreter: Optional[str] = None) -> EnvironmentKey:
        """What the environment about to be built depends on (see environment_key.py)."""
        installer = self.plan.installer
        return EnvironmentKey(
            python_version=self.outcome.python.version,
            installer=installer,
            installer_version=self.tools.uv_version() if installer == "uv" else "pip-tools",
            arch=runtime.machine_arch(),
            distro=distro,
            interpreter=interpreter,
            purpose=TEST if self.plan.test else None,
        )

    @contextlib.contextmanager
    def prefetching(self, previous: dict) -> Iterator[None]:
        """Fetch the app's wheels into uv's cache while the body (the runtime's
        install) runs, when that helps (steps/prefetch.py); wait for it at the
        end. Nothing of it is shown but one line when it fetched packages
        (never its failures: the install reports its own)."""
        try:
            fetch = self.start_prefetch(previous)
        except Exception:  # whatever went wrong, the install meets it again and says so itself
            fetch = None
        if fetch is None:
            yield
            return
        try:
            yield
        except BaseException:
            fetch.stop()
            raise
        # Silent when everything was in the cache already: it changed nothing.
        if fetch.finish() and fetch.fetched:
            self.log.detail(errors.packages_prefetched(fetch.fetched, format_duration(fetch.elapsed)))
        self.outcome.prefetch = fetch

    def start_prefetch(self, previous: dict) -> Optional[prefetch.Prefetch]:
        """The prefetch, started; None when it would not help (prefetch.why_not)."""
        plan, inputs = self.plan, self.install_inputs()
        reason = prefetch.why_not(plan.installer, self.runtime_missing(), self.install_skipped(previous),
                                  inputs.local_sources and plan.package_manager.local_sources is None, self.env)
        platform_tag = prefetch.platform_tag(runtime.machine_arch(), lock_wheels.glibc_version())
        if reason is not None or platform_tag is None:
            return None
        version, config = self.outcome.python.version, self.config.exported
        app_dir, added = self.layout.app_dir, plan.added_requirements()

        def prepare(scratch: Path) -> Optional[list]:
            request = plan.package_manager.prefetch_request(app_dir, scratch, config, plan.groups, plan.extras,
                                                            self.tools, self.env)
            if request is None:
                return None
            added_file = scratch / ADDED_FILE
            added_file.write_text("".join(line + "\n" for line in added))
            if not request.files and not added:
                return None
            return prefetch.argv(self.tools.uv, sys.executable, scratch / "target", version, platform_tag, request,
                                 added_file, deps.uv_index_flags(config))

        env = self.tools.uv_env(self.env)
        env["UV_PYTHON_DOWNLOADS"] = "never"
        # Requirement files are read from the app, as the install reads them.
        return prefetch.Prefetch(prepare, env, cwd=app_dir).start()

    # -- dependencies ------------------------------------------------------------------
    def install_inputs(self) -> deps.Inputs:
        """What the install depends on; its `key` is the one the cache records."""
        if self._inputs is None:
            self._inputs = install_inputs(self.plan, self.config)
        return self._inputs

    def install_skipped(self, previous: dict) -> bool:
        """Whether the restored environment (`previous`: its metadata) is used as
        it is: nothing the install depends on changed, and it builds no local code."""
        inputs = self.install_inputs()
        return (previous.get("install_key") == inputs.key and self.layout.python.exists()
                and not inputs.local_sources)

    def install_dependencies(self, previous: dict, previous_lock: Optional[Path]) -> None:
        """Install with the plan's package manager; skipped entirely when nothing
        it depends on changed. `previous` is the metadata of the environment
        restored from the cache ({} for a fresh one)."""
        plan, layout, log = self.plan, self.layout, self.log
        manager = plan.package_manager
        if plan.test:
            log.step(errors.test_dependencies(plan.test_groups, manager.kind))
        inputs = self.install_inputs()
        self.outcome.install_key = inputs.key
        lock_name = manager.lock_name(plan.installer)
        if self.install_skipped(previous):
            if lock_name is not None and previous_lock is not None:
                layout.state_dir.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(previous_lock, layout.state_dir / lock_name)
            log.step(f"Dependencies unchanged since the last build ({', '.join(inputs.files) or 'none'})")
            log.detail("Skipping the install: the cached environment matches.")
            self.outcome.packages = deps.installed_packages(layout.python)
            self.outcome.environment_unchanged = True
            return

        installer = "uv " + self.tools.uv_version() if plan.installer == "uv" else "pip (pip-tools)"
        with log.timed(f"Installing dependencies with {installer}"):
            for package in plan.added_packages:
                log.detail(errors.server_added(package.name, package.version_for(self.outcome.python.version),
                                               package.reason))
            # Written even when empty: an exact sync from nothing clears the environment.
            added_file = layout.state_dir / ADDED_FILE
            added_file.parent.mkdir(parents=True, exist_ok=True)
            added_file.write_text("".join(line + "\n" for line in plan.added_requirements()))
            context = InstallContext(
                app_dir=layout.app_dir, tools=self.tools, python=layout.python, prefix=layout.env_prefix,
                state_dir=layout.state_dir, installer=plan.installer, groups=plan.groups, extras=plan.extras,
                added_file=added_file,
                previous_lock=previous_lock, env=self.env, config=self.config.exported, log=log)
            manager.check_lock(context)
            manager.install(context)
            if layout.relocate_root is not None:
                relocate.relocate_environment(layout.env_prefix, layout.relocate_root)
            self.outcome.packages = deps.installed_packages(layout.python)
            log.detail(f"{len(self.outcome.packages)} packages in the environment")

    def check_numpy_abi(self) -> None:
        """Refuse packages built for numpy 1 installed beside numpy 2 (steps/numpy_abi.py):
        they fail to import, so the app would stop at start."""
        numpy, found = numpy_abi.built_for_numpy_1(self.outcome.packages or [])
        if found:
            manager = self.plan.package_manager
            raise errors.BuiltForNumpy1(found, numpy, manager.file or manager.describe())

    def fit_web_to_its_server(self) -> None:
        """Fit the web process pybuildpack wrote to the release of its server the
        app installed (Server.for_installed: a flag an older release lacks is
        left out), with the warning that says what is missing."""
        web = self.plan.processes.default_web
        if web is None or web.server is None or not self.outcome.packages:
            return
        server = servers.get(web.server)
        installed = {canonicalize_name(name): version for name, version in self.outcome.packages}
        version = next((installed[name] for name in (*server.packages, server.name) if name in installed), None)
        if version is None:
            return
        # The words it was made of (servers.shell_words made the shell text of them).
        words = list(web.argv) or shlex.split(web.command)
        fitted, warning = server.for_installed(words, version)
        if warning is None:
            return
        self.log.warning(*warning)
        process = replace(web, command=servers.shell_words(fitted), argv=tuple(fitted) if web.argv else ())
        self.outcome.processes = replace(self.plan.processes, default_web=process)

    @property
    def processes(self) -> "Processes":
        """The plan's processes, as fitted to the servers installed."""
        return self.outcome.processes or self.plan.processes

    # -- the app's own code --------------------------------------------------------------------
    def check_web_app_compiles(self) -> None:
        """Compile (never import) the file the detected web process serves, with
        the app's Python: a SyntaxError there would otherwise only show when
        the web process starts. Procfile commands are the app's own business."""
        web = self.plan.processes.detected.get("web")
        relative = web.origin.split(" line ")[0] if web is not None else ""
        if not relative.endswith(".py") or not (self.layout.app_dir / relative).is_file():
            return
        result = run([str(self.layout.python), "-c", _COMPILE, relative], None, cwd=self.layout.app_dir,
                     env=self.env, show=False)
        if result.returncode == 0:
            return
        line, _, message = result.output.strip().partition("\t")
        if not line.isdigit() and line != "-":
            raise errors.InternalError(f"Could not check {relative} with the app's Python.", result.output)
        raise errors.AppFileSyntaxError(relative, int(line) if line.isdigit() else None, message,
                                        self.outcome.python.version)

    def start_server_check(self, record: Optional[JsonRecord] = None) -> Callable[[bool], None]:
        """Import the modules each process's server needs before it serves, with
        the app's Python, after an install: a server broken by what was installed
        beside it (an old gunicorn importing pkg_resources, which setuptools 82
        removed) would otherwise build green and stop at boot. `record`: where
        the platform keeps what the last check used; it is skipped while none
        of that changed (the same modules, Python and config vars; the packages
        and files they imported and the names they did not find, as
        steps/used_packages.py compares them).

        The imports start now, each in a process of its own, and run beside
        Django's steps (on another core: about 0.2 s of a cold build). The
        function returned waits for them, says how it went and raises
        ServerCannotStart for the first that failed; called with False (the
        build failed before), it stops them and says nothing."""
        if self.outcome.environment_unchanged:
            return _nothing_to_finish
        wanted = []
        for name, process in self.plan.processes.all.items():
            server = servers.of_process(process)
            modules = server.modules_to_start(process.interface) if server is not None else ()
            if modules:
                wanted.append((name, server, tuple(modules)))
        if not wanted:
            return _nothing_to_finish
        layout, search = self.layout, [self.layout.app_dir]   # run in the app: its modules come first
        key = self._server_check_key(wanted)
        stored = record.load() if record is not None else None
        if stored is not None and stored.get("key") == key and used_packages.holds(stored, layout.env_prefix, search):
            return _nothing_to_finish
        directory = Path(tempfile.mkdtemp(prefix="pybuildpack-used-"))
        recording = used_packages.Recording(directory)
        started = [start([str(layout.python), "-c", _IMPORT, *modules], cwd=layout.app_dir,
                         env=recording.env(self.env, str(index)) if record is not None else self.env)
                   for index, (_, _, modules) in enumerate(wanted)]

        def finish(succeeded: bool = True) -> None:
            try:
                if not succeeded:
                    return   # the processes are stopped below
                checked = []
                with self.log.quiet_step(lambda: errors.servers_checked(checked)):
                    for (name, server, _), running in zip(wanted, started):
                        result = running.wait()
                        if result.returncode != 0:
                            raise errors.ServerCannotStart(server.name, name, result.output)
                        checked.append(server.name)
                if record is not None:
                    used = used_packages.summarize([recording.read(str(i)) for i in range(len(wanted))],
                                                   layout.env_prefix, layout.app_dir, keep_app=True)
                    record.save({"key": key, **used_packages.kept(used, layout.env_prefix, search)})
            finally:
                for running in started:
                    running.stop()
                shutil.rmtree(directory, ignore_errors=True)

        return finish

    def _server_check_key(self, wanted: list) -> str:
        """The check's own inputs: what it imports, how, with which Python and config vars (hashed, never stored)."""
        parts = [_SERVER_CHECK_FORMAT, _IMPORT, self.outcome.python.version if self.outcome.python else "",
                 [[name, server.name, list(modules)] for name, server, modules in wanted],
                 sorted(self.config.exported.items())]
        return hashlib.sha256(json.dumps(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]

    # -- launch code ------------------------------------------------------------------------
    def install_launch_package(self) -> None:
        """Copy pybuildpack_launch next to the app's packages, with build.json."""
        found = relocate.site_packages_dirs(self.layout.env_prefix)
        if not found:
            raise errors.InternalError(f"No site-packages directory under {self.layout.env_prefix}.")
        target = found[0] / LAUNCH_PACKAGE
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(LAUNCH_SOURCE, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        info = {"django": django_step.launch_info(self.plan.django) if self.plan.django else None,
                "preimport": list(preimported_modules(self.plan))}
        (target / "build.json").write_text(json.dumps(info, indent=2))

    # -- frameworks ----------------------------------------------------------------------------
    def django(self, static: Optional[static_cache.StaticCache] = None,
               record: Optional[JsonRecord] = None) -> None:
        """`static`: where the platform keeps collectstatic's output between
        builds (None: collectstatic always runs); `record`: where it keeps the
        settings probe's result and the deployment check's findings (None: they
        always run; steps/django_cache.py)."""
        if self.plan.django is None:
            return
        # The probe, the check and collectstatic each record which packages they used.
        with tempfile.TemporaryDirectory(prefix="pybuildpack-used-") as directory:
            self._django(static, record, used_packages.Recording(Path(directory)))

    def _django(self, static: Optional[static_cache.StaticCache], record: Optional[JsonRecord],
                recording: used_packages.Recording) -> None:
        project = self.plan.django
        python, app_dir, env_prefix = self.layout.python, self.layout.app_dir, self.layout.env_prefix
        stored = record.load() if record is not None else None
        key = self.django_key(project, record, stored)
        reused = django_cache.reuse(stored, key, app_dir, self.env, env_prefix)
        if reused is not None:
            # Nothing the probe and the check read changed: their last results hold.
            settings, kept = reused
            self.log.add_secrets([value for value in settings.stand_ins.values()
                                  if value not in stand_ins.FIXED_VALUES])
            self.outcome.django = settings
            wait_check = lambda: kept  # noqa: E731
        else:
            with self.log.quiet_step(errors.django_settings_read(project.settings_module)):
                self.outcome.django = settings = django_step.probe(
                    python, app_dir, project, self.env, self.plan.package_manager.file, self.log,
                    list_static=static is not None and self.plan.collectstatic, recording=recording)
            # check --deploy runs beside collectstatic, with the same settings and stand-ins.
            wait_check = django_step.start_deploy_check(python, app_dir, project, settings, self.env, recording)
        collect = self.plan.collectstatic and settings.staticfiles
        given = len(settings.stand_ins)
        if not self.plan.collectstatic:
            self.log.step(errors.collectstatic_disabled())
        elif not settings.staticfiles:
            self.log.step("Skipping collectstatic: django.contrib.staticfiles is not in INSTALLED_APPS")
        else:
            if settings.static_root_supplied:
                # The plan's warning, which explain lists too; the settings decide whether it applies.
                from .plan import static_root_location
                self.log.warning(*(self.plan.static_root_warning
                                   or errors.static_root_supplied(static_root_location(project))))
            self.collectstatic(project, settings, static, wait_check, recording)
        if not collect:
            self._say_stand_ins(settings, "the settings check")
        check = wait_check()
        if reused is None and check.crashed and len(settings.stand_ins) > given:
            # collectstatic needed another stand-in, which the check started without.
            check = django_step.start_deploy_check(python, app_dir, project, settings, self.env, recording)()
        self.deploy_check(project, settings, check, unchanged=reused is not None)
        if key is not None and reused is None:
            records = [recording.read("probe"), recording.read("check")]
            used = used_packages.summarize(records, env_prefix, app_dir)
            unread = django_cache.unread_declarations(app_dir, records)
            if unread != django_cache.stored_unread(stored):
                key = self.django_key(project, record, stored, unread, settings)
            if key is not None:
                record.save(django_cache.record(key, settings, check, app_dir, used, env_prefix, unread))

    def django_key(self, project, record: Optional[JsonRecord],
                   stored: Optional[dict], unread: Optional[list] = None,
                   settings: Optional[django_step.DjangoSettings] = None) -> Optional[str]:
        """The key of what the settings probe and check --deploy read (None:
        they run). Left out of the app's files: what the build itself writes
        there (the environment, its state, the record, STATIC_ROOT, by default
        and as `settings` or else the last build's settings said). `unread`:
        the dependency files they did not open (default: as the last build's
        record says)."""
        if record is None:
            return None
        layout, app_dir = self.layout, self.layout.app_dir
        skip = [layout.runtime_prefix, layout.env_prefix, layout.state_dir, record.path.parent,
                app_dir / project.manage_dir / django_step.STATIC_DIR_NAME]
        if settings is None:
            last = django_cache.reuse(stored, stored.get("key") if stored else None, app_dir, {}, None)
            settings = last[0] if last is not None else None
        if settings is not None:
            skip.append(django_step.static_root_path(app_dir, project, settings))
        return django_cache.django_key(app_dir, skip, project.settings_module,
                                       self.outcome.python.version if self.outcome.python else "",
                                       self.config.exported,
                                       django_cache.stored_unread(stored) if unread is None else unread)

    def collectstatic(self, project, settings: django_step.DjangoSettings,
                      static: Optional[static_cache.StaticCache], wait_check,
                      recording: used_packages.Recording) -> None:
        """Run collectstatic, or skip it when nothing it reads changed since the
        output kept in `static` was collected (steps/static_cache.py)."""
        python, app_dir = self.layout.python, self.layout.app_dir
        static_root = django_step.static_root_path(app_dir, project, settings)
        decision = static_cache.decide(static, settings, static_root, app_dir, self.layout.env_prefix,
                                       self.config.exported)
        if decision.skipped is not None:
            self.log.step(errors.collectstatic_skipped(decision.skipped, in_place=not static.fresh))
            static.keep()  # for the next build too
            return
        with self.log.timed("Running collectstatic (python manage.py collectstatic --noinput)", threshold=0.0):
            if decision.why:
                self.log.detail(errors.collectstatic_why(decision.why))
            given = len(settings.stand_ins)
            try:
                django_step.collectstatic(python, app_dir, project, settings, self.env, self.log, recording)
            except BaseException:
                wait_check()  # no check process outlives a failed build
                self._say_stand_ins(settings, "collectstatic")  # they may be why it failed
                raise
            self._say_stand_ins(settings, "collectstatic")
        # Not when collectstatic needed a stand-in: the key was made without it.
        if decision.key is not None and len(settings.stand_ins) == given and static_root.is_dir():
            used = used_packages.summarize([recording.read("collectstatic")], self.layout.env_prefix, app_dir)
            key = static_cache.with_used(decision.key, settings.static_inputs, used, self.layout.env_prefix)
            static_cache.store(static, key, static_root)
        elif static is not None:
            static.keep()

    def _say_stand_ins(self, settings: django_step.DjangoSettings, what: str) -> None:
        for name in settings.stand_ins:
            self.log.detail(errors.stand_in_used(name, what))

    def deploy_check(self, project, settings: django_step.DjangoSettings, check: django_step.DeployCheck,
                     unchanged: bool = False) -> None:
        """The ALLOWED_HOSTS note and the deployment check's findings, as one step
        (`unchanged`: the last build's findings, the check skipped)."""
        self.log.step(f"Checking the deployment settings ({django_step.deploy_check_shown(project)})")
        if unchanged:
            self.log.detail(errors.deploy_check_unchanged())
        if settings.allowed_hosts_empty:
            self.log.detail(errors.allowed_hosts_filled_at_boot(project.settings_file or project.settings_module,
                                                                self.env))
        if check.crashed:
            self.log.warning(*errors.deploy_check_crashed(django_step.deploy_check_shown(project), check.crashed))
        elif check.findings:
            self.log.warning(*errors.deploy_check_findings(django_step.deploy_check_shown(project), check.findings))
        else:
            self.log.detail("No issues found")

    # -- launch --------------------------------------------------------------------------------
    def launch_config(self) -> LaunchConfig:
        """The processes and their environment, for the platform to write."""
        settings, project = self.outcome.django, self.plan.django
        wrapped = (project.settings_module
                   if project is not None and settings is not None and settings.wrapped else None)
        processes = self.processes
        return LaunchConfig(processes=processes.all, detected=processes.detected, wrapped_settings_module=wrapped)

    # -- summary -------------------------------------------------------------------------------
    def summary(self) -> None:
        web = self.processes.web
        chosen = self.outcome.python
        self.log.step(f"Build finished in {format_duration(time.monotonic() - self.started)}")
        if chosen:
            self.log.detail(f"Python:    {chosen.version} ({chosen.origin})")
        self.log.detail(f"Packages:  {len(self.outcome.packages or [])}")
        self.log.detail(f"Web:       {web.command if web else '(none: add a Procfile with a web process)'}")
        if web is not None:
            # Where the web process came from and how it was chosen, one labelled line each.
            self.log.detail(f"From:      {web.origin}")
            for note in web.notes:
                label, _, text = note.partition(": ")
                self.log.detail(f"{label + ':':<11}{text}" if text else f"{'Note:':<11}{note}")
        release = self.plan.release_summary()
        if release is not None:
            self.log.detail(f"Release:   {release}")
