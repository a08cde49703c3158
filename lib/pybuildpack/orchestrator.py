"""The build, phase by phase, the same on every platform.

    settings -> pre_compile hook -> (source check) -> Python -> cached environment
    -> dependencies -> the web app compiles and its servers import -> launch code
    -> (the environment's copy begins) -> framework steps (Django) -> post_compile hook
    -> launch config -> save the environment -> summary

This is the only place the order is written. What each phase does is in
build.py; where its results go, and what is restored and saved, is the
platform's answer (platforms/base.py).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Optional

from . import app_root, disk, errors, servers
from .build import Build
from .inspect.files import committed_environments
from .output import Log
from .plan import make_plan
from .settings import with_settings
from .platforms.base import Platform


def build(platform: Platform, log: Log) -> Build:
    """Build the app on `platform`; return the finished Build. A full disk
    anywhere in it is a DiskFull error naming the directory."""
    state = {"saving": False}
    try:
        return _build(platform, log, state)
    except OSError as exc:  # shutil.Error is an OSError too
        path = disk.enospc_path(exc)
        if path is None:
            raise
        note = ("The environment could not be saved to the build cache, so the next build installs the\n"
                "dependencies again." if state["saving"] else
                "The build stopped before writing its environment to the build cache.")
        raise disk.disk_full(path, disk_places(platform), note) from None


def disk_places(platform: Platform) -> dict:
    """The directories a build writes to, most specific first, for DiskFull."""
    tools = platform.tools()
    cache = getattr(platform, "cache_root", None)
    return {"the installer cache": tools.uv_cache.parent, "the build cache": cache,
            "the build directory": Path(platform.app_dir), "the temporary directory": Path(tempfile.gettempdir())}


def _build(platform: Platform, log: Log, state: dict) -> Build:
    # The config vars, over the settings committed in pyproject.toml (settings.py):
    # the top's first, which may name the app's directory, then the app's own.
    given = platform.read_config()
    log.add_secrets(given.secrets())
    platform.use_app_dir(with_settings(given, platform.source_dir))
    config = with_settings(given, platform.app_dir, platform.source_dir)
    with app_root.within(platform.repository_dir()):
        return _build_app(platform, log, state, config)


def _build_app(platform: Platform, log: Log, state: dict, config) -> Build:
    if platform.app_dir != platform.source_dir:
        log.step(errors.app_root_used(app_root.relative(platform.app_dir, platform.source_dir),
                                      config.origin(app_root.VAR)))
    plan = make_plan(platform.app_dir, config, test=platform.test)
    build = Build(plan, platform.layout(), platform.tools(), config, log)
    platform.prepare(build)

    build.show_settings()
    build.show_warnings()
    servers.check_build_machine(plan.processes.detected, build.env)
    build.check_server_configs()
    hook_env = platform.hook_environment(build) if plan.hooks else {}
    build.run_hook("bin/pre_compile", hook_env)
    # After the hook, as Heroku checks: it may have made one too.
    check_source(platform, log)
    platform.choose_python(build)
    key = platform.environment_key(build)
    with tempfile.TemporaryDirectory(prefix="pybuildpack-lock-") as scratch:
        # The last lock outlives a discarded environment, so unchanged pins stay put.
        previous_lock = _keep_copy(platform.previous_lock(), Path(scratch))
        previous = platform.restore_environment(build, key)
        # While CPython downloads and unpacks, the app's wheels are fetched into uv's cache.
        with build.prefetching(previous):
            build.ensure_runtime()
            build.ensure_env()
        build.install_dependencies(previous, previous_lock)
        build.check_numpy_abi()
    build.install_launch_package()
    build.fit_web_to_its_server()
    # The environment is whole: its copy into the cache can start, beside the checks and Django's steps.
    platform.begin_save(build)
    build.check_web_app_compiles()
    # The servers' import check runs beside Django's steps; its failure is reported after them.
    finish_server_check = build.start_server_check(platform.server_check_record(build))
    try:
        build.django(platform.static_cache(build), platform.django_record(build))
    except BaseException:
        finish_server_check(False)
        raise
    finish_server_check(True)
    build.run_hook("bin/post_compile", hook_env)

    platform.write_launch(build, build.launch_config())
    state["saving"] = True
    platform.save_environment(build, key)
    state["saving"] = False
    build.summary()
    platform.finish(build, log)
    return build


def check_source(platform: Platform, log: Log) -> None:
    """Refuse (or warn about) a Python environment in the app's source, as the
    platform says (Platform.committed_environment)."""
    if platform.committed_environment is None:
        return
    for path, owned in committed_environments(platform.app_dir, platform.owned_dirs):
        if platform.committed_environment == "error":
            raise errors.CommittedEnvironment(path, "a virtualenv", owned)
        log.warning(*errors.committed_environment_shipped(path))


def _keep_copy(path: Optional[Path], scratch: Path) -> Optional[Path]:
    """A copy of `path` in `scratch`, made before the platform may discard it."""
    if path is None or not path.is_file():
        return None
    copy = scratch / path.name
    shutil.copyfile(path, copy)
    return copy
