"""Source-to-Image (`s2i build`, OpenShift's `oc new-app builder~repo`): s2i/bin/*.

The builder image's scripts run in a container of it: `assemble` finds the
app's source in /tmp/src and, on an incremental build, what `save-artifacts`
of the previous image wrote (the environment, the last lock, and STATIC_ROOT
with collectstatic's key), unpacked in /tmp/artifacts; it builds the app
with the same orchestrator and plan as every platform. `save-artifacts` writes
a tar to stdout and nothing else; `run` execs the web process (PORT unset:
8080); `usage` says how to use the builder.

Layout in the image (the paths are the same at build and at run):

    /opt/app-root/src/                 the app, the image's WORKDIR; processes run here
    /opt/app-root/pybuildpack/python/  CPython and the app's packages (relocatable)
    /opt/app-root/pybuildpack/state/   launch.json, profile.sh, env.json (the key), the lock
    /opt/app-root/pybuildpack/cache/   uv and pybuildpack's tools (the downloads are removed)

Each path is an environment variable (`VARIABLES`), for tests, which cannot
write to /opt or /tmp/src, and for builder images with another layout.

Config vars are the build's environment (`s2i build -e`, the BuildConfig's
env) over `.s2i/environment`, minus the machine's own variables
(`MACHINE_VARIABLES`); APP_HOME becomes PYBUILDPACK_APP_ROOT, APP_CONFIG
becomes the web process's PYBUILDPACK_GUNICORN_CONFIG, and APP_MODULE,
APP_FILE and APP_SCRIPT are read by the plan (inspect/declared_web.py).

save-artifacts, run and usage run on the image's python3 with the standard
library only: nothing heavy is imported at the top of this module.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Mapping, Optional

from .. import errors
from ..config import DENYLIST, ConfigVars
from .base import Platform

if TYPE_CHECKING:
    from ..build import Build, Layout
    from ..environment_key import EnvironmentKey
    from ..launch_config import LaunchConfig
    from ..output import Log
    from ..tools import Tools

# Internal: where things are. Tests (and unusual builder images) set them.
VARIABLES = {
    "source": ("PYBUILDPACK_S2I_SOURCE", "/tmp/src"),
    "app": ("PYBUILDPACK_S2I_APP", "/opt/app-root/src"),
    "artifacts": ("PYBUILDPACK_S2I_ARTIFACTS", "/tmp/artifacts"),
    "home": ("PYBUILDPACK_S2I_HOME", "/opt/app-root/pybuildpack"),
}
CACHE_VAR = "PYBUILDPACK_S2I_CACHE"        # default: <home>/cache (s2i/bin/assemble bootstraps into it)
DEFAULT_PORT = "8080"                      # s2i images listen on 8080 (EXPOSE 8080 in s2i/Containerfile)
ENVIRONMENT_FILE = ".s2i/environment"
ARTIFACTS_DIR = "pybuildpack"              # the tar's top directory
ENV_META = "env.json"                      # the environment's key, in the state dir and the tar
ARTIFACT_LOCK = "previous-lock.txt"        # the last lock, so unchanged pins stay put
STATIC_META = "django-static.json"         # collectstatic's key and where it wrote, in the state dir
ARTIFACT_STATIC = "django-static"          # in the tar: STATIC_ROOT's files and that metadata
LAUNCH_FILE = "launch.json"
PROFILE = "profile.sh"
PYTHONPATH_VAR = "PYBUILDPACK_S2I_PYTHONPATH"   # the run environment's PYTHONPATH (s2i/bin/run)

# The build machine's own variables, never the app's config vars (nor masked as secrets).
MACHINE_VARIABLES = DENYLIST | frozenset({
    "HOSTNAME", "PWD", "OLDPWD", "SHLVL", "_", "TERM", "USER", "LOGNAME", "TMPDIR", "LANG", "LANGUAGE",
    "container", "STACK", "APP_ROOT", "PLATFORM", "STI_SCRIPTS_PATH", "STI_SCRIPTS_URL",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "PIP_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
    "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
    "PYBUILDPACK_UV", "PYBUILDPACK_UV_BIN", "PYBUILDPACK_BOOT_PYTHON", "PYBUILDPACK_BOOTSTRAP_FD",
    "PYBUILDPACK_INSTALLER_CACHE_DIR", "PYBUILDPACK_TODAY", CACHE_VAR,
})
MACHINE_PREFIXES = ("PYBUILDPACK_S2I_", "LC_", "KUBERNETES_", "S2I_")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Paths:
    source: Path
    app: Path
    artifacts: Path
    home: Path
    cache: Path

    @classmethod
    def from_environment(cls, environ: Optional[Mapping[str, str]] = None) -> "Paths":
        environ = os.environ if environ is None else environ
        found = {key: Path(environ.get(name) or default).absolute() for key, (name, default) in VARIABLES.items()}
        cache = Path(environ.get(CACHE_VAR) or found["home"] / "cache").absolute()
        return cls(cache=cache, **found)

    @property
    def python(self) -> Path:
        return self.home / "python"

    @property
    def state(self) -> Path:
        return self.home / "state"


# --- config vars ---------------------------------------------------------------------------

def parse_environment_file(text: str) -> dict:
    """`.s2i/environment` as s2i reads it: NAME=value lines, the value taken as
    it is (no quotes removed, nothing expanded), # comments; the last wins.

        >>> parse_environment_file("# build\\nAPP_FILE=server.py\\nA=1\\nA=2\\n")
        {'APP_FILE': 'server.py', 'A': '2'}
    """
    values: dict = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise errors.S2iEnvironmentInvalid(number, line, "it has no `=`")
        if not _NAME.match(name.strip()):
            raise errors.S2iEnvironmentInvalid(number, line, "a name has letters, digits and _ and does not "
                                                             "start with a digit")
        values[name.strip()] = value
    return values


def read_environment_file(app_dir: Path) -> dict:
    path = app_dir / ENVIRONMENT_FILE
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.FileUnreadable(ENVIRONMENT_FILE, str(exc))
    return parse_environment_file(text)


def machine_variable(name: str) -> bool:
    return name in MACHINE_VARIABLES or name.startswith(MACHINE_PREFIXES)


def app_home(value: str) -> Optional[str]:
    """APP_HOME (OpenShift: the app's directory in the repository) as an app root, None for the top."""
    path = PurePosixPath(value.strip())
    relative = PurePosixPath(*[part for part in path.parts if part not in (".", "/")]) if path.parts else path
    return None if str(relative) in ("", ".") else relative.as_posix()


def read_config(app_dir: Path, environ: Optional[Mapping[str, str]] = None) -> ConfigVars:
    """.s2i/environment, then the build's environment over it (as s2i orders them),
    without the machine's variables; APP_HOME translated to PYBUILDPACK_APP_ROOT."""
    environ = os.environ if environ is None else environ
    values = read_environment_file(app_dir)
    values.update({name: value for name, value in environ.items() if not machine_variable(name)})
    home = app_home(values.get("APP_HOME", ""))
    if home is not None and not values.get("PYBUILDPACK_APP_ROOT"):
        values["PYBUILDPACK_APP_ROOT"] = home
    return ConfigVars(values)


# --- the platform --------------------------------------------------------------------------

class S2i(Platform):
    """assemble: the app in the image's WORKDIR, Python and its packages beside it."""

    # `s2i build .` of a working copy sends ignored files too: a .venv/ may be the developer's own.
    committed_environment = "warning"

    def __init__(self, paths: Paths, log: "Log") -> None:
        self.paths = paths
        # The source is the repository; the app may be in a subdirectory of it
        # (APP_HOME, PYBUILDPACK_APP_ROOT: Platform.use_app_dir).
        self.source_dir = self.app_dir = paths.app
        self.cache_root = paths.cache
        self.log = log

    def read_config(self) -> ConfigVars:
        names = list(read_environment_file(self.source_dir))
        if names:
            self.log.step(errors.s2i_environment_read(names))
        config = read_config(self.source_dir)
        home = app_home(config.get("APP_HOME") or "")
        if home is not None and config.get("PYBUILDPACK_APP_ROOT") == home:
            self.log.step(errors.s2i_app_home(home))
        return config

    def tools(self) -> "Tools":
        from ..tools import Tools

        return Tools.from_environment(self.paths.cache)

    def layout(self) -> "Layout":
        from ..build import Layout

        paths = self.paths
        # Relocatable from the directory both live in: an incremental build restores
        # the environment the previous image built, wherever that image had it.
        root = Path(os.path.commonpath([self.source_dir, paths.home]))
        return Layout(app_dir=self.app_dir, runtime_prefix=paths.python, env_prefix=paths.python,
                      state_dir=paths.state, relocate_root=None if root == Path("/") else root)

    def prepare(self, build: "Build") -> None:
        # The image exists to run the web process: without one, its run script could
        # only fail, so the build fails instead (after the warning that says what was looked for).
        if build.plan.web is None:
            build.show_warnings()
            raise errors.S2iNoWebProcess(list(build.plan.processes.all))
        app_config(self.app_dir, build)

    def environment_key(self, build: "Build") -> "EnvironmentKey":
        from .cnb import distro

        return build.environment_key(distro=distro())

    def previous_lock(self) -> Path:
        return self.paths.artifacts / ARTIFACTS_DIR / ARTIFACT_LOCK

    def restore_environment(self, build: "Build", key: "EnvironmentKey") -> dict:
        from ..cache import FORMAT, read_json_object
        from ..environment_key import describe_changes

        saved = self.paths.artifacts / ARTIFACTS_DIR
        if not saved.is_dir():
            return {}   # not an incremental build
        stored = read_json_object(saved / ENV_META)
        if stored is None:
            reasons = ["its metadata is missing or unreadable"]
        else:
            reasons = describe_changes(stored, {"format": FORMAT}, {"format": "cache format"}) or key.changes(stored)
        if not reasons and not (saved / "python").is_dir():
            reasons = ["its environment is missing"]
        if reasons:
            build.log.step(errors.s2i_artifacts_discarded(reasons))
            return {}
        prefix = build.layout.runtime_prefix
        if prefix.exists():
            shutil.rmtree(prefix)
        prefix.parent.mkdir(parents=True, exist_ok=True)
        # A move: the artifacts are this build's scratch, and the previous image keeps its own.
        shutil.move(str(saved / "python"), str(prefix))
        build.log.detail(errors.s2i_artifacts_restored())
        return stored

    def static_cache(self, build: "Build"):
        return S2iStaticCache(self.app_dir, self.paths)

    def write_launch(self, build: "Build", launch: "LaunchConfig") -> None:
        state = self.paths.state
        state.mkdir(parents=True, exist_ok=True)
        (state / "web_concurrency.sh").write_text(launch.web_concurrency_script())
        (state / PROFILE).write_text(profile_script(self.paths, launch, build.config.get("APP_CONFIG"),
                                                    self.app_dir))
        processes = {name: {"command": process.command, "argv": list(process.argv)}
                     for name, process in launch.processes.items()}
        # Processes run in the app's directory (a subdirectory of the source with APP_HOME).
        (state / LAUNCH_FILE).write_text(json.dumps({"app_dir": str(self.app_dir), "processes": processes},
                                                    indent=2))
        build.log.step(errors.launch_processes(list(processes), launch.default_process))

    def save_environment(self, build: "Build", key: "EnvironmentKey") -> None:
        from ..cache import FORMAT, write_atomically

        state = self.paths.state
        write_atomically(state / ENV_META, json.dumps({"format": FORMAT, **key.metadata(),
                                                       "install_key": build.outcome.install_key}, indent=2))
        lock_name = build.plan.package_manager.lock_name(build.plan.installer)
        lock = state / lock_name if lock_name else None
        if lock is not None and lock.is_file():
            write_atomically(state / ARTIFACT_LOCK, lock.read_text())
        else:
            (state / ARTIFACT_LOCK).unlink(missing_ok=True)

    def finish(self, build: "Build", log: "Log") -> None:
        # The downloads are not worth their size in the image (the environment
        # itself is what save-artifacts hands to the next build), unless the
        # builder shares them between builds (PYBUILDPACK_INSTALLER_CACHE_DIR).
        own = self.paths.cache / "installer-cache"
        if build.tools.uv_cache.parent == own:
            shutil.rmtree(own, ignore_errors=True)


class S2iStaticCache:
    """collectstatic's output between S2I builds: the image keeps STATIC_ROOT
    in the app (no second copy); the metadata, with STATIC_ROOT's path, goes in
    the state dir, and save-artifacts hands both to the next build."""

    fresh = True

    def __init__(self, ships: Path, paths: Paths) -> None:
        self.ships, self.paths = ships, paths

    @property
    def entry(self) -> Path:
        return self.paths.artifacts / ARTIFACTS_DIR / ARTIFACT_STATIC

    def stored(self) -> Optional[dict]:
        from ..cache import META, read_json_object

        return read_json_object(self.entry / META)

    def restore(self, static_root: Path) -> None:
        from ..cache import META

        static_root.parent.mkdir(parents=True, exist_ok=True)
        # A move: the artifacts are this build's scratch.
        shutil.move(str(self.entry), str(static_root))
        (static_root / META).unlink(missing_ok=True)

    def store(self, static_root: Path, metadata: Mapping[str, object]) -> None:
        from ..cache import write_atomically

        write_atomically(self.paths.state / STATIC_META,
                         json.dumps({**metadata, "static_root": str(static_root)}, indent=2, sort_keys=True))

    def keep(self) -> None:
        """Only what this image holds can be handed on: nothing to keep."""


def app_config(app_dir: Path, build: "Build") -> None:
    """Check APP_CONFIG (a gunicorn configuration file) before anything runs."""
    from ..inspect.declared_web import relative_file

    value = (build.config.get("APP_CONFIG") or "").strip()
    if not value:
        return
    relative_file(app_dir, "APP_CONFIG", value)
    web = build.plan.web
    if web is not None and web.server != "gunicorn":
        build.log.warning(*errors.app_config_not_used(web.origin, web.server or f"`{web.command}`"))


def _double_quoted(text: str) -> str:
    return '"' + re.sub(r'(["$`\\])', r"\\\1", text) + '"'


def profile_script(paths: Paths, launch: "LaunchConfig", app_config_value: Optional[str],
                   app_dir: Optional[Path] = None) -> str:
    """The run script's environment, sourced before the web process starts."""
    lines = [
        "# Written by pybuildpack: the app's runtime environment, sourced by the S2I run script.",
        f"export PATH={_double_quoted(str(paths.python / 'bin'))}:\"$PATH\"",
        # OpenShift's router is in front of the app.
        *[f'export {name}="${{{name}:-{value}}}"' for name, value in launch.defaults(behind_router=True).items()],
        f'export PORT="${{PORT:-{DEFAULT_PORT}}}"',
        f". {_double_quoted(str(paths.state / 'web_concurrency.sh'))}",
        'export WEB_CONCURRENCY="$(pybuildpack_web_concurrency)"',
        *launch.django_settings_shell(),
    ]
    if app_config_value and app_config_value.strip():
        config = str((app_dir or paths.app) / app_config_value.strip())
        lines.append(f'export PYBUILDPACK_GUNICORN_CONFIG="${{PYBUILDPACK_GUNICORN_CONFIG:-{_double_quoted(config)[1:-1]}}}"')
    return "\n".join(lines) + "\n"


# --- the scripts -----------------------------------------------------------------------------

def assemble(log: "Log", environ: Optional[Mapping[str, str]] = None) -> None:
    """s2i/bin/assemble: the source into the app directory, then the build."""
    from ..orchestrator import build

    paths = Paths.from_environment(environ)
    copy_source(paths, log)
    build(S2i(paths, log), log)


def copy_source(paths: Paths, log: "Log") -> None:
    """Copy the source to the app directory and remove it (its copy in /tmp/src
    would otherwise be committed to the image too)."""
    if paths.source.resolve() == paths.app.resolve():
        return
    if not paths.source.is_dir():
        raise errors.InternalError(f"There is no source directory at {paths.source}: the s2i build did not "
                                   f"put the app's source there ({VARIABLES['source'][0]}).")
    log.step(errors.s2i_source_copied(str(paths.source), str(paths.app)))
    paths.app.mkdir(parents=True, exist_ok=True)
    shutil.copytree(paths.source, paths.app, symlinks=True, dirs_exist_ok=True)
    shutil.rmtree(paths.source, ignore_errors=True)


def save_artifacts(stream: IO[bytes], environ: Optional[Mapping[str, str]] = None) -> None:
    """s2i/bin/save-artifacts: the environment, its key and the last lock, as a
    tar on `stream` (stdout); an empty tar for an image with no environment."""
    paths = Paths.from_environment(environ)
    with tarfile.open(fileobj=stream, mode="w|") as tar:
        if (paths.state / ENV_META).is_file() and paths.python.is_dir():
            tar.add(str(paths.python), arcname=f"{ARTIFACTS_DIR}/python")
            tar.add(str(paths.state / ENV_META), arcname=f"{ARTIFACTS_DIR}/{ENV_META}")
            if (paths.state / ARTIFACT_LOCK).is_file():
                tar.add(str(paths.state / ARTIFACT_LOCK), arcname=f"{ARTIFACTS_DIR}/{ARTIFACT_LOCK}")
            _add_static(tar, paths)
    stream.flush()


def _add_static(tar: tarfile.TarFile, paths: Paths) -> None:
    """STATIC_ROOT as the last collectstatic wrote it, and its metadata (cache.META)."""
    from ..cache import META

    try:
        metadata = json.loads((paths.state / STATIC_META).read_text())
        static_root = Path(metadata["static_root"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    if static_root.is_dir():
        tar.add(str(static_root), arcname=f"{ARTIFACTS_DIR}/{ARTIFACT_STATIC}")
        tar.add(str(paths.state / STATIC_META), arcname=f"{ARTIFACTS_DIR}/{ARTIFACT_STATIC}/{META}")


RELEASE = "release"
RELEASE_VAR = "PYBUILDPACK_RELEASE_COMMAND"


def run_argv(paths: Paths, environ: Mapping[str, str]) -> tuple:
    """(argv, env, cwd) that s2i/bin/run execs: bash sources the profile, then execs
    the web process (its argv as it is, or its shell command through bash -c,
    which execs a simple command too), so signals reach the server itself."""
    launch_file = paths.state / LAUNCH_FILE
    if not launch_file.is_file():
        raise errors.S2iNotAssembled(str(launch_file))
    launch = json.loads(launch_file.read_text())
    processes = launch.get("processes", {})
    web = processes.get("web")
    if web is None:
        raise errors.S2iNoWebProcess(list(processes))
    env = dict(environ)
    if PYTHONPATH_VAR in env:      # the app's own, kept aside by s2i/bin/run
        env["PYTHONPATH"] = env.pop(PYTHONPATH_VAR)
    if not env.get("PORT"):
        env["PORT"] = DEFAULT_PORT
    profile = str(paths.state / PROFILE)
    # An image has no release phase: the Procfile's release process (migrations)
    # runs as the container starts, before web, as OpenShift's Python image runs
    # migrate there; DISABLE_MIGRATE, that image's switch, skips it. A failing
    # release stops the container with its status: web never starts.
    release = processes.get(RELEASE)
    first = ""
    if release is not None and not _flag(env.get("DISABLE_MIGRATE")):
        env[RELEASE_VAR] = release["command"]
        first = f'echo {shlex.quote(errors.s2i_release_running(release["command"]))} >&2 && bash -c "${RELEASE_VAR}" && '
    if web.get("argv"):
        argv = ["bash", "-c", f'. "$0" && {first}exec "$@"', profile, *web["argv"]]
    else:
        argv = ["bash", "-c", f'. "$0" && {first}exec bash -c "$1"', profile, web["command"]]
    return argv, env, Path(launch.get("app_dir") or paths.app)


def _flag(value: Optional[str]) -> bool:
    return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")


def run(environ: Optional[Mapping[str, str]] = None) -> None:
    """s2i/bin/run: exec the web process in the app directory; never returns."""
    paths = Paths.from_environment(environ)
    argv, env, cwd = run_argv(paths, os.environ if environ is None else environ)
    os.chdir(cwd)
    sys.stdout.flush()
    os.execvpe(argv[0], argv, env)


USAGE = """\
This is pybuildpack's Source-to-Image builder for Python web apps.

Build an image of an app with s2i:

    s2i build <source directory or git URL> {builder} <image>
    s2i build --incremental <source> {builder} <image>     (reuses the previous image's packages)

or on OpenShift:

    oc new-app {builder}~<git URL>

The image runs the app's web process on port 8080 (PORT overrides it). The build
reads the same files as on every platform (requirements.txt, uv.lock, poetry.lock,
Pipfile.lock, pyproject.toml, .python-version, Procfile) and these settings, from
.s2i/environment (NAME=value lines) or the build's environment (`s2i build -e`):

    APP_MODULE       a WSGI or ASGI app to serve, `module:callable`
    APP_FILE         a Python file that starts the app's server, run with python
    APP_SCRIPT       an executable script that starts the app's server
    APP_CONFIG       a gunicorn configuration file
    APP_HOME         the app's directory in the repository
    DISABLE_COLLECTSTATIC=1   skip Django's collectstatic
    DISABLE_MIGRATE=1         (at run) skip the Procfile's release process, which runs before web

and every PYBUILDPACK_* config var. See https://github.com/pybuildpack/pybuildpack#readme
"""


def usage(environ: Optional[Mapping[str, str]] = None) -> str:
    environ = os.environ if environ is None else environ
    return USAGE.format(builder=environ.get("PYBUILDPACK_S2I_BUILDER_IMAGE") or "<builder image>")
