"""The Heroku classic buildpack API: bin/detect, bin/compile, bin/release.

Layout of the slug (BUILD_DIR at build time, /app at runtime):

    .heroku/python/          CPython and the app's packages (relocatable)
    .heroku/pybuildpack/     what the build recorded: release.json, locks
    .profile.d/pybuildpack.sh  the runtime environment, sourced by the dyno

CACHE_DIR/pybuildpack/ holds uv, the tool environment, the installer caches,
the previous environment (env/), the previous lock, and Django's
collected static files with their key (django-static/).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from .. import errors
from ..inspect.files import detect_failure, detected_by
from ..output import Log, format_duration
from . import heroku_restore
from .base import Platform
from .heroku_restore import CACHE_ENV, PYTHON_DIR

if TYPE_CHECKING:  # detect and release run on a bare python3: import the rest lazily
    from ..build import Build, Layout
    from ..config import ConfigVars
    from ..environment_key import EnvironmentKey
    from ..launch_config import LaunchConfig
    from ..tools import Tools

STATE_DIR = ".heroku/pybuildpack"
PROFILE = ".profile.d/pybuildpack.sh"
CACHE_STATIC = "django-static"          # CACHE_DIR/pybuildpack/django-static: collectstatic's last output
CACHE_DJANGO = "django-check.json"      # CACHE_DIR/pybuildpack/django-check.json: the settings probe and check
CACHE_SERVER_CHECK = "server-check.json"   # the servers' import check (build.start_server_check)


def detect(build_dir: Path) -> int:
    # Heroku gives detect no config vars; a platform that exports them (and a
    # top-level pyproject.toml naming `app-root`, itself a detect file) finds the app.
    root = os.environ.get("PYBUILDPACK_APP_ROOT")
    if root:
        from ..app_root import resolve

        try:
            build_dir = resolve(build_dir, root, "environment variable PYBUILDPACK_APP_ROOT")
        except errors.UserError as error:
            print(f"{error.title}\n{error.body}", file=sys.stderr)
            return 1
    found = detected_by(build_dir)
    if found:
        print("Python")
        return 0
    print(detect_failure(build_dir), file=sys.stderr)
    return 1


def stack() -> str:
    return os.environ.get("STACK") or os.environ.get("CNB_TARGET_DISTRO_NAME", "") or "unknown"


class Heroku(Platform):
    """bin/compile: build in BUILD_DIR, cache in CACHE_DIR/pybuildpack, config vars from ENV_DIR."""

    # A committed .heroku/python/ is refused, as Heroku's own buildpack does: it is where Python goes.
    owned_dirs = (PYTHON_DIR,)

    def __init__(self, build_dir: Path, cache_dir: Path, env_dir: Optional[Path], test: bool = False) -> None:
        from ..cache import CachedDir

        self.test = test
        self.source_dir = self.app_dir = build_dir
        self.env_dir = env_dir
        self.cache_root = cache_dir / "pybuildpack"
        self.cached_env = CachedDir(self.cache_root / CACHE_ENV)
        self._restoring = None   # the copy start_restore began
        self._saving = None      # the copy begin_save began

    def read_config(self) -> "ConfigVars":
        from ..config import read_env_dir

        return read_env_dir(self.env_dir)

    def tools(self) -> "Tools":
        from ..tools import Tools

        return Tools.from_environment(self.cache_root)

    def layout(self) -> "Layout":
        from ..build import Layout

        # Python and the build's record go at the top of the slug, where the dyno
        # (and any later buildpack) looks for them, even for an app in a subdirectory.
        top = self.source_dir
        return Layout(app_dir=self.app_dir, runtime_prefix=top / PYTHON_DIR,
                      env_prefix=top / PYTHON_DIR, state_dir=top / STATE_DIR, relocate_root=top)

    def environment_key(self, build: "Build") -> "EnvironmentKey":
        return build.environment_key(distro=stack())

    def previous_lock(self) -> Path:
        from ..package_managers.base import LOCK_FILE

        return self.cache_root / LOCK_FILE

    def start_restore(self) -> None:
        """Start copying the cached environment into the build directory, beside
        where it goes, before anything else runs (imports, the plan, choosing
        Python), or adopt the copy the bootstrap began (heroku_restore.py):
        restore_environment then puts it in place when it matches, or throws it
        away. Not when a bin/pre_compile hook runs first: the hook sees the app
        as it was given."""
        from ..cache import BackgroundCopy

        begun = os.environ.pop(heroku_restore.PID_VAR, None)
        # The entry the last store kept as previous goes in the background, beside the restore.
        self.cached_env.clean_leftovers(wait=False)
        destination = Path(heroku_restore.copy_destination(str(self.source_dir), os.getpid()))
        if begun is not None and begun.isdigit():
            # Its paths are these: the bootstrap was this process, before its exec.
            self._restoring = BackgroundCopy(self.cached_env.path, destination, pid=int(begun))
        elif heroku_restore.copy_paths(str(self.source_dir), str(self.cache_root), os.getpid()):
            self._restoring = BackgroundCopy(self.cached_env.path, destination)

    def discard_unused_copies(self) -> None:
        """Remove a copy start_restore or begin_save made that the build did not
        use (it stopped before), and finish removing the last build's previous entry."""
        for copy in (self._restoring, self._saving):
            if copy is not None:
                copy.cancel()
        self._restoring = self._saving = None
        self.cached_env.finish_removals()

    def restore_environment(self, build: "Build", key: "EnvironmentKey") -> dict:
        from ..cache import FORMAT, META, SLOW_COPY
        from ..environment_key import describe_changes

        cached, prefix = self.cached_env, build.layout.runtime_prefix
        restoring, self._restoring = self._restoring, None
        cached.clean_leftovers()
        if not cached.exists():
            if restoring is not None:
                restoring.cancel()
            return {}
        stored = cached.metadata()
        if stored is None:
            reasons = ["its metadata is missing or unreadable"]
        else:
            # Another format says it all: its other fields may mean something else.
            reasons = describe_changes(stored, {"format": FORMAT}, {"format": "cache format"}) or key.changes(stored)
        if reasons:
            # Not used, but kept until this build stores its own: should this build
            # fail, a build with the old inputs (a reverted change) still finds it.
            if restoring is not None:
                restoring.cancel()
            build.log.step(errors.cache_discarded("environment", reasons))
            return {}
        if prefix.exists():
            shutil.rmtree(prefix)
        prefix.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        # A copy, not a move: the entry survives this build failing or being killed.
        if restoring is not None:
            restoring.wait()
            os.rename(restoring.destination, prefix)
            (prefix / META).unlink(missing_ok=True)
            previous = stored
        else:
            previous = cached.restore(prefix)
        elapsed = time.monotonic() - started
        slow = f" ({format_duration(elapsed)})" if elapsed >= SLOW_COPY else ""
        build.log.detail(f"Restored the environment from the build cache{slow}")
        if not build.install_skipped(previous):
            # The install will change it: its copy into the cache starts now, beside the
            # install, from the entry (the same files as the restored tree, by hardlinks);
            # save_environment takes in what the install and the later steps changed.
            self._saving = cached.begin_store(cached.path)
        return previous

    def static_cache(self, build: "Build"):
        from ..steps.static_cache import DirStaticCache

        return DirStaticCache(self.source_dir, self.cache_root / CACHE_STATIC)

    def django_record(self, build: "Build"):
        from ..cache import JsonRecord

        return JsonRecord(self.cache_root / CACHE_DJANGO)

    def server_check_record(self, build: "Build"):
        from ..cache import JsonRecord

        return JsonRecord(self.cache_root / CACHE_SERVER_CHECK)

    def hook_environment(self, build: "Build") -> dict:
        """bin/compile's own three arguments, as Heroku's hooks get them."""
        env = {"BUILD_DIR": str(self.source_dir), "CACHE_DIR": str(self.cache_root.parent)}
        if self.env_dir is not None:
            env["ENV_DIR"] = str(self.env_dir.resolve())
        return env

    def write_launch(self, build: "Build", launch: "LaunchConfig") -> None:
        from ..app_root import relative

        write_runtime_files(self.source_dir, launch, relative(self.app_dir, self.source_dir))

    def begin_save(self, build: "Build") -> None:
        """Start copying a changed environment into the cache now (unless
        restore_environment started it from the entry already), beside the
        entry, while collectstatic, the deployment check and the post_compile
        hook run: save_environment then only brings the copy up to date with
        what they changed (bytecode they wrote) and swaps it in."""
        if not build.outcome.environment_unchanged and self._saving is None:
            self._saving = self.cached_env.begin_store(build.layout.runtime_prefix)

    def save_environment(self, build: "Build", key: "EnvironmentKey") -> None:
        from ..cache import write_atomically

        # Only after a successful build. A copy of every file (as hardlinks where
        # the filesystem allows) is the floor for a slug that must hold the
        # environment too, so its cost is shown. An environment restored and
        # left as it was is in the cache already: the copy is skipped. (What
        # changes in it anyway, the launch package and hooks' work, is redone
        # by every build.)
        begun, self._saving = self._saving, None
        if not build.outcome.environment_unchanged:
            with build.log.timed("Saving the environment to the build cache", threshold=0.0):
                # The replaced entry is left for the next build to remove, off its critical path.
                self.cached_env.store(build.layout.runtime_prefix,
                                      {**key.metadata(), "install_key": build.outcome.install_key}, begun=begun,
                                      keep_previous=True)
        lock_name = build.plan.package_manager.lock_name(build.plan.installer)
        lock = build.layout.state_dir / lock_name if lock_name else None
        if lock is not None and lock.is_file():
            write_atomically(self.previous_lock(), lock.read_text())


def compile(build_dir: Path, cache_dir: Path, env_dir: Optional[Path], log: Log, test: bool = False) -> None:
    """bin/compile; with `test`, Heroku CI's bin/test-compile: the same build,
    with the app's test dependencies installed too."""
    platform = Heroku(build_dir, cache_dir, env_dir, test)
    # First: the copy runs while the rest of pybuildpack is imported and the plan made.
    platform.start_restore()
    try:
        from ..orchestrator import build


        build(platform, log)
    finally:
        platform.discard_unused_copies()


def _export_defaults(defaults: dict) -> list:
    """`export NAME="${NAME:-value}"` lines: a value the user set wins."""
    return [f'export {name}="${{{name}:-{value}}}"' for name, value in defaults.items()]


def profile_script(launch: "LaunchConfig", app_root: str = "") -> str:
    """`app_root`: the app's directory in the slug, where its processes run ('' for the top)."""
    lines = [
        "# Written by pybuildpack: the app's runtime environment, sourced at dyno start.",
        # The dyno runs each process in the shell that sourced this: an app in a
        # subdirectory runs from there, as it was built.
        *([f'cd "$HOME/{app_root}"'] if app_root else []),
        f'export PATH="$HOME/{PYTHON_DIR}/bin:$PATH"',
        *_export_defaults(launch.defaults(behind_router=True)),
        f'. "$HOME/{STATE_DIR}/web_concurrency.sh"',
        'export WEB_CONCURRENCY="$(pybuildpack_web_concurrency)"',
        *launch.django_settings_shell(),
    ]
    return "\n".join(lines) + "\n"


def export_script(build_dir: Path) -> str:
    from ..launch_config import PROCESS_DEFAULTS

    lines = [f'export PATH="{build_dir / PYTHON_DIR / "bin"}:$PATH"', *_export_defaults(PROCESS_DEFAULTS)]
    return "\n".join(lines) + "\n"


def write_runtime_files(build_dir: Path, launch: "LaunchConfig", app_root: str = "") -> None:
    state = build_dir / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    (state / "web_concurrency.sh").write_text(launch.web_concurrency_script())
    profile = build_dir / PROFILE
    profile.parent.mkdir(parents=True, exist_ok=True)
    profile.write_text(profile_script(launch, app_root))
    # Heroku reads the Procfile at the top of the slug itself. An app in a
    # subdirectory with a Procfile of its own has its processes listed here.
    shown = launch.processes if app_root and not (build_dir / "Procfile").is_file() else launch.detected
    processes = {name: process.command for name, process in shown.items()}
    (state / "release.json").write_text(json.dumps({"default_process_types": processes}, indent=2))
    buildpack_dir = Path(__file__).resolve().parents[3]
    try:
        (buildpack_dir / "export").write_text(export_script(build_dir))
    except OSError:
        pass  # a read-only buildpack checkout: later buildpacks read PATH from .profile.d instead


def release(build_dir: Path) -> str:
    """The YAML bin/release prints."""
    path = build_dir / STATE_DIR / "release.json"
    try:
        processes = json.loads(path.read_text()).get("default_process_types", {})
    except (OSError, ValueError):
        processes = {}
    if not processes:
        return "---\ndefault_process_types: {}\n"
    lines = ["---", "default_process_types:"]
    for name, command in processes.items():
        lines.append(f"  {name}: {json.dumps(command)}")
    return "\n".join(lines) + "\n"
