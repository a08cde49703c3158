"""The local platform: `pybuildpack build`, `start`, `run` and `up` on a developer's machine.

It executes the same BuildPlan through the same build phases as Heroku and
CNB, and keeps everything inside the app:

    .pybuildpack/python/      CPython installed by uv (absent when a CPython
                              already on this machine is used, see below)
    .pybuildpack/venv/        the app's packages: a virtualenv on that Python
    .pybuildpack/state/       the lock and the added requirements of the build
    .pybuildpack/build.json   the record of the last successful build
    .pybuildpack/django-static.json  the key of the last collectstatic, and a
                              digest of what it wrote to STATIC_ROOT
    .pybuildpack/last-venv/   only while a build changes the environment (or
                              after one that did not finish): the last
                              finished build's venv, hardlinked, with its record
    .pybuildpack/.gitignore   `*`: git never picks any of it up

uv, pybuildpack's own tools and the installers' download caches live in the
user cache (`cache_root()`), shared by every app.

Python: with PYBUILDPACK_PYTHON_DOWNLOADS_JSON set, exactly as in production.
Without it, uv's own download list is used, and when that download is not
reachable the build falls back to a CPython on this machine that matches the
request (see steps/local_python.py), saying so in the log.

The processes run with the environment production's `.profile.d` gives them,
plus the app's `.env`, in the app directory.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, NoReturn, Optional, Sequence

from .. import errors
from ..dotenv import read_dotenv
from ..inspect.files import DETECT_FILES, detected_by, is_buildpack, listing
from ..output import Log, format_duration
from . import local_serve
from .base import Platform

if TYPE_CHECKING:
    from ..build import Build, Layout
    from ..config import ConfigVars
    from ..environment_key import EnvironmentKey
    from ..launch_config import LaunchConfig
    from ..plan import BuildPlan
    from ..tools import Tools

STATE = ".pybuildpack"
DEFAULT_PORT = 5000
RECORD_FORMAT = 1
# Set by the bin/pybuildpack bootstrap for pybuildpack itself; not the app's business.
_NOT_INHERITED = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYBUILDPACK_UV_BIN", "PYBUILDPACK_BOOT_PYTHON",
                  "PYBUILDPACK_BOOTSTRAP_FD")


def cache_root(environ: Mapping[str, str]) -> Path:
    """$PYBUILDPACK_CACHE_DIR, else $XDG_CACHE_HOME/pybuildpack, else ~/.cache/pybuildpack."""
    if environ.get("PYBUILDPACK_CACHE_DIR"):
        return Path(environ["PYBUILDPACK_CACHE_DIR"])
    base = environ.get("XDG_CACHE_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".cache")
    return Path(base) / "pybuildpack"


@dataclass(frozen=True)
class Paths:
    app_dir: Path

    @property
    def root(self) -> Path:
        return self.app_dir / STATE

    @property
    def python(self) -> Path:
        return self.root / "python"

    @property
    def venv(self) -> Path:
        return self.root / "venv"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def record(self) -> Path:
        return self.root / "build.json"

    @property
    def last_venv(self) -> Path:
        return self.root / "last-venv"


def find_app(path: Path) -> Path:
    """The app directory at `path` (or in the subdirectory PYBUILDPACK_APP_ROOT
    names, from the environment or `path`'s .env), or a UserError saying why it is not one."""
    from ..app_root import VAR, resolve

    app_dir = path.resolve()
    if not app_dir.is_dir():
        raise errors.AppDirMissing(str(path))
    root = os.environ.get(VAR)
    origin = f"environment variable {VAR}"
    if root is None and (app_dir / ".env").is_file():
        root, origin = read_dotenv(app_dir).get(VAR), f"{VAR} in {path}/.env"
    if root is None:
        from ..settings import read_settings

        setting = read_settings(app_dir).get(VAR)
        if setting is not None:
            root, origin = setting.value, str(setting.origin)
    if root:
        app_dir = resolve(app_dir, root, origin)
        path = app_dir
    if is_buildpack(app_dir):
        raise errors.BuildpackNotApp(str(path))
    if not detected_by(app_dir):
        raise errors.AppNotFound(str(path), DETECT_FILES, listing(app_dir, limit=8))
    return app_dir


def read_config(app_dir: Path) -> "ConfigVars":
    """The app's config vars: its `.env` file, as `heroku local` reads it."""
    from ..config import ConfigVars

    return ConfigVars(read_dotenv(app_dir))


def read_record(paths: Paths) -> dict:
    from ..cache import read_json_object

    data = read_json_object(paths.record)
    return data if data is not None and data.get("format") == RECORD_FORMAT else {}


def write_record(paths: Paths, record: Mapping[str, object]) -> None:
    from ..cache import write_atomically

    write_atomically(paths.record, json.dumps({"format": RECORD_FORMAT, **record}, indent=2, sort_keys=True))


# --- build ------------------------------------------------------------------------------

@dataclass
class RuntimeChoice:
    managed: bool          # uv installed it into .pybuildpack/python
    base: Path             # the interpreter the virtualenv is made on
    wanted: Optional[str]  # the version production would install, when known


class Local(Platform):
    """`pybuildpack build`: everything in APP_DIR/.pybuildpack, tools in the user cache."""

    # The developer's checkout: a .venv/ there is theirs.
    committed_environment = None

    def __init__(self, app_dir: Path) -> None:
        # find_app has already chosen the app's directory (PYBUILDPACK_APP_ROOT).
        self.source_dir = self.app_dir = app_dir
        self.paths = Paths(app_dir)
        self.record: dict = {}
        self.first_build = False
        self.choice: Optional[RuntimeChoice] = None

    def read_config(self) -> "ConfigVars":
        return read_config(self.app_dir)

    def use_app_dir(self, config: "ConfigVars") -> None:
        """find_app has chosen it: the app's own .env names no other directory."""

    def repository_dir(self) -> Path:
        """The git checkout the app is in: a path dependency may reach anywhere in it."""
        from ..app_root import git_top

        return git_top(self.app_dir)

    def tools(self) -> "Tools":
        from ..tools import Tools

        return Tools.from_environment(cache_root(os.environ))

    def layout(self) -> "Layout":
        from ..build import Layout

        paths = self.paths
        return Layout(app_dir=paths.app_dir, runtime_prefix=paths.python, env_prefix=paths.venv,
                      state_dir=paths.state)

    def prepare(self, build: "Build") -> None:
        paths = self.paths
        self.first_build = not paths.root.exists()
        paths.root.mkdir(exist_ok=True)
        ignore = paths.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Written by pybuildpack: nothing in here belongs in git.\n*\n")
        self.record = read_record(paths)
        # A failed build's copy of .env for its hooks (hook_environment) goes now.
        shutil.rmtree(paths.root / "env", ignore_errors=True)

    def hook_environment(self, build: "Build") -> dict:
        """The app, .pybuildpack/hooks-cache/ (kept between builds), and the .env
        values written as Heroku's ENV_DIR is: a file per variable, readable by
        the user only, removed when the build finishes."""
        root = self.paths.root
        cache, env_dir = root / "hooks-cache", root / "env"
        cache.mkdir(exist_ok=True)
        if env_dir.exists():
            shutil.rmtree(env_dir)
        env_dir.mkdir(mode=0o700)
        for name, value in build.config.all.items():
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
                continue  # not a name a file can carry safely (nor a shell variable)
            path = env_dir / name
            path.touch(mode=0o600)
            path.write_text(value)
        return {"BUILD_DIR": str(self.app_dir), "CACHE_DIR": str(cache), "ENV_DIR": str(env_dir)}

    def choose_python(self, build: "Build") -> None:
        self.choice = _choose_runtime(build, self.paths, self.record)
        if not self.choice.managed:
            build.layout.base_python = self.choice.base

    def environment_key(self, build: "Build") -> "EnvironmentKey":
        return build.environment_key(interpreter="managed" if self.choice.managed else str(self.choice.base))

    def previous_lock(self) -> Path:
        from ..package_managers.base import LOCK_FILE

        return self.paths.state / LOCK_FILE

    def restore_environment(self, build: "Build", key: "EnvironmentKey") -> dict:
        self.record = _put_back_last_venv(build, self.paths, self.record)
        previous = _take_environment(build, self.paths, self.record, key)
        if previous and previous.get("install_key") == build.install_inputs().key \
                and not build.install_inputs().local_sources:
            return previous  # the install is skipped: the environment stays as it is
        if previous:
            # The venv is changed in place: keep the last finished one beside it
            # (hardlinked) until this build finishes, for the next build should
            # this one fail or be killed.
            _keep_last_venv(build, self.paths, self.record)
        # Until this build finishes, the environment matches no install key: an
        # interrupted install must not be mistaken for a finished one next time.
        write_record(self.paths, {k: v for k, v in self.record.items() if k not in ("format", "install_key")})
        return previous

    def static_cache(self, build: "Build"):
        from ..steps.static_cache import InPlaceStaticCache

        # STATIC_ROOT stays in the app between builds: only its key is kept.
        return InPlaceStaticCache(self.app_dir, self.paths.root / "django-static.json")

    def django_record(self, build: "Build"):
        from ..cache import JsonRecord

        return JsonRecord(self.paths.root / "django-check.json")

    def server_check_record(self, build: "Build"):
        from ..cache import JsonRecord

        return JsonRecord(self.paths.root / "server-check.json")

    def write_launch(self, build: "Build", launch: "LaunchConfig") -> None:
        """Nothing to write: `start` renders the launch config when it runs a
        process, from the plan and the record `save_environment` writes."""

    def save_environment(self, build: "Build", key: "EnvironmentKey") -> None:
        outcome, plan, choice = build.outcome, build.plan, self.choice
        settings = outcome.django
        write_record(self.paths, {
            "environment": key.metadata(),
            "install_key": outcome.install_key,
            "python": {"version": outcome.python.version, "origin": outcome.python.origin,
                       "source": "managed" if choice.managed else "local", "wanted": choice.wanted,
                       "base": str(choice.base)},
            "packages": len(outcome.packages),
            "django": ({"settings_module": plan.django.settings_module,
                        "static_root_supplied": settings.static_root_supplied,
                        "wrapped": settings.wrapped}
                       if plan.django is not None and settings is not None else None),
        })
        from ..cache import CachedDir

        CachedDir(self.paths.last_venv).discard()  # this build's venv is the last finished one now

    def finish(self, build: "Build", log: Log) -> None:
        # The hooks' ENV_DIR copy of .env is not kept once they have run.
        shutil.rmtree(self.paths.root / "env", ignore_errors=True)
        processes = build.plan.processes.all
        if build.plan.web is not None:
            try:
                port = resolve_port(None, {**os.environ, **build.config.all})
            except errors.UserError:
                port = DEFAULT_PORT
            log.detail(f"Start:     pybuildpack start (http://localhost:{port})")
        elif processes:
            # No web process, so no URL: name a process that can be started.
            log.detail(f"Start:     pybuildpack start {next(iter(processes))}")
        else:
            log.detail("Run:       pybuildpack run COMMAND (the app has no processes to start)")
        if self.first_build:
            ignored = [f"{STATE}/"]
            wrapped = build.launch_config().wrapped_settings_module
            if wrapped is not None:
                from ..steps.django import STATIC_DIR_NAME
                ignored.append("/" + (Path(build.plan.django.manage_dir) / STATIC_DIR_NAME).as_posix() + "/")
            missing = [path for path in ignored if not _git_ignores(self.app_dir, path)]
            if missing:
                log.warning(*errors.gitignore_hint(missing))


def _choose_runtime(build: "Build", paths: Paths, record: Mapping[str, object]) -> RuntimeChoice:
    """Production's CPython when it can be had, else a matching one on this machine."""
    from ..python_lifecycle import never_released
    from ..steps import local_python, runtime

    plan, log, tools = build.plan, build.log, build.tools
    source = runtime.downloads_source(build.config.all)
    env = runtime.runtime_env(tools, build.env, source)
    chosen, reason, available, not_listed = None, "", [], None
    try:
        available = runtime.available_versions(tools, env, source)
        chosen = runtime.choose_python(plan.python, available, source)
    except errors.PythonVersionUnavailable as unavailable:
        if source:
            raise
        not_listed = unavailable
        asked = plan.python.primary.value if plan.python.primary else "3"
        reason = f"Python {asked} is not in uv's download list"
    previous = record.get("python") if isinstance(record.get("python"), dict) else {}
    wanted = chosen.version if chosen else None
    reuse_local = (source is None and previous.get("source") == "local" and previous.get("wanted") == wanted
                   and Path(str(previous.get("base"))).is_file())
    if chosen is not None and not reuse_local:
        saved = build.env
        if source is None:
            # Without a configured list, an unreachable download should fail over
            # to this machine's CPython at once, not after uv's retries.
            build.env = {**saved, "UV_HTTP_RETRIES": "0"}
        build.outcome.python = chosen
        try:
            build.ensure_runtime()
        except errors.PythonInstallFailed:
            if source:
                raise
            reason = f"Python {chosen.version} could not be downloaded (python-build-standalone is not reachable)"
        else:
            build.announce_python(chosen, note=chosen.note, available=available)
            return RuntimeChoice(True, runtime.runtime_python(paths.python), wanted)
        finally:
            build.env = saved

    interpreters = local_python.find_interpreters(os.environ)
    found = local_python.choose_interpreter(plan.python, interpreters)
    request = plan.python.primary
    if (found is None and not_listed is not None and request is not None and request.kind == "exact"
            and never_released(request.value, not_listed.available)):
        # No download list has it, so it is not a CPython release (yet): changing
        # the file is the fix, not installing it some other way.
        raise errors.LocalPythonNotReleased(request.origin, request.value, not_listed.available)
    if found is None:
        asked = request.value if request else (wanted or "3")
        raise errors.LocalPythonUnavailable(asked, reason or f"Python {asked} could not be downloaded",
                                            [f"{i.version} at {i.path}" for i in interpreters],
                                            request.origin if request else None)
    pinned = request is not None
    origin = f"from {request.origin}, found on this machine" if pinned else "newest on this machine, not pinned"
    if not reuse_local:
        log.warning(*errors.local_python_fallback(reason, found.version, str(found.path)))
    note = (f"The download of Python {wanted} failed in an earlier build and is not retried\n"
            "(delete .pybuildpack/ to retry it)." if reuse_local and wanted else "")
    build.announce_python(runtime.ChosenPython(found.version, origin, pinned), note)
    if paths.python.exists():
        shutil.rmtree(paths.python)  # a managed runtime of an earlier build
    return RuntimeChoice(False, found.path, wanted)


def _put_back_last_venv(build: "Build", paths: Paths, record: dict) -> dict:
    """When the last build did not finish, its venv may be half changed: put the
    venv of the build before it back, with its record, and return that record."""
    from ..cache import META, CachedDir

    last = CachedDir(paths.last_venv)
    last.clean_leftovers()
    if not last.exists():
        return record
    kept = {k: v for k, v in (last.metadata() or {}).items() if k != "format"}
    if record.get("install_key") or not kept.get("install_key"):
        last.discard()  # the last build finished after all (killed while tidying up), or a bad copy
        return record
    CachedDir(paths.venv).discard()
    os.rename(last.path, paths.venv)
    (paths.venv / META).unlink(missing_ok=True)
    write_record(paths, kept)
    build.log.detail("The last build did not finish: using the environment of the build before it")
    return kept


def _keep_last_venv(build: "Build", paths: Paths, record: Mapping[str, object]) -> None:
    """A hardlink copy of the venv, with `record`, at .pybuildpack/last-venv."""
    from ..cache import SLOW_COPY, CachedDir

    started = time.monotonic()
    CachedDir(paths.last_venv).store(paths.venv, {k: v for k, v in record.items() if k != "format"})
    elapsed = time.monotonic() - started
    if elapsed >= SLOW_COPY:
        build.log.detail(f"Kept a copy of the environment until this build finishes ({format_duration(elapsed)})")


def _take_environment(build: "Build", paths: Paths, record: Mapping[str, object], key: "EnvironmentKey") -> dict:
    """The last build's metadata when its environment can be reused, else {}
    (after setting the environment aside and saying why)."""
    from ..cache import META, CachedDir, write_atomically

    if not paths.venv.exists():
        return {}
    stored = record.get("environment")
    reasons = key.changes(stored) if isinstance(stored, dict) else ["the last build did not finish"]
    if reasons:
        build.log.step(errors.cache_discarded("environment", reasons))
        if record.get("install_key"):
            # A finished build's venv: set aside (a rename), not deleted, until
            # this build finishes: a failed build then a revert finds it again.
            last = CachedDir(paths.last_venv)
            last.discard()
            write_atomically(paths.venv / META, json.dumps({k: v for k, v in record.items() if k != "format"}))
            os.rename(paths.venv, last.path)
        else:
            CachedDir(paths.venv).discard()
        return {}
    build.log.detail(f"Reusing the environment of the last build ({STATE}/venv)")
    return dict(record)


def build(app_dir: Path, log: Log) -> "Build":
    """Build the app in place, incrementally; return the finished Build."""
    from ..orchestrator import build

    return build(Local(find_app(app_dir)), log)


def _git_ignores(app_dir: Path, path: str) -> bool:
    """True when git ignores `path` in the app's work tree (false outside one)."""
    try:
        result = subprocess.run(["git", "-C", str(app_dir), "check-ignore", "-q", "--no-index",
                                 path.strip("/") + "/"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


# --- start and run ------------------------------------------------------------------------

@dataclass
class Prepared:
    """What a process needs: the app, its built record, its config and plan."""

    app_dir: Path
    record: dict
    dotenv: dict
    plan: "BuildPlan"

    def launch_config(self) -> "LaunchConfig":
        """The build's launch config, from the plan and the record of the build."""
        from ..launch_config import LaunchConfig

        django = self.record.get("django")
        wrapped = (django.get("settings_module") if isinstance(django, dict)
                   and django.get("wrapped", django.get("static_root_supplied")) else None)
        processes = self.plan.processes
        return LaunchConfig(processes=processes.all, detected=processes.detected, wrapped_settings_module=wrapped)


def prepare_launch(app_dir: Path, log: Log) -> Prepared:
    """The app, built: its record, config and plan. Warns when the dependencies
    changed since the build (the install key a build would record differs)."""
    from ..build import install_inputs
    from ..plan import make_plan

    app_dir = find_app(app_dir)
    paths = Paths(app_dir)
    record = read_record(paths)
    if not record.get("install_key") or not (paths.venv / "bin" / "python").exists():
        raise errors.NotBuilt(str(app_dir))
    from ..settings import with_settings

    # As the build made its plan: the config vars over pyproject.toml's settings.
    config = with_settings(read_config(app_dir), app_dir)
    log.add_secrets(config.secrets())
    plan = make_plan(app_dir, config)
    if install_inputs(plan, config).key != record.get("install_key"):
        log.warning(*errors.dependencies_changed_since_build())
    return Prepared(app_dir, record, dict(config.all), plan)


def resolve_port(option: Optional[str], env: Mapping[str, str]) -> int:
    """--port, else PORT (from .env or the shell), else DEFAULT_PORT."""
    where, value = ("--port", option) if option is not None else ("PORT", env.get("PORT"))
    if value is None or value == "":
        return DEFAULT_PORT
    if not value.strip().isdigit() or not 1 <= int(value) <= 65535:
        raise errors.PortInvalid(where, value)
    return int(value)


def check_port_free(port: int) -> None:
    """Fail clearly when the web process could not listen on `port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Servers set SO_REUSEADDR, so a port with connections in TIME_WAIT counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError as exc:
            detail = "another program is listening on it" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise errors.PortInUse(port, detail or str(exc))


def web_concurrency(env: Mapping[str, str]) -> str:
    """WEB_CONCURRENCY as production's .profile.d computes it (the same script)."""
    from ..launch_config import WEB_CONCURRENCY_SCRIPT

    result = subprocess.run(["/bin/sh", "-c", '. "$1"; pybuildpack_web_concurrency', "sh",
                             str(WEB_CONCURRENCY_SCRIPT)],
                            env=dict(env), capture_output=True, text=True)
    value = result.stdout.strip()
    return value if result.returncode == 0 and value.isdigit() else "1"


def process_environment(prepared: Prepared, base: Mapping[str, str], port: int) -> dict:
    """The environment production gives a process (.profile.d), with `.env` over
    the shell's variables, as foreman and `heroku local` do."""
    launch = prepared.launch_config()
    venv = Paths(prepared.app_dir).venv
    env = {k: v for k, v in base.items() if k not in _NOT_INHERITED}
    env.update(prepared.dotenv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    for name, value in launch.defaults(behind_router=False).items():
        env.setdefault(name, value)
    env["PORT"] = str(port)
    env["WEB_CONCURRENCY"] = web_concurrency(env)
    env.update(launch.django_settings(env.get("DJANGO_SETTINGS_MODULE")))
    if launch.wrapped_settings_module:
        # The settings wrapper allows localhost names when ALLOWED_HOSTS is empty and DEBUG off.
        from ..launch.allowed_hosts import LOCAL_RUN

        env[LOCAL_RUN] = "1"
    return env


def process_argv(process, env: Mapping[str, str]) -> list:
    """argv for a process: our own processes run as given, Procfile lines under bash as on a dyno."""
    if process.argv:
        return list(process.argv)
    shell = shutil.which("bash", path=env.get("PATH")) or "/bin/sh"
    return [shell, "-c", process.command]


def server_reload(process, env: Mapping[str, str]) -> tuple:
    """(environment, log line) when the process's server reloads code itself,
    else (None, ""): our own processes name their server, a Procfile command is
    recognised by its words."""
    from .. import servers

    server = servers.of_process(process)
    return server.reload(env) if server is not None else (None, "")


def find_process(plan: "BuildPlan", name: str):
    processes = plan.processes.all
    if name not in processes:
        raise errors.UnknownProcess(name, [(p.name, p.command, p.origin) for p in processes.values()])
    return processes[name]


def exec_in_app(app_dir: Path, argv: Sequence[str], env: Mapping[str, str]) -> NoReturn:
    """Replace this process with `argv`, in the app directory, so that signals
    (Ctrl-C, SIGTERM) go straight to it."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(app_dir)
    try:
        os.execvpe(argv[0], list(argv), dict(env))
    except OSError:
        raise errors.CommandNotFound(argv[0])


def start(app_dir: Path, name: str, port_option: Optional[str], reload: bool, log: Log) -> int:
    """Run one of the app's processes; exec's into it unless a watcher must restart it."""
    from .. import watch

    launch = prepare_launch(app_dir, log)
    process = find_process(launch.plan, name)
    port = resolve_port(port_option, {**os.environ, **launch.dotenv})
    if name == "web":
        check_port_free(port)
    env = process_environment(launch, os.environ, port)
    log.step(f"Starting {name}: {process.command}")
    if launch.dotenv:
        log.detail(f"With {len(launch.dotenv)} variables from .env")
    reloading_env, reloading = server_reload(process, env) if reload else (None, "")
    if reloading_env is not None:
        env = reloading_env
        log.detail(reloading)
    elif reload:
        log.detail("Restarting on code changes (pybuildpack watches the app's files)")
        announced: list = []

        def spawn() -> subprocess.Popen:
            # Re-read .env and the Procfile on every restart: they may be what changed.
            fresh = prepare_launch(launch.app_dir, log)
            current = find_process(fresh.plan, name)
            child_env = process_environment(fresh, os.environ, port)
            child = subprocess.Popen(process_argv(current, child_env), cwd=fresh.app_dir, env=child_env,
                                     start_new_session=True)
            if name == "web" and not announced:
                announced.append(True)
                threading.Thread(target=announce_when_serving, args=(child, port, log), daemon=True).start()
            return child

        return watch.supervise(spawn, launch.app_dir, log)
    if name == "web":
        # pybuildpack stays in front of the web process: it says "Serving on" once
        # the port answers, and fails clearly when the process dies first.
        return local_serve.serve(process_argv(process, env), env, str(launch.app_dir), port,
                                 process.command, log)
    exec_in_app(launch.app_dir, process_argv(process, env), env)


def announce_when_serving(child: subprocess.Popen, port: int, log: Log) -> None:
    """"Serving on" once the first process a watcher started answers (not if it exits first)."""
    while child.poll() is None:
        if local_serve.answers(port):
            log.detail(f"Serving on http://localhost:{port}")
            return
        time.sleep(local_serve.PROBE_INTERVAL)


def run(app_dir: Path, command: Sequence[str], log: Log) -> int:
    """Run a one-off command in the built environment, as `heroku run` does. One
    argument with spaces is shell text (run by bash); several are run as given."""
    launch = prepare_launch(app_dir, log)
    env = process_environment(launch, os.environ, resolve_port(None, {**os.environ, **launch.dotenv}))
    argv = list(command)
    if len(argv) == 1 and any(c.isspace() or c in "|&;<>()$`*?" for c in argv[0]):
        argv = [shutil.which("bash", path=env.get("PATH")) or "/bin/sh", "-c", argv[0]]
    elif shutil.which(argv[0], path=env.get("PATH")) is None and "/" not in argv[0]:
        raise errors.CommandNotFound(argv[0])
    exec_in_app(launch.app_dir, argv, env)
