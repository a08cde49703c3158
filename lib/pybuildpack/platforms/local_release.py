"""The release phase on your machine: `pybuildpack release`, and `up` before the web process.

Heroku runs the Procfile's `release` process once per deploy, after the build
and before the new web dynos start, and stops the deploy when it fails; it is
where migrations go (`release: python manage.py migrate --noinput`). Locally
it runs the way `pybuildpack start` runs a process: the built environment
(the `.profile.d` values and the app's `.env`), in the app directory, with
stdin empty. Its output is copied into the log line by line, masked as every
line of the log is. It never runs as one of the processes of `start --all`
nor as an exported unit: it is a task of each deploy, not a service.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Optional

from .. import errors
from ..output import Log, format_duration
from . import local
from .local_procs import how_it_ended

RELEASE = "release"


def run_release(launch: "local.Prepared", log: Log, before_web: bool) -> bool:
    """Run the release process of a built app to its end; False when it has none.
    ReleaseFailed when it fails (`before_web`: `up` was about to start web)."""
    process = launch.plan.release
    if process is None:
        return False
    env = local.process_environment(launch, os.environ, local.resolve_port(None, {**os.environ, **launch.dotenv}))
    argv = local.process_argv(process, env)
    log.step(f"Running release process: {process.command}")
    started = time.monotonic()
    try:
        child = subprocess.Popen(argv, cwd=launch.app_dir, env=env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError:
        raise errors.CommandNotFound(argv[0])
    try:
        for raw in iter(child.stdout.readline, b""):
            log.raw(raw.decode("utf-8", "replace"))
        code = child.wait()
    finally:
        if child.poll() is None:   # Ctrl-C or an error of ours: do not leave it running
            child.terminate()
            child.wait()
        child.stdout.close()
    elapsed = format_duration(time.monotonic() - started)
    if code != 0:
        raise errors.ReleaseFailed(process.command, process.origin, how_it_ended(code), elapsed, before_web)
    log.detail(f"Release process finished ({elapsed})")
    return True


def release(app_dir: Path, log: Log) -> int:
    """`pybuildpack release`: the built app's release process, alone."""
    launch = local.prepare_launch(app_dir, log)
    if launch.plan.release is None:
        log.step("Nothing to run: the Procfile has no release process")
        return 0
    run_release(launch, log, before_web=False)
    return 0


def up(app_dir: Path, port_option: Optional[str], reload: bool, run: bool, log: Log) -> int:
    """After `up`'s build: the release process (unless `run` is False), then
    the web process. The web port is checked first, so a migration never runs
    for a web process that could not start."""
    launch = local.prepare_launch(app_dir, log)
    local.find_process(launch.plan, "web")
    local.check_port_free(local.resolve_port(port_option, {**os.environ, **launch.dotenv}))
    if launch.plan.release is not None:
        if run:
            run_release(launch, log, before_web=True)
        else:
            log.step(f"Skipping the release process (--no-release): {launch.plan.release.command}")
    return local.start(launch.app_dir, "web", port_option, reload, log)
